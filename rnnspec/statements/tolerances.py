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


# Two implementations of the same float32 equations (a cell in `RNN` and its layer, an unrolled loop and a symbolic
# one): each is within VERSUS_REFERENCE["float32"] of the exact values, so they may differ by twice that. Measured
# on TensorFlow 2.21 CPU: identical, bit for bit (one kernel); on a GPU a layer may run cuDNN, which sums in another
# order. The bound stays well below the 1e-3 drift that the meta-tests show is caught.
BETWEEN_IMPLEMENTATIONS = Tolerance(rtol=4e-5, atol=1e-5, reason="two float32 implementations of the same equations")


# A regularizer's penalty as Keras computes it (a float32 sum over up to some hundred weights or outputs) against the
# same sum in float64 in NumPy: float32's relative rounding of a sum of positive terms, 1e-7 per term at worst.
PENALTY_VERSUS_NUMPY = Tolerance(rtol=1e-5, atol=1e-7, reason="a float32 sum of positive terms against float64")

# A GPU against the CPU, and cuDNN against the generic kernel. Not yet measured here (no GPU in this project's
# sessions so far); set from float32 arithmetic and to be narrowed on the first GPU run
# (`python -m rnnspec.tools.gpu_report`: its table of the largest differences per tolerance):
# - without TF32, products are full float32 but summed in other orders and fused differently (cuDNN computes the
#   four gates in one product): a few ulps per step over up to 10 steps;
# - with TF32, each product keeps a 10-bit mantissa (relative error about 5e-4 per product), compounding over
#   the steps; Keras's own GPU tests disable TF32 for that reason.
GPU_VERSUS_CPU = {
    False: Tolerance(rtol=1e-5, atol=1e-5, reason="GPU float32 without TF32: summation order and fused gates"),
    True: Tolerance(rtol=1e-2, atol=1e-2, reason="GPU with TF32: 10-bit mantissa products over up to 10 steps"),
}


# The same layer under two Keras backends on the CPU: the same float32 steps through different linear algebra
# libraries (oneDNN/Eigen, XLA, ATen). Measured on the catalogue (TensorFlow 2.21, JAX 0.10.2, PyTorch 2.13,
# Keras 3.15): worst |difference| 2.4e-7; the bound leaves a margin of about 8x.
BACKEND_PARITY = Tolerance(rtol=2e-6, atol=2e-6, reason="float32 on the CPU through another backend's kernels")


# A snapshot taken on one installation against another's values: other kernels and libraries doing the same
# float32 arithmetic. Measured between TensorFlow, JAX and PyTorch on the CPU: 2.4e-7 (see BACKEND_PARITY); the
# bound leaves room for other library versions, and stays far below any change of behaviour worth reporting.
SNAPSHOT = Tolerance(rtol=5e-6, atol=5e-6, reason="the same float32 layer on another installation")

# The gradients of a seeded loss against backpropagation through time in float64: float32 rounding accumulates
# over the sequence in both directions (forward values, then the backward pass). Measured on Keras 3.15.1 on the
# CPU over the training chapter's cases (gradients up to about 10 in magnitude): largest absolute difference
# 1.6e-6 on TensorFlow 2.21 and PyTorch 2.13, 2.0e-6 on JAX 0.10.2; a 5x margin.
# The gradients of the same float32 steps, computed through another graph (a masked call and the unmasked call of
# its valid steps): measured to differ by 0 on TensorFlow and 2.4e-7 on JAX (Keras 3.15.1, CPU).
GRADIENT_REARRANGED = Tolerance(rtol=1e-6, atol=1e-6, reason="the gradient of the same float32 steps, by another graph")

GRADIENT_VERSUS_REFERENCE = Tolerance(
    rtol=1e-5, atol=1e-5, reason="float32 backpropagation through time against the float64 reference"
)

# Weights after steps of SGD against the reference stepped the same way: each step adds the learning rate times
# the gradient's float32 error (GRADIENT_VERSUS_REFERENCE) to the rounding of float32 weights. Measured on Keras
# 3.15.1 on the CPU over the chapter's cases (one step and three): largest absolute difference 1.4e-7 on
# TensorFlow 2.21 and PyTorch 2.13, 1.6e-7 on JAX 0.10.2; a 6x margin.
TRAINED_VERSUS_REFERENCE = Tolerance(
    rtol=1e-6, atol=1e-6, reason="float32 weights after SGD steps against the float64 reference stepped alike"
)

# The gradients of the same layer under two Keras backends on the CPU, over the training chapter's subjects on
# which every backend agrees (rnnspec.probes.gradients.every_backend_agrees). Measured on Keras 3.15.1 with TensorFlow
# 2.21, JAX 0.10.2 and PyTorch 2.13, over every output mode and reading (gradients up to 8.9 in magnitude):
# largest absolute difference 2.4e-6 between TensorFlow and JAX, 1.9e-6 between JAX and PyTorch, 1.4e-6 between
# TensorFlow and PyTorch (each backend is within about 2e-6 of the float64 reference, GRADIENT_VERSUS_REFERENCE).
# The bound leaves a margin of 4x and stays far below the 1e-3 drift that the meta-tests show is caught.
GRADIENT_BACKEND_PARITY = Tolerance(
    rtol=1e-5, atol=1e-5, reason="float32 backpropagation on the CPU through another backend's kernels"
)

# GPU gradients against the CPU's, and cuDNN's gradients against the generic kernel's on one GPU. Not yet measured
# (no GPU in this project's sessions so far): set from float32 arithmetic like GPU_VERSUS_CPU, and to be narrowed
# on the first GPU run (`python -m rnnspec.tools.gpu_report`: its table of the largest differences per tolerance):
# - without TF32, each device's backward pass is float32 arithmetic within GRADIENT_VERSUS_REFERENCE of the exact
#   gradients (1.6e-6 to 2.0e-6 measured on the CPU), the GPU's summed in other orders and cuDNN's gates fused:
#   the two may differ by twice that bound;
# - with TF32, every product of the forward and of the backward pass keeps a 10-bit mantissa (relative error about
#   5e-4 each), the backward pass carrying the forward's errors through twice as many products, on gradients up to
#   about 10 in magnitude where the outputs stay below 1: twice GPU_VERSUS_CPU[True] relatively, five times
#   absolutely.
GRADIENT_GPU_VERSUS_CPU = {
    False: Tolerance(rtol=2e-5, atol=2e-5, reason="GPU float32 backpropagation without TF32: summation order, fused gates"),
    True: Tolerance(rtol=2e-2, atol=5e-2, reason="GPU backpropagation with TF32: 10-bit mantissa products, both passes"),
}

# A snapshot's gradients against another installation's: the same float32 backpropagation through other kernels
# and libraries. Measured between TensorFlow, JAX and PyTorch on the CPU: 2.4e-6 (see GRADIENT_BACKEND_PARITY),
# ten times the forward values' differences, since gradients sum over the sequence and reach 9 in magnitude.
SNAPSHOT_GRADIENTS = Tolerance(rtol=1e-5, atol=1e-5, reason="the same float32 backpropagation on another installation")

# One SGD step of a mixed_float16 model, over its learning rate, against the float64 reference's gradient of the
# loss: both passes in float16 (eps 1e-3), the gradients unscaled and applied in float32. Measured on Keras 3.15.1
# on the CPU (TensorFlow 2.21, JAX 0.10.2, PyTorch 2.13), every cell, gradients up to 0.4 in magnitude: largest
# absolute difference 4.4e-4 (about two float16 ulps at 0.4); the bound leaves a margin of 4x, while a step of the
# scaled gradient, or of none, misses by the gradient itself.
GRADIENT_UNDER_MIXED_FLOAT16 = Tolerance(rtol=1e-2, atol=2e-3, reason="mixed_float16: both passes in float16")

# An exported model run by its format's runtime against the same model called in Keras, on the CPU: the same float32
# equations through another runtime's kernels (ONNX Runtime, OpenVINO, LiteRT, the TensorFlow graph of another
# backend's model), which may fuse and order the products differently. Measured on the chapter's cases (Keras 3.15.1
# with TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13; onnxruntime 1.32, OpenVINO 2026.4 in full float32): worst
# |difference| 1.2e-7. The bound leaves a wide margin for other runtime versions and stays far below the 1e-3 a
# dropped, reversed or reordered tensor makes.
EXPORTED = {
    format: Tolerance(rtol=1e-5, atol=1e-5, reason=f"the same float32 layer run by the {format} runtime")
    for format in ("tf_saved_model", "onnx", "litert", "openvino")
}

# A float32 ConvLSTM against the float64 NumPy reference (rnnspec.oracle.convlstm): each gate sums at most
# 2·3·2·2 + 3·2·3·3 = 78 float32 products (the 3-D kernel over 2 channels, and over the 3 filters of the state),
# over 4 steps. Measured on Keras 3.15.1 on the CPU over the chapter's subjects (every rank, geometry, reading
# backwards, dropout at inference, the argument variants; values up to 1.8 in magnitude): largest absolute difference
# 2.7e-7 on TensorFlow 2.21, 2.3e-7 on JAX 0.10.2 (without the variants), 2.2e-7 on PyTorch 2.13, relative 2.4e-7
# where |expected| > 1. The bound leaves a
# margin of about 4x and stays far below the 1e-3 drift that the meta-tests show is caught.
CONV_LSTM_VERSUS_REFERENCE = Tolerance(rtol=1e-6, atol=1e-6, reason="float32 ConvLSTM over 4 steps against float64")


def name_of(tolerance: Tolerance) -> str:
    """The name a tolerance has in this module, e.g. `GPU_VERSUS_CPU[True]`, for reports of what was measured
    against it; its text where it has none (a tolerance made elsewhere)."""
    for name, value in globals().items():
        if value == tolerance:
            return name
        if isinstance(value, dict):
            for key, member in value.items():
                if member == tolerance:
                    return f"{name}[{key!r}]"
    return str(tolerance)


# Chapter 15 (exploration) draws what the bounds above were not measured on: up to 40 steps where they saw 10, up to
# 16 units and features, unbounded activations (relu, linear) whose values grow along the sequence, and dtype
# policies combined with everything else. Its bounds are the chapters' own for the dtype the layer computes in, with
# two changes:
# - grown in proportion to the steps beyond the MEASURED_OVER_STEPS the chapters' bounds were measured over: each
#   step adds its rounding to the states, and a gradient's passes carry it forwards and back;
# - held against the array's largest value where that exceeds 1 (|a - e| <= atol max(1, max|e|) + rtol |e|): sums
#   over 16 units and 40 steps cancel, leaving small elements whose rounding is that of the large terms they summed.
# And a drawn configuration states nothing where no implementation in its dtype could meet the bound: where a state
# of the reference, at a step the mask keeps, exceeds the dtype's LARGEST value (it overflows there, and an LSTM
# whose relu output gate is zero returns 0 x inf); or where the reference moves beyond the bound when the weights
# and inputs move by as many ROUNDINGs of the dtype (its unit roundoff) as the computation rounds along its longest
# path (`Drawn.roundings`: four per step, the products and sums of a gate, over every step of every call it makes)
# and each state it keeps moves by the ROUNDINGS_PER_STEP of a step (a GRU whose linear update gate is large cancels
# large terms within a step: in bfloat16, 25% off after 5 steps, where moving the inputs alone moved it by 4%); or
# where a pre-activation whose derivative the reference takes lies within as many ROUNDINGs of a kink of relu or
# hard_sigmoid, relative to its size (hard_sigmoid's derivative at 2.994 is 1/6, and 0 at 2.994 rounded to bfloat16).
# Measured over 1,000 drawn configurations per statement (TensorFlow 2.21, CPU): unbounded activations over long
# sequences make a fifth of them so, in float32 (a GRU whose update gate runs on tanh can double its state at a
# step); in float16 and bfloat16, most of those with more than a few steps.
MEASURED_OVER_STEPS = 10
# A gradient computed in float16 (mixed_float16), against the largest of its array: a few float16 ulps of it (eps
# 1e-3); GRADIENT_UNDER_MIXED_FLOAT16 was measured on gradients up to 0.4, drawn ones reach 2 and beyond.
GRADIENTS_IN_FLOAT16 = Tolerance(rtol=1e-2, atol=5e-3, reason="mixed_float16: both passes in float16, a few ulps")
ROUNDINGS_PER_STEP = 4  # a gate's products and sums
ROUNDING = {"float64": 2.0**-53, "float32": 2.0**-24, "float16": 2.0**-11, "bfloat16": 2.0**-8}
LARGEST = {"float64": 1.7976931348623157e308, "float32": 3.4028235e38, "float16": 65504.0, "bfloat16": 3.3895314e38}
COMPUTE_DTYPE = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16", "float64": "float64"}


def grown(tolerance: Tolerance, steps: int) -> Tolerance:
    factor = max(1.0, steps / MEASURED_OVER_STEPS)
    return Tolerance(tolerance.rtol * factor, tolerance.atol * factor, f"{tolerance.reason}; over {steps} steps")


def against_largest(tolerance: Tolerance, largest: float) -> Tolerance:
    """`tolerance` for an array whose largest magnitude is `largest`: its atol held against max(1, largest)."""
    if largest <= 1:
        return tolerance
    return Tolerance(tolerance.rtol, tolerance.atol * largest, f"{tolerance.reason}, values up to {largest:.3g}")


class Drawn:
    """The tolerances of chapter 15's drawn configurations, by the dtype a subject computes in and its steps."""

    @staticmethod
    def compute_dtype(subject) -> str:
        """The dtype the subject's returned values are computed in: its policy's; `Bidirectional` merges its
        directions in its own float32 (given no dtype of its own), so a float64 layer in it is held as float32."""
        dtype = COMPUTE_DTYPE.get(dict(getattr(subject, "options", ())).get("dtype"), "float32")
        return "float32" if dtype == "float64" and hasattr(subject, "merge_mode") else dtype

    @staticmethod
    def roundings(subject) -> int:
        """How many roundings the computation makes along its longest path: four a step (a gate's products and
        sums), over the previous call's steps too (a stateful layer) and every training step."""
        calls = 2 if getattr(subject.probe, "after_a_previous_call", False) else 1
        probe = subject.probe
        training = {"train_on_batch": 1, "fit": 3}.get(getattr(probe, "loop", None), 1)
        training *= len(probe.batches(subject.shape.batch)) if hasattr(probe, "batches") else 1
        return ROUNDINGS_PER_STEP * subject.shape.timesteps * calls * training

    def values(self, subject) -> Tolerance:
        return grown(VERSUS_REFERENCE[self.compute_dtype(subject)], subject.shape.timesteps)

    def gradients(self, subject) -> Tolerance:
        dtype = self.compute_dtype(subject)
        base = {"float64": VERSUS_REFERENCE["float64"], "float16": GRADIENTS_IN_FLOAT16,
                "bfloat16": VERSUS_REFERENCE["bfloat16"]}.get(dtype, GRADIENT_VERSUS_REFERENCE)
        return grown(base, subject.shape.timesteps)

    def trained(self, subject) -> Tolerance:
        """The weights after SGD move by the learning rate times a gradient held to GRADIENT_VERSUS_REFERENCE, and
        round at each step: the gradients' bound holds them (TRAINED_VERSUS_REFERENCE was measured on weights up
        to about 1; drawn layers reach 7)."""
        return grown(GRADIENT_VERSUS_REFERENCE, subject.shape.timesteps)


drawn = Drawn()
