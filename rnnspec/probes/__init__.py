"""Carrying a probe out: the one observe path and its session cache (`observe`), with what it records of each call
(`kernels`: which kernel ran; `compiled`: how the loop was compiled), the exported artifacts' runtimes (`exported`),
gradients and training steps (`gradients`), and the same subjects under another backend (`backend_parity`,
`under_another_backend`)."""
