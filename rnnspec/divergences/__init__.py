"""The known divergences: where Keras does not do what its documentation says, or backends disagree.

One table of data (`table`), written in a small language of conditions on the installation and the case
(`conditions`), applied to the statements by the pytest plugin as strict xfails; a minimal reproducer per row
(`reproducers/`, run by `repro` through `forked`), and the table of docs/divergences.md generated from the rows (`page`).
"""
