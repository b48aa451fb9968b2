"""What is built: the subjects (`layers`, `cells`, `convlstm`, their base in `subject`), the probe each case carries
(`calls`), and the inputs they are built for (`shapes`, `masks`, `seeded`; `readings` names the training chapter's)."""
