"""Every tolerance the spec uses, each with the reason it is what it is."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float
    reason: str

    def __str__(self) -> str:
        return f"rtol={self.rtol:g}, atol={self.atol:g} ({self.reason})"


# sigmoid and tanh round to within a few ulp of their exact value, so a bound such as |h| <= |tanh(c)| that
# holds exactly in real arithmetic may be exceeded by float32 rounding, never by more than this.
FLOAT32_BOUND = Tolerance(rtol=0.0, atol=1e-6, reason="float32 rounding of tanh and of the gate product")


# Keras against the float64 NumPy reference, compared at the layer's dtype: |actual - expected| <= atol + rtol |expected|.
# Measured on the catalogue and its variants (TensorFlow 2.21 CPU, Keras 3.15): worst |difference| where
# |expected| <= 1: 1.8e-6 in float32, 5e-16 in float64, 9.8e-4 under mixed_float16 (one float16 ulp at 1),
# 9.8e-3 under mixed_bfloat16; worst relative difference where |expected| > 1 (linear activations let values
# grow to 1e3): 4.6e-6 in float32. Each bound leaves a margin of 3x to 5x over that, and stays well below the
# 1e-3 drift that the meta-tests show is caught.
VERSUS_REFERENCE = {
    "float32": Tolerance(rtol=2e-5, atol=5e-6, reason="float32 rounding over up to 10 steps against float64"),
    "float64": Tolerance(rtol=1e-13, atol=1e-13, reason="float64 rounding over up to 10 steps"),
    "float16": Tolerance(rtol=5e-3, atol=5e-3, reason="mixed_float16: inputs and products in float16 (eps 1e-3)"),
    "bfloat16": Tolerance(rtol=4e-2, atol=4e-2, reason="mixed_bfloat16: inputs and products in bfloat16 (eps 8e-3)"),
}


# The same float32 computation arranged differently: one sample alone instead of in a batch, a prefix instead of
# the padded sequence. Matrix products may then sum in another order (oneDNN picks its blocking by shape), which
# moves results by a few float32 ulps per step.
FLOAT32_REARRANGED = Tolerance(rtol=1e-6, atol=1e-6, reason="the same float32 steps, batched or ordered differently")
