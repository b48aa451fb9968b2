"""Known divergences of an installation from what Keras documents, or from what its other backends do: one table.

Each row names the statements it applies to, the installations and cases where they diverge, what Keras does
instead, where that was seen, the upstream issue, and a minimal reproducer with nothing but Keras and NumPy for a
report upstream (rnnspec/divergences/reproducers, `python -m rnnspec.divergences.repro`). The plugin marks every matching case as a strict xfail, so
that the divergence is reported rather than hidden, and the day Keras changes, the xfail passes, the strict marker
fails it, and the suite tells. The chapters carry no marks of their own.

The table of docs/divergences.md is generated from this one: `rnnspec divergences` prints it,
`rnnspec divergences --update docs/divergences.md` writes it between the page's markers.
"""

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from rnnspec.divergences.conditions import (
    EVERY_KERAS,
    KERAS_3,
    ON_JAX,
    ON_TENSORFLOW,
    ON_TORCH,
    TF_KERAS,
    Case,
    Condition,
    case_has,
    keras_after,
    on_case,
)
from rnnspec.installation import Installation
from rnnspec.probes.kernels import CUDNN
from rnnspec.statements.benchmarks import TARGETS
from rnnspec.subjects.cells import StackSubject
from rnnspec.subjects.layers import BidirectionalSubject


def is_cudnn_benchmark(installation: Installation, case: Case) -> bool:
    target = TARGETS.get(case.get("target_name"))
    return target is not None and target.kernel == CUDNN


def is_benchmark_off_the_default_device(installation: Installation, case: Case) -> bool:
    target = TARGETS.get(case.get("target_name"))
    return target is not None and target.device != installation.default_device


CUDNN_BENCHMARK = on_case("a cuDNN benchmark", is_cudnn_benchmark)
BENCHMARK_OFF_THE_DEFAULT_DEVICE = on_case(
    "a benchmark on another device than the default one (the CPU on a GPU machine)", is_benchmark_off_the_default_device
)


@dataclass(frozen=True)
class Divergence:
    """A row of the table: statements that do not hold where `condition` holds, and what Keras does instead."""

    statements: tuple[str, ...]  # test functions, by chapter module: "test_masking.py::test_..."
    condition: Condition
    reason: str  # what Keras does instead of what the statements say, in a sentence (docs/divergences.md's column)
    seen_on: str  # the installations it was seen on
    # The minimal reproducer, rnnspec/divergences/reproducers/<name>.py: Keras and NumPy alone, for an upstream report
    # (`python -m rnnspec.divergences.repro`). Rows that derive from another divergence may name its reproducer.
    reproducer: str
    details: str = ""  # how it shows: the errors or values seen
    upstream: tuple[str, ...] = ()  # issue URLs; none where the Keras and tf-keras trackers had no report
    raises: type[BaseException] | None = None  # the only exception the statement may fail with
    reproducer_needs_gpu: bool = False  # it shows only where the backend sees a GPU (the script says so elsewhere)

    def applies_to(self, installation: Installation) -> bool:
        """Whether the row applies to some case of this installation (`Condition.could_hold`)."""
        return self.condition.could_hold(installation)

    @property
    def xfail_reason(self) -> str:
        details = f": {self.details}" if self.details else ""
        upstream = ", ".join(self.upstream) or "none found"
        return f"{self.reason}{details} (seen on {self.seen_on}; upstream: {upstream})"

    def xfail_marker(self) -> pytest.MarkDecorator:
        return pytest.mark.xfail(strict=True, reason=self.xfail_reason, raises=self.raises)


STACKED_CELLS = on_case(
    "`RNN` over stacked cells", lambda installation, case: isinstance(case.get("subject"), StackSubject)
)
READS_BACKWARDS = on_case(
    "a layer reading backwards (`go_backwards=True`, or `Bidirectional`)",
    lambda installation, case: case.get("go_backwards") is True or isinstance(case.get("subject"), BidirectionalSubject),
)
# The one reproducer of chapter 14's rows where a format cannot export or run a recurrent layer, and where it was seen.
EXPORT_REPRODUCER = "exported_recurrent_layer_not_run_as_in_keras"
EXPORT_SEEN_ON = (
    "Keras 3.15.1 with TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13; "
    "onnxruntime 1.32, ai-edge-litert 2.3, OpenVINO 2026.4"
)

# Chapter 14's statements, which a format that cannot carry a recurrent layer fails together.
EXPORT_STATEMENTS = (
    "test_export.py::test_an_exported_model_returns_as_many_outputs_of_the_same_shapes",
    "test_export.py::test_an_exported_model_returns_keras_values_in_keras_order",
)

# Chapter 15's drawn cases, whose rows are conditions on what was drawn.
EXPLORED_VALUES = "test_exploration.py::test_a_drawn_configuration_returns_the_reference_output_and_states"
EXPLORED_GRADIENTS = "test_exploration.py::test_a_drawn_configuration_has_the_reference_gradients"
EXPLORED_CALL_PATHS = "test_exploration.py::test_a_drawn_layer_returns_the_reference_along_every_call_path"
EXPLORED_TRAINING = "test_exploration.py::test_drawn_training_steps_move_the_weights_as_sgd_on_the_reference"


def mask_of(case: Case):
    probe = getattr(case.get("subject"), "probe", None)
    return None if probe is None else probe.mask_array


def reads_backwards(installation: Installation, case: Case) -> bool:
    return READS_BACKWARDS.holds(installation, case)


def masks_an_unrolled_layer_reading_backwards(installation: Installation, case: Case) -> bool:
    mask = mask_of(case)
    return mask is not None and case.get("unroll") is True and reads_backwards(installation, case)


def masked_first_step_after_a_state(installation: Installation, case: Case) -> bool:
    """A sample whose first step read is masked (either end, for a layer reading backwards or `Bidirectional`),
    starting from states that are not zeros: given as initial_state, or left by a previous call."""
    mask, probe = mask_of(case), getattr(case.get("subject"), "probe", None)
    starts = getattr(probe, "initial_state", False) or getattr(probe, "after_a_previous_call", False)
    if mask is None or not starts:
        return False
    return bool(np.any(~mask[:, 0]) or (reads_backwards(installation, case) and np.any(~mask[:, -1])))


def zero_output_for_mask(installation: Installation, case: Case) -> bool:
    """zero_output_for_mask given, or set by `Bidirectional` around a layer with return_sequences."""
    return case.get("zero_output_for_mask") is True or (
        isinstance(case.get("subject"), BidirectionalSubject) and case.get("return_sequences") is True
    )


def masks_an_unrolled_layer_with_zero_output(installation: Installation, case: Case) -> bool:
    return mask_of(case) is not None and case.get("unroll") is True and zero_output_for_mask(installation, case)


UNROLLED_ZERO_OUTPUT = on_case(
    "an unrolled layer with zero_output_for_mask (given, or set by `Bidirectional` with return_sequences), under a "
    "mask", masks_an_unrolled_layer_with_zero_output,
)


def zeros_masked_outputs_backwards_unrolled(installation: Installation, case: Case) -> bool:
    """Unrolled, reading backwards with zero_output_for_mask (Bidirectional sets it with return_sequences), under
    a mask that is not the same read either way."""
    mask = mask_of(case)
    return masks_an_unrolled_layer_reading_backwards(installation, case) and zero_output_for_mask(
        installation, case) and bool(np.any(mask != mask[:, ::-1]))


UNROLLED_BACKWARDS_ZERO_OUTPUT = on_case(
    "an unrolled layer reading backwards with zero_output_for_mask, under a mask that reads otherwise reversed",
    zeros_masked_outputs_backwards_unrolled,
)
MASKED_UNROLLED_BACKWARDS = on_case(
    "an unrolled layer reading backwards, under a mask", masks_an_unrolled_layer_reading_backwards
)
MASKED = on_case("a mask", lambda installation, case: mask_of(case) is not None)
MASKED_WITH_INITIAL_STATE = on_case(
    "a mask and initial states given",
    lambda installation, case: mask_of(case) is not None and getattr(case.get("subject").probe, "initial_state", False),
)
MASKED_FIRST_STEP_AFTER_A_STATE = on_case(
    "a sample whose first step read is masked, from states given or carried", masked_first_step_after_a_state
)
UNBOUNDED_ACTIVATIONS = ("relu", "linear", None)


def masked_float16_state_may_overflow(installation: Installation, case: Case) -> bool:
    """A GRU or LSTM computing in float16, under a mask, whose state an unbounded activation or recurrent activation
    lets grow beyond what float16 holds once multiplied by its weights."""
    arguments = dict(getattr(case.get("subject"), "options", ()))
    unbounded = any(name in arguments and arguments[name] in UNBOUNDED_ACTIVATIONS
                    for name in ("activation", "recurrent_activation"))
    return (case.get("cell") in ("GRU", "LSTM") and arguments.get("dtype") == "mixed_float16"
            and mask_of(case) is not None and unbounded)


MASKED_FLOAT16_STATE_MAY_OVERFLOW = on_case(
    "a GRU or LSTM under mixed_float16 and a mask, with an unbounded activation or recurrent activation",
    masked_float16_state_may_overflow,
)
# JAX's fused GRU loop (`keras.src.backend.jax.rnn.gru`), which a GRU runs unless reset_after=False, unrolled or masked
JAX_FUSED_GRU_UNDER_MIXED_PRECISION = (
    case_has(cell="GRU") & ~case_has(reset_after=False) & ~case_has(unroll=True) & ~MASKED
    & (case_has(dtype="mixed_float16") | case_has(dtype="mixed_bfloat16"))
)

DIVERGENCES = (
    Divergence(
        ("test_masking.py::test_zero_output_for_mask_has_no_effect_without_return_sequences",),
        EVERY_KERAS,
        "`zero_output_for_mask` also zeros the last output without `return_sequences` (documented as \"only used "
        "when return_sequences is True\")",
        seen_on="Keras 3.0.5 to 3.15.1 on every backend, tf_keras 2.21",
        reproducer="zero_output_for_mask_without_return_sequences",
        details="reading forwards and backwards",
        upstream=(
            "https://github.com/keras-team/keras/issues/17596",
            "https://github.com/keras-team/tf-keras/issues/252",
        ),
    ),
    Divergence(
        ("test_configuration.py::test_a_built_layer_refuses_inputs_of_another_feature_size",),
        KERAS_3,
        "A built layer does not check the feature size of its input; the backend's matrix product fails instead",
        seen_on="Keras 3.0.5 to 3.15.1 on every backend (tf_keras 2.21 refuses them)",
        reproducer="feature_size_not_checked",
        details="Keras 3 recurrent layers declare InputSpec(ndim=3) alone, so nothing checks the feature size before "
        "the cell's matrix product fails with the backend's own error (TensorFlow: InvalidArgumentError 'Matrix "
        "size-incompatible'); Keras 2 declared the built feature size and raised a ValueError naming both shapes",
    ),
    Divergence(
        ("test_configuration.py::test_a_mask_of_another_shape_is_refused",),
        EVERY_KERAS,
        "A mask of the wrong shape is not refused by Keras; the backend's loop fails with its own error",
        seen_on="Keras 3.0.5 to 3.15.1 on every backend, tf_keras 2.21",
        reproducer="mask_shape_not_checked",
        details="TensorFlow: OutOfRangeError 'Tried to read from index 5' for a mask of fewer steps, "
        "InvalidArgumentError '... must be broadcastable' for another batch size, naming neither the mask nor the "
        "shape expected",
    ),
    Divergence(
        (
            "test_configuration.py::test_an_initial_state_of_another_shape_is_refused",
            "test_configuration.py::test_an_initial_state_of_another_number_of_tensors_is_refused",
        ),
        KERAS_3,
        "`initial_state` of the wrong number or shape of tensors is not refused (a GRU silently ignores an extra "
        "state)",
        seen_on="Keras 3.0.5 to 3.15.1 on every backend",
        reproducer="initial_state_not_checked",
        details="a GRU given a state too many runs and ignores it, an LSTM given too many or too few and a SimpleRNN "
        "given too many fail in Keras's structure handling (ValueError 'Too few leaves for PyTreeSpec', IndexError "
        "'list index out of range'), and a state of another shape fails in the cell's first step with the backend's "
        "error (TensorFlow: InvalidArgumentError), none naming initial_state",
    ),
    Divergence(
        ("test_configuration.py::test_an_initial_state_of_another_shape_is_refused",),
        TF_KERAS & case_has(wrong="batch"),
        "An `initial_state` of another batch size is not refused: tf_keras checks the units only",
        seen_on="tf_keras 2.21",
        reproducer="tf_keras_initial_state_batch_not_checked",
    ),
    Divergence(
        ("test_wrappers.py::test_stacked_cells_nest_each_cells_states_as_its_state_size",),
        KERAS_3 & case_has(call_path="layer"),
        "`RNN` over stacked cells called eagerly nests a one-state cell's state as `[h]`, where the symbolic call "
        "gives `h`",
        seen_on="Keras 3.0.5 to 3.15.1 on every backend",
        reproducer="stacked_cells_nest_a_state_eagerly",
        details="called eagerly, RNN over stacked cells returns the state of a one-state cell (GRUCell, "
        "SimpleRNNCell) as a list of one, [h], where a functional model and compute_output_shape give h itself",
    ),
    Divergence(
        ("test_wrappers.py::test_a_cell_that_is_not_a_keras_layer_runs_in_rnn",),
        KERAS_3,
        "A cell that is not a `Layer` (a plain class with `call` and `state_size`, as the RNN page describes) fails",
        seen_on="Keras 3.0.5 to 3.15.1 on every backend",
        reproducer="cell_that_is_not_a_layer",
        details="Keras 3 reads the cell's compute_dtype, which only a Keras Layer has, so such a cell fails with "
        "AttributeError",
        raises=AttributeError,
    ),
    Divergence(
        ("test_wrappers.py::test_time_distributed_takes_the_documented_mask_of_samples_and_timesteps",),
        EVERY_KERAS,
        "`TimeDistributed` around a recurrent layer fails on the mask it documents, (samples, timesteps): it passes "
        "each slice's column of the mask, (samples,), to the layer as that slice's mask of steps",
        seen_on="Keras 3.0.0 to 3.15.1 on every backend, tf_keras 2.21",
        reproducer="time_distributed_mask_of_slices_fails",
        details="Keras 3.15 and tf_keras: IndexError 'list assignment index out of range' in the backend's "
        "swap_batch_timestep; Keras 3.0: a ValueError from TensorFlow's loop. A mask of each slice's steps, "
        "(samples, timesteps, inner steps), as a `Masking` layer gives it, works",
    ),
    Divergence(
        ("test_wrappers.py::test_time_distributed_passes_a_mask_of_its_slices_to_the_layer_above",),
        KERAS_3 & (ON_TENSORFLOW | ON_TORCH),
        "`Masking` → `TimeDistributed(LSTM)` → `GRU` fails: the wrapper passes on the mask of its input's steps, "
        "(samples, sentences, words), for an output of one vector per sentence, which the GRU cannot apply",
        seen_on="Keras 3.0.0 and 3.15.1 with TensorFlow, Keras 3.15.1 with PyTorch 2.13",
        reproducer="time_distributed_passes_on_the_mask_of_steps",
        details="TensorFlow: InvalidArgumentError 'condition [3,5], then [3,3] ... must be broadcastable'; PyTorch: "
        "RuntimeError 'The size of tensor a (5) must match the size of tensor b (3)'. tf_keras reduces the mask to "
        "(samples, sentences), a sentence valid where a word is; JAX's loop reduces each step's mask itself",
    ),
    Divergence(
        ("test_masking.py::test_a_fully_masked_sample_keeps_its_initial_state_and_outputs_zeros",),
        ON_JAX,
        "Masked steps before a sample's first valid step output the initial h, where TensorFlow and PyTorch output "
        "zeros",
        seen_on="Keras 3.15.1 with JAX 0.10.2",
        reproducer="jax_masked_steps_output_the_initial_state",
        details="visible when initial_state is given",
    ),
    Divergence(
        ("test_convlstm.py::test_a_masked_sample_ends_on_the_states_of_its_unmasked_steps",),
        ON_JAX,
        "A ConvLSTM called with a `mask` fails: each step's mask is broadcast against the states as if they were "
        "(batch, units)",
        seen_on="Keras 3.15.1 with JAX 0.10.2",
        reproducer="jax_conv_lstm_mask_fails",
        details="ValueError: Incompatible shapes for broadcasting: shapes=[(2, 1), (2, 7, 5, 3), (2, 7, 5, 3)]; "
        "TensorFlow and PyTorch hold the masked steps' states",
        raises=ValueError,
    ),
    Divergence(
        (
            "test_training.py::test_the_gradient_with_respect_to_the_initial_states_equals_the_reference",
            "test_training.py::test_the_gradients_of_stacked_cells_equal_the_reference",
        ),
        ON_JAX & (case_has(return_sequences=True, mask="mid_sequence") | case_has(mask="batch")),
        "The initial h also receives the gradient of the outputs of masked steps before a sample's first valid "
        "step, which output it (the divergence above)",
        seen_on="Keras 3.15.1 with JAX 0.10.2",
        details="read backwards under the mid-sequence mask, a sample whose first step read is padding; in a stack "
        "of cells, the upper cell's initial h, under a mask that pads a sample on the left",
        reproducer="jax_masked_steps_output_the_initial_state",  # the cause: the forward divergence above
    ),
    Divergence(
        ("test_stateful.py::test_a_compiled_predict_carries_the_states_between_calls",),
        ON_JAX,
        "`model.predict` does not keep a stateful layer's states between calls",
        seen_on="Keras 3.15.1 with JAX 0.10.2",
        reproducer="jax_predict_forgets_stateful_states",
        details="each predict call starts from the states before it",
    ),
    Divergence(
        ("test_devices_and_kernels.py::test_use_cudnn_true_is_refused_where_cudnn_cannot_run",),
        case_has(device="cpu") & (ON_TORCH | (ON_JAX & case_has(cell="GRU"))),
        "`use_cudnn=True` runs a non-cuDNN kernel instead of raising where cuDNN cannot run",
        seen_on="Keras 3.15.1 with PyTorch 2.13 (LSTM, GRU) and JAX 0.10.2 (GRU)",
        reproducer="use_cudnn_true_without_cudnn",
        details="the backend's fast path also covers the CPU without cuDNN",
    ),
    Divergence(
        (
            "test_reference_values.py::test_output_equals_the_reference",
            "test_reference_values.py::test_final_states_equal_the_reference",
        ),
        ON_TORCH & case_has(cell="SimpleRNN", dtype="float64"),
        "A float64 `SimpleRNN` loses precision to float32",
        seen_on="Keras 3.15.1 with PyTorch 2.13",
        reproducer="torch_float64_simple_rnn_in_float32",
        details="differences of 1e-7 from the float64 reference, float32's rounding",
    ),
    Divergence(
        ("test_training.py::test_a_stateful_layer_s_gradient_stops_at_the_states_the_previous_call_left",),
        ON_TORCH & ~keras_after("3.15.1") & case_has(stateful=True) & (case_has(cell="LSTM") | case_has(cell="GRU")),
        "A stateful LSTM or GRU cannot be differentiated, so cannot be trained: the backward pass fails because the "
        "layer assigns its new states in place over a tensor the gradient needs",
        seen_on="Keras 3.15.1 with PyTorch 2.13 (CPU); fixed on keras-nightly 3.16.0.dev2026102704",
        reproducer="torch_stateful_training_fails",
        details="SimpleRNN trains; RuntimeError 'one of the variables needed for gradient computation has been modified by an inplace "
        "operation', on every train_on_batch step too; keras-team/keras#20875 was closed as fixed (#20916) and "
        "#23462 fixed the cuDNN GRU",
        upstream=(
            "https://github.com/keras-team/keras/issues/20875",
            "https://github.com/keras-team/keras/issues/23462",
        ),
        raises=RuntimeError,
    ),
    Divergence(
        (
            "test_training.py::test_dropout_drops_the_same_input_features_at_every_step",
            "test_training.py::test_dropout_scales_the_kept_inputs_by_one_over_one_minus_the_rate",
        ),
        TF_KERAS & (case_has(cell="LSTM") | case_has(cell="GRU")),
        "LSTM and GRU draw their input dropout mask over the whole (batch, timesteps, features) input, a new mask "
        "at every step, where their cells draw one per sequence",
        seen_on="tf_keras 2.21 with TensorFlow 2.21",
        reproducer="tf_keras_input_dropout_redrawn_per_step",
        details="the layers' fast path multiplies the inputs by get_dropout_mask_for_cell(inputs), drawn as "
        "ones_like of the 3-D input; SimpleRNN, and LSTM or GRU with recurrent dropout, keep one mask per sequence",
    ),
    Divergence(
        ("test_training.py::test_the_gradients_of_stacked_cells_equal_the_reference",),
        TF_KERAS & case_has(mask="batch"),
        "An RNN over stacked cells called with a mask and an initial state per cell fails",
        seen_on="tf_keras 2.21 with TensorFlow 2.21",
        reproducer="tf_keras_masked_stack_with_initial_state",
        details="ValueError 'The two structures don't have the same nested structure'; without the mask it runs",
        raises=ValueError,
    ),
    Divergence(
        ("test_configuration.py::test_a_stateful_layer_carries_its_states_under_a_mixed_policy",),
        ON_TORCH & ~keras_after("3.15.1"),
        "A stateful layer under a mixed precision policy does not continue its sequence on its second call",
        seen_on="Keras 3.15.1 with PyTorch 2.13; fixed on keras-nightly 3.16.0.dev2026102704",
        reproducer="torch_stateful_mixed_precision",
        details="the second call returns wrong values; the LSTM under mixed_bfloat16 by 0.05, just beyond bfloat16's "
        "tolerance of 0.04",
    ),
    Divergence(
        ("test_wrappers.py::test_a_masked_step_of_a_custom_cell_repeats_its_previous_output",),
        ON_JAX,
        "Masking an `RNN` over a custom cell whose output is wider than its state fails",
        seen_on="Keras 3.15.1 with JAX 0.10.2",
        reproducer="jax_masked_custom_cell_of_wide_output",
        details="in the backend's loop ('Incompatible shapes for broadcasting')",
    ),
    Divergence(
        ("test_devices_and_kernels.py::test_a_recurrent_layer_builds_and_runs_inside_keras_device",),
        ON_TORCH,
        "A recurrent layer cannot be built inside `keras.device`",
        seen_on="Keras 3.15.1 with PyTorch 2.13",
        reproducer="torch_layer_built_inside_keras_device",
        details="the cell's integer seed-generator variable is wrapped as a torch Parameter ('Only Tensors of "
        "floating point and complex dtype can require gradients')",
    ),
    Divergence(
        ("test_benchmarks.py::test_the_benchmarked_step_runs_on_the_labelled_kernel",),
        ON_TORCH & BENCHMARK_OFF_THE_DEFAULT_DEVICE,
        "A benchmark cannot place its layer on another device than the default one: it would be built inside "
        "`keras.device`, which fails (above)",
        seen_on="Keras 3.15.1 with PyTorch 2.13",
        reproducer="torch_layer_built_inside_keras_device",
    ),
    Divergence(
        ("test_benchmarks.py::test_the_benchmarked_step_runs_on_the_labelled_kernel",),
        ON_JAX & case_has(cell="GRU") & CUDNN_BENCHMARK,
        "There is no cuDNN GRU: the GRU runs as a scan where cuDNN would run",
        seen_on="the source of Keras 3.15.1's JAX backend (jax.experimental.rnn offers a cuDNN LSTM only)",
        reproducer="jax_gru_without_cudnn",
        reproducer_needs_gpu=True,
        upstream=("https://github.com/jax-ml/jax/issues/18867",),
    ),
    Divergence(
        EXPORT_STATEMENTS,
        KERAS_3 & ~ON_TORCH & STACKED_CELLS
        & (case_has(call_path="tf_saved_model") | (ON_TENSORFLOW & case_has(call_path="litert"))),
        "A model whose outputs are nested (`RNN` over stacked cells with `return_state`, each cell's states a list) "
        "cannot be exported to a SavedModel (nor, through one, to LiteRT on TensorFlow)",
        seen_on="Keras 3.15.1 with TensorFlow 2.21 and JAX 0.10.2",
        reproducer="nested_outputs_not_exported",
        details="ValueError \"Got a non-Tensor value [...] for key 'output_1' [...] Outputs for functions used as "
        "signatures must be a single Tensor, a sequence of Tensors, or a dictionary from string to Tensor\"",
        raises=ValueError,
    ),
    Divergence(
        EXPORT_STATEMENTS,
        KERAS_3 & ~ON_TORCH & case_has(call_path="openvino"),
        "OpenVINO cannot convert the exported model of a recurrent layer",
        seen_on=EXPORT_SEEN_ON,
        reproducer=EXPORT_REPRODUCER,
        details="OpConversionFailure: no conversion rule for TensorList (TensorFlow's loop) or XlaCallModule (JAX's)",
    ),
    Divergence(
        EXPORT_STATEMENTS,
        KERAS_3 & ON_TENSORFLOW & case_has(call_path="litert"),
        "The LiteRT export of a recurrent layer needs Select TensorFlow ops, which the LiteRT interpreter does not run",
        seen_on=EXPORT_SEEN_ON,
        reproducer=EXPORT_REPRODUCER,
        details="RuntimeError 'Select TensorFlow op(s) ... not supported by this interpreter' (FlexTensorListReserve) "
        "as the artifact's tensors are allocated",
        raises=RuntimeError,
    ),
    Divergence(
        EXPORT_STATEMENTS,
        ON_JAX & case_has(call_path="litert"),
        "Keras refuses to export to LiteRT on JAX",
        seen_on=EXPORT_SEEN_ON,
        reproducer=EXPORT_REPRODUCER,
        details="ValueError 'LiteRT export requires TensorFlow or PyTorch backend.'",
        raises=ValueError,
    ),
    Divergence(
        EXPORT_STATEMENTS,
        ON_JAX & case_has(call_path="onnx") & READS_BACKWARDS & ~case_has(cell="GRU"),
        "An LSTM or SimpleRNN reading backwards cannot be exported to ONNX on JAX: jax2onnx does not convert a reverse "
        "scan",
        seen_on=EXPORT_SEEN_ON,
        reproducer=EXPORT_REPRODUCER,
        details="NotImplementedError 'Reverse scan is not supported in IR pipeline.' (jax2onnx 0.17)",
        raises=NotImplementedError,
    ),
    Divergence(
        EXPORT_STATEMENTS,
        ON_TORCH & case_has(call_path="tf_saved_model"),
        "Keras cannot export a model to a SavedModel on PyTorch: `torch.export` refuses the dynamic shapes Keras gives "
        "it",
        seen_on=EXPORT_SEEN_ON,
        reproducer=EXPORT_REPRODUCER,
        details="torch._dynamo.exc.UserError 'Detected mismatch between the structure of `inputs` and "
        "`dynamic_shapes`: `inputs[0]` is a <class 'tuple'>, but `dynamic_shapes[0]` is a <class 'dict'>'",
    ),
    Divergence(
        EXPORT_STATEMENTS,
        ON_TORCH & case_has(cell="SimpleRNN") & READS_BACKWARDS
        & (case_has(call_path="onnx") | case_has(call_path="openvino")),
        "A SimpleRNN reading backwards, exported on PyTorch, is refused by ONNX Runtime and by OpenVINO: its graph "
        "takes a maximum along an axis of a scalar",
        seen_on=EXPORT_SEEN_ON,
        reproducer=EXPORT_REPRODUCER,
        details="ONNX Runtime: '[ShapeInferenceError] axis must be in [-rank, rank-1]. Input rank was 0' (ReduceMax) "
        "as it loads the model; OpenVINO: OpConversionFailure 'Conversion is failed for: aten::max'",
    ),
    Divergence(
        EXPORT_STATEMENTS,
        ON_TORCH & case_has(call_path="litert"),
        "The LiteRT artifact of a recurrent layer exported on PyTorch fails in the interpreter's CPU delegate",
        seen_on=EXPORT_SEEN_ON,
        reproducer=EXPORT_REPRODUCER,
        details="RuntimeError 'XNNPack delegate failed to reshape runtimeNode number ... failed to prepare' as it runs",
        raises=RuntimeError,
    ),
    Divergence(
        ("test_arguments.py::test_unit_forget_bias_forces_a_zero_bias_initializer",),
        KERAS_3,
        "`unit_forget_bias=True` keeps `bias_initializer` for the other gates, where the LSTM page says it forces "
        "`bias_initializer=\"zeros\"`",
        seen_on="Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13",
        reproducer="unit_forget_bias_keeps_the_bias_initializer",
        details="the forget gate's bias is ones and the input, cell and output gates' take bias_initializer's values",
    ),
    Divergence(
        ("test_arguments.py::test_an_argument_survives_get_config_and_from_config",),
        KERAS_3 & case_has(argument="use_cudnn"),
        "`use_cudnn` is missing from `get_config`, so a layer rebuilt from its config (or loaded from a .keras file) "
        "is back to `use_cudnn=\"auto\"`",
        seen_on="Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13",
        reproducer="use_cudnn_not_in_config",
    ),
    Divergence(
        ("test_arguments.py::test_an_argument_survives_get_config_and_from_config",),
        KERAS_3 & case_has(class_name="SimpleRNN", argument="seed"),
        "`SimpleRNN`'s `get_config` has no `seed`, so a layer rebuilt from its config (or loaded from a .keras file) "
        "draws other dropout masks",
        seen_on="Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13",
        reproducer="simple_rnn_seed_not_in_config",
        details="SimpleRNNCell's config has it; LSTM's and GRU's have it",
    ),
    Divergence(
        (
            "test_arguments.py::test_the_activity_regularizer_adds_the_penalty_of_the_output_to_the_losses",
            "test_arguments.py::test_an_argument_survives_get_config_and_from_config",
        ),
        KERAS_3 & (case_has(cell="SimpleRNN") | case_has(class_name="SimpleRNN", argument="activity_regularizer")),
        "`SimpleRNN` drops its `activity_regularizer`: no penalty is added, and its config holds None",
        seen_on="Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13",
        reproducer="simple_rnn_drops_activity_regularizer",
        details="SimpleRNN.__init__ does not pass activity_regularizer on to the base layer, as LSTM and GRU do",
    ),
    Divergence(
        ("test_arguments.py::test_reset_state_with_states_sets_the_states",),
        KERAS_3,
        "`reset_state(states=...)`, which the RNN page documents for setting the states numerically, takes no "
        "argument",
        seen_on="Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13",
        reproducer="reset_state_takes_no_states",
        details="TypeError: RNN.reset_state() got an unexpected keyword argument 'states'",
        upstream=("https://github.com/keras-team/keras/issues/20327",),
        raises=TypeError,
    ),
    Divergence(
        ("test_arguments.py::test_reset_state_of_a_whole_model_resets_its_stateful_layers",),
        KERAS_3,
        "A model has no `reset_state()`, which the RNN page documents for resetting the states of a whole model",
        seen_on="Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13",
        reproducer="model_has_no_reset_state",
        details="AttributeError: 'Functional' object has no attribute 'reset_state'",
        upstream=("https://github.com/keras-team/keras/issues/20327",),
        raises=AttributeError,
    ),
    Divergence(
        ("test_arguments.py::test_bidirectional_weights_are_its_initial_weights",),
        KERAS_3,
        "`Bidirectional(..., weights=[...])` is accepted and ignored: the layer starts from freshly initialized weights",
        seen_on="Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13",
        reproducer="bidirectional_ignores_weights",
        details="the weights are kept as each direction's `initial_weights`, which nothing reads",
    ),
    Divergence(
        ("test_arguments.py::test_a_stateful_bidirectional_layer_returns_its_states",),
        KERAS_3 & ~keras_after("3.15.1"),
        "`Bidirectional` around a stateful layer with `return_state=True` cannot be called: its `compute_mask` fails",
        seen_on="Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13; fixed on keras-nightly 3.16.0.dev2026102704",
        reproducer="stateful_bidirectional_with_return_state",
        details="TypeError: unsupported operand type(s) for *: 'generator' and 'int' (the states' masks are a "
        "generator, repeated as if a tuple)",
        raises=TypeError,
    ),
    Divergence(
        ("test_arguments.py::test_rnn_passes_constants_to_its_cell_at_every_step",),
        KERAS_3,
        "`RNN` takes no `constants`, which the RNN page says a cell's call can take",
        seen_on="Keras 3.15.1 on TensorFlow 2.21, JAX 0.10.2 and PyTorch 2.13",
        reproducer="rnn_takes_no_constants",
        details="TypeError: got an unexpected keyword argument 'constants'; the page refers to a section \"Note on "
        "passing external constants\" that it does not have",
        raises=TypeError,
    ),
    Divergence(
        (
            "test_arguments.py::test_a_layer_stacked_on_a_sequence_is_masked_too",
            # The GRU above `TimeDistributed(LSTM)` loses the mask of its sentences alike (on TensorFlow an earlier row
            # of the wrapper's own states it first).
            "test_wrappers.py::test_time_distributed_passes_a_mask_of_its_slices_to_the_layer_above",
        ),
        keras_after("3.15.1"),
        "In `Masking` → a recurrent layer returning sequences → a recurrent layer, the upper layer no longer receives "
        "the mask: a padded sample's output differs from its unpadded one's",
        seen_on="keras-nightly 3.16.0.dev2026102704 on TensorFlow, JAX and PyTorch, not Keras 3.15.1: a regression of the "
        "next release",
        reproducer="stacked_layer_loses_the_mask",
        details="Keras warns that the layer \"does not support masking and will therefore destroy the mask information\"; "
        "the outputs differ by 0.04 (LSTM), 0.2 (GRU) and 0.6 (SimpleRNN)",
    ),
    Divergence(
        (EXPLORED_VALUES, EXPLORED_GRADIENTS),
        KERAS_3 & ON_TENSORFLOW & UNROLLED_BACKWARDS_ZERO_OUTPUT,
        "An unrolled layer reading backwards with `zero_output_for_mask` zeros the outputs of valid steps and keeps "
        "those of masked ones: the unrolled loop reads the mask in input order while it steps in reverse",
        seen_on="Keras 3.0.0 to 3.15.1 and keras-nightly 3.16.0.dev2026102704 with TensorFlow 2.16 to 2.21",
        reproducer="tensorflow_unrolled_backwards_zeros_valid_outputs",
        details="found by chapter 15 (exploration); `Bidirectional` with return_sequences sets zero_output_for_mask, "
        "so its unrolled backward direction shows it; the rolled loop, JAX and PyTorch are right",
    ),
    Divergence(
        (EXPLORED_VALUES, EXPLORED_GRADIENTS, EXPLORED_CALL_PATHS),
        ON_TORCH & MASKED_UNROLLED_BACKWARDS,
        "An unrolled layer reading backwards fails when called with a mask",
        seen_on="Keras 3.5.0 to 3.15.1 and keras-nightly 3.16.0.dev2026102704 with PyTorch 2.13",
        reproducer="torch_unrolled_backwards_mask_fails",
        details="found by chapter 15 (exploration); AttributeError \"'tuple' object has no attribute 'shape'\" for "
        "LSTM, GRU and SimpleRNN, and `Bidirectional` around an unrolled layer; unrolled forwards, or rolled, it runs",
        raises=AttributeError,
    ),
    Divergence(
        (EXPLORED_VALUES, EXPLORED_GRADIENTS),
        ON_JAX & MASKED_FIRST_STEP_AFTER_A_STATE,
        "Masked steps before a sample's first valid step output the initial h, where TensorFlow and PyTorch output "
        "zeros, and the initial h receives their gradient",
        seen_on="Keras 3.15.1 with JAX 0.10.2",
        reproducer="jax_masked_steps_output_the_initial_state",
        details="the divergence of chapter 3's fully masked sample, met by drawn masks, initial states and stateful "
        "layers",
    ),
    Divergence(
        (EXPLORED_VALUES, EXPLORED_GRADIENTS),
        ON_JAX & UNROLLED_ZERO_OUTPUT,
        "An unrolled layer ignores `zero_output_for_mask`: a masked step outputs the previous step's output, not zeros",
        seen_on="Keras 3.5.0 to 3.15.1 and keras-nightly 3.16.0.dev2026102704 with JAX 0.4.31 to 0.10.2",
        reproducer="jax_unrolled_layer_ignores_zero_output_for_mask",
        details="found by chapter 15 (exploration); `Bidirectional` with return_sequences sets zero_output_for_mask, "
        "so an unrolled layer in it outputs, and passes gradient through, what it should zero",
    ),
    Divergence(
        (EXPLORED_VALUES, EXPLORED_GRADIENTS, EXPLORED_CALL_PATHS),
        ON_JAX & JAX_FUSED_GRU_UNDER_MIXED_PRECISION & case_has(use_bias=False),
        "A GRU without a bias (`use_bias=False`, reset_after=True) fails under a mixed dtype policy",
        seen_on="Keras 3.15.1 and keras-nightly 3.16.0.dev2026102704 with JAX 0.10.2 (Keras 3.10.0 and before run it)",
        reproducer="jax_gru_without_bias_under_mixed_precision_fails",
        details="found by chapter 15 (exploration); TypeError 'scan body function carry input and carry output must "
        "have equal types': the carried h is float16 (or bfloat16) in, float32 out; with a bias, or reset_after=False, "
        "it runs",
        raises=TypeError,
    ),
    Divergence(
        (EXPLORED_CALL_PATHS,),
        ON_JAX & JAX_FUSED_GRU_UNDER_MIXED_PRECISION & case_has(call_path="compiled_function"),
        "A GRU under a mixed dtype policy fails through `stateless_call` (as `jax.jit` of its call takes it), "
        "though it runs when called",
        seen_on="Keras 3.15.1 and keras-nightly 3.16.0.dev2026102704 with JAX 0.10.2 (Keras 3.10.0 and before run it)",
        reproducer="jax_gru_stateless_call_under_mixed_precision_fails",
        details="found by chapter 15 (exploration); the TypeError of the GRU without bias: the carried h is float16 "
        "(or bfloat16) in, float32 out; masked, unrolled or with reset_after=False, it runs",
        raises=TypeError,
    ),
    Divergence(
        (EXPLORED_GRADIENTS,),
        EVERY_KERAS & MASKED_FLOAT16_STATE_MAY_OVERFLOW,
        "Under mixed_float16, gradients through masked steps are NaN where a masked step's discarded update "
        "overflows float16 (0 x inf), though the step passes its state on unchanged",
        seen_on="Keras 3.0.0 to 3.15.1 and keras-nightly 3.16.0.dev2026102704 on every backend, tf_keras 2.21",
        reproducer="masked_float16_step_gives_nan_gradients",
        details="found by chapter 15 (exploration): a stateful GRU with a linear recurrent activation, its state "
        "grown large by a first call, then called on a sample masked throughout; its input gradients were NaN where "
        "the reference's are zeros",
    ),
    Divergence(
        (EXPLORED_VALUES, EXPLORED_GRADIENTS),
        TF_KERAS & UNROLLED_BACKWARDS_ZERO_OUTPUT,
        "An unrolled layer reading backwards with `zero_output_for_mask` zeros the outputs of valid steps and keeps "
        "those of masked ones, as Keras 3 on TensorFlow does",
        seen_on="tf_keras 2.21 and tf-keras-nightly with TensorFlow 2.21",
        reproducer="tf_keras_unrolled_backwards_zeros_valid_outputs",
        details="found by chapter 15 (exploration), through `Bidirectional` with return_sequences",
    ),
    Divergence(
        (EXPLORED_VALUES, EXPLORED_GRADIENTS),
        TF_KERAS & STACKED_CELLS & MASKED_WITH_INITIAL_STATE,
        "An RNN over stacked cells called with a mask and an initial state per cell fails",
        seen_on="tf_keras 2.21 with TensorFlow 2.21",
        reproducer="tf_keras_masked_stack_with_initial_state",
        details="chapter 11's divergence, met by drawn stacks",
    ),
    Divergence(
        (EXPLORED_VALUES, EXPLORED_GRADIENTS, EXPLORED_CALL_PATHS),
        ON_TORCH & case_has(dtype="float64") & MASKED & (case_has(cell="LSTM") | case_has(cell="GRU")),
        "A float64 LSTM or GRU called with a mask loses precision to float32",
        seen_on="Keras 3.15.1 and keras-nightly 3.16.0.dev2026102704 with PyTorch 2.13 (Keras 3.10.0 and before compute in float64)",
        reproducer="torch_float64_masked_layer_in_float32",
        details="found by chapter 15 (exploration); differences of 1e-8 from the float64 reference, float32's "
        "rounding, where the same call without a mask computes in float64",
    ),
    Divergence(
        (EXPLORED_VALUES, EXPLORED_GRADIENTS, EXPLORED_CALL_PATHS),
        ON_TORCH & case_has(cell="SimpleRNN", dtype="float64"),
        "A float64 `SimpleRNN` loses precision to float32",
        seen_on="Keras 3.15.1 with PyTorch 2.13",
        reproducer="torch_float64_simple_rnn_in_float32",
        details="chapter 2's divergence, met by drawn layers",
    ),
    Divergence(
        (EXPLORED_VALUES, EXPLORED_GRADIENTS),
        ON_TORCH & ~keras_after("3.15.1") & case_has(stateful=True) & (case_has(cell="LSTM") | case_has(cell="GRU")),
        "A stateful LSTM or GRU cannot be differentiated: the backward pass fails because the layer assigns its new "
        "states in place over a tensor the gradient needs",
        seen_on="Keras 3.15.1 with PyTorch 2.13 (CPU); fixed on keras-nightly 3.16.0.dev2026102704",
        reproducer="torch_stateful_training_fails",
        details="chapter 11's divergence, met by drawn stateful layers (chapter 15 differentiates every call it holds)",
        upstream=(
            "https://github.com/keras-team/keras/issues/20875",
            "https://github.com/keras-team/keras/issues/23462",
        ),
        raises=RuntimeError,
    ),
    Divergence(
        (EXPLORED_VALUES, EXPLORED_GRADIENTS, EXPLORED_CALL_PATHS),
        ON_TORCH & case_has(cell="GRU", reset_after=False, dtype="float64"),
        "A float64 GRU with `reset_after=False` loses precision to float32",
        seen_on="Keras 3.15.1 and keras-nightly 3.16.0.dev2026102704 with PyTorch 2.13 (Keras 3.10.0 and before "
        "compute in float64)",
        reproducer="torch_float64_gru_reset_before_in_float32",
        details="found by chapter 15 (exploration); differences of 1e-8 from the float64 reference, float32's rounding",
    ),
    Divergence(
        (EXPLORED_VALUES, EXPLORED_GRADIENTS),
        ON_TORCH & ~keras_after("3.15.1") & case_has(stateful=True)
        & (case_has(dtype="mixed_float16") | case_has(dtype="mixed_bfloat16")),
        "A stateful layer under a mixed precision policy does not continue its sequence on its second call",
        seen_on="Keras 3.15.1 with PyTorch 2.13; fixed on keras-nightly 3.16.0.dev2026102704",
        reproducer="torch_stateful_mixed_precision",
        details="chapter 9's divergence, met by drawn stateful layers",
    ),
    Divergence(
        (EXPLORED_TRAINING,),
        KERAS_3 & ON_TENSORFLOW & case_has(unroll=True),
        "After an eager gradient through an unrolled layer, `train_on_batch` of another unrolled model may move its "
        "weights elsewhere: identical models trained alike end apart, in about every other try",
        seen_on="Keras 3.15.1 and keras-nightly 3.16.0.dev2026102704 with TensorFlow 2.21",
        reproducer="tensorflow_unrolled_training_after_an_eager_gradient",
        details="found by chapter 15 (exploration): drawn unrolled layers trained one after another differ from the "
        "reference in about half the examples, with or without eager gradients between them; a race, it seems: one "
        "run of the reproducer differs and the next agrees (also seen on Keras 3.5.0 and 3.14.1, not in one try each "
        "on 3.0.0, 3.8.0, 3.10.0, 3.12.4, 3.13.0); rolled layers agree",
    ),
)


def divergence_for(statement: str, installation: Installation, case: Case, rows=None) -> Divergence | None:
    """The first row (of the table, or of `rows`) that names the statement and whose condition holds for the
    installation and case."""
    rows = DIVERGENCES if rows is None else rows
    return next((row for row in rows if statement in row.statements and row.condition.holds(installation, case)), None)


def stale_statements(chapters: Mapping[str, ModuleType]) -> list[str]:
    """The table's statements that name no test: in a collected chapter (`chapters`, the collected modules by file
    name), a function it does not define; of a chapter not collected, one missing beside the collected chapters.
    A chapter merely left out of the run is not checked further, so that running one file reports nothing."""
    named = list(dict.fromkeys(statement for row in DIVERGENCES for statement in row.statements))
    folders = {Path(chapters[chapter].__file__).parent for chapter, _ in map(split, named) if chapter in chapters}
    stale = []
    for statement in named:
        chapter, test = split(statement)
        if chapter in chapters:
            if not inspect.isfunction(getattr(chapters[chapter], test, None)):
                stale.append(statement)
        elif folders and not any((folder / chapter).is_file() for folder in folders):
            stale.append(statement)
    return stale


def split(statement: str) -> tuple[str, str]:
    chapter, test = statement.split("::")
    return chapter, test
