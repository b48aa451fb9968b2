"""Seeded weights for the NumPy reference's own tests, in Keras's layout."""

from rnnspec.oracle.recurrent import GATE_COUNT, CellSpec


def random_weights(spec: CellSpec, features: int, rng, scale: float) -> dict:
    """kernel, recurrent_kernel and (with use_bias) bias, normal with this scale, biases non-zero."""
    width = GATE_COUNT[spec.cell] * spec.units
    weights = {
        "kernel": rng.normal(0.0, scale, (features, width)),
        "recurrent_kernel": rng.normal(0.0, scale, (spec.units, width)),
    }
    if spec.use_bias:
        shape = (2, width) if spec.cell == "GRU" and spec.reset_after else (width,)
        weights["bias"] = rng.normal(0.0, scale, shape)
    return weights
