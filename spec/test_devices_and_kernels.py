"""Chapter 7. Devices and kernels: the same layer on CPU and GPU, cuDNN against the generic kernel, and across
backends.

On a GPU, Keras 3 runs LSTM and GRU with a fused cuDNN kernel when the layer's arguments allow it, and the generic
loop otherwise: "If a GPU is available and all the arguments to the layer meet the requirement of the cuDNN
kernel, the layer will use a fast cuDNN implementation": activation tanh, recurrent_activation sigmoid,
recurrent_dropout 0, unroll False, use_bias True, GRU reset_after True, masks strictly right-padded
(https://keras.io/api/layers/recurrent_layers/lstm/). `use_cudnn` ("auto", True, False) chooses.

Which kernel ran is proven, not assumed (`rnnspec.probes.kernels` watches Keras's cuDNN entry points): a parity check
between two runs of one kernel would check nothing. Where the backends differ in what reaches cuDNN, each
backend's expectation is stated. GPU statements skip, with the reason, where no GPU is visible.
"""

import importlib.util
from dataclasses import replace

import numpy as np
import pytest
from pytest_cases import parametrize_with_cases

from rnnspec import installation
from rnnspec.installation import BACKENDS, compat
from rnnspec.probes import compiled, kernels
from rnnspec.probes.observe import call, layer_weights, twin
from rnnspec.statements.assertions import assert_close, assert_cudnn_then_generic, assert_identical
from rnnspec.statements.coverage import documents
from rnnspec.statements.expected import expected, padded_steps_expected
from rnnspec.statements.shared import cudnn_expected, require_kernel_record, require_use_cudnn
from rnnspec.statements.tolerances import BACKEND_PARITY, GPU_VERSUS_CPU, VERSUS_REFERENCE
from rnnspec.subjects.layers import CELLS, LayerSubject, recurrent_layer
from rnnspec.subjects.masks import MASKS, lengths
from rnnspec.subjects.shapes import SHAPES
from spec.cases import CATALOGUE
from spec.cases_kernels import (
    catalogue_on_cpu,
    catalogue_on_gpu,
    cudnn_capable_layer,
    eligible_on_gpu,
    ineligible_on_gpu,
    masked_sequences_on_gpu,
)


@parametrize_with_cases("subject", cases=catalogue_on_cpu)
def test_the_cpu_runs_the_generic_kernel(subject, observe):
    """On the CPU every layer runs the generic kernel (no cuDNN function returns)."""
    run = observe(subject)
    require_kernel_record(run)
    assert run.kernel == kernels.GENERIC, f"the {run.kernel} kernel ran on the CPU\n  configuration: {run.describe()}"


@parametrize_with_cases("subject", cases=eligible_on_gpu)
def test_on_a_gpu_an_eligible_layer_runs_cudnn(subject, observe):
    """On a GPU, an LSTM or GRU with the default arguments runs the cuDNN kernel (except JAX's GRU, which Keras
    runs as a scan)."""
    run = observe(subject)
    require_kernel_record(run)
    wanted = kernels.CUDNN if cudnn_expected(subject.cell) else kernels.GENERIC
    assert run.kernel == wanted, f"the {run.kernel} kernel ran where {wanted} was expected\n  configuration: {run.describe()}"


@parametrize_with_cases("subject", cases=ineligible_on_gpu)
def test_on_a_gpu_each_ineligible_argument_alone_selects_the_generic_kernel(subject, observe):
    """On a GPU, each argument that cuDNN cannot honour, set alone (relu activation, hard_sigmoid recurrent
    activation, recurrent_dropout, unroll, no bias, GRU reset_after=False, use_cudnn=False), selects the generic
    kernel."""
    if dict(subject.options).get("use_cudnn") is not None:
        require_use_cudnn()
    run = observe(subject)
    require_kernel_record(run)
    assert run.kernel == kernels.GENERIC, f"the {run.kernel} kernel ran\n  configuration: {run.describe()}"


@pytest.mark.parametrize("mask_name", sorted(MASKS))
@parametrize_with_cases("subject", cases=eligible_on_gpu)
def test_on_a_gpu_the_mask_decides_the_kernel_as_each_backend_states(subject, mask_name, build):
    """On a GPU under a mask, TensorFlow keeps cuDNN for strictly right-padded masks without an empty sample and
    falls back to the generic kernel otherwise; PyTorch and JAX fall back for any mask."""
    built = build(subject)
    mask = MASKS[mask_name]
    run = call(subject, built.layer, built.inputs, note=f"mask {mask_name}", mask=mask)
    require_kernel_record(run)
    wanted = kernels.CUDNN if cudnn_expected(subject.cell, mask) else kernels.GENERIC
    assert run.kernel == wanted, f"the {run.kernel} kernel ran where {wanted} was expected\n  configuration: {run.describe()}"


@parametrize_with_cases("subject", cases=cudnn_capable_layer)
def test_use_cudnn_true_is_refused_where_cudnn_cannot_run(subject, build):
    """`use_cudnn=True` where cuDNN cannot run (on a CPU; on a GPU, with a relu activation) raises a ValueError
    that names use_cudnn, instead of silently running the generic kernel."""
    require_use_cudnn()
    built = build(subject)
    arguments = {"use_cudnn": True, **({"activation": "relu"} if subject.device == "gpu" else {})}
    with installation.on_device(subject.device), pytest.raises(ValueError, match="use_cudnn"):
        subject.make_layer(**arguments)(built.inputs)


@documents("{LSTM,GRU}.use_cudnn")
@parametrize_with_cases("subject", cases=cudnn_capable_layer)
def test_use_cudnn_false_runs_the_generic_kernel_and_the_reference_values(subject, build):
    """`use_cudnn=False` runs the generic kernel, on any device, and returns the reference's values."""
    require_use_cudnn()
    built = build(subject)
    generic = twin(built, use_cudnn=False)
    run = call(subject, generic, built.inputs, note="use_cudnn=False")
    require_kernel_record(run)
    assert run.kernel == kernels.GENERIC, f"the {run.kernel} kernel ran\n  configuration: {run.describe()}"
    for name, actual, wanted in zip(run.names, run.arrays, expected(subject, layer_weights(generic), built.inputs)):
        assert_close(actual, wanted, VERSUS_REFERENCE["float32"], f"{name} and the reference {name}", run)


@documents("{LSTM,GRU}.use_cudnn")
@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_use_cudnn_is_auto_by_default_and_refuses_other_values(cell):
    """`use_cudnn` defaults to "auto" and accepts only "auto", True and False (a ValueError names the argument);
    a Keras without the argument refuses it as an unknown keyword."""
    if not installation.has_use_cudnn():
        with pytest.raises((TypeError, ValueError)):
            recurrent_layer(cell, 2, use_cudnn=False)
        return
    assert recurrent_layer(cell, 2).use_cudnn == "auto", "use_cudnn does not default to 'auto'"
    with pytest.raises(ValueError, match="use_cudnn"):
        recurrent_layer(cell, 2, use_cudnn="always")


@parametrize_with_cases("subject", cases=catalogue_on_gpu)
def test_on_a_gpu_outputs_and_states_equal_the_cpus(subject, observe):
    """On a GPU every configuration returns what it returns on the CPU, within the tolerance for TF32 disabled
    (a few float32 ulps) or enabled (TF32's 10-bit mantissa)."""
    gpu = observe(subject)
    cpu = observe(replace(subject, device="cpu").with_probe(tf32=None))
    for name, on_gpu, on_cpu in zip(gpu.names, gpu.arrays, cpu.arrays):
        assert_close(on_gpu, on_cpu, GPU_VERSUS_CPU[subject.tf32], f"{name} on the GPU ({gpu.kernel}) and on the CPU", gpu)


@parametrize_with_cases("subject", cases=eligible_on_gpu)
def test_on_a_gpu_cudnn_equals_the_generic_kernel(subject, build):
    """On one GPU with TF32 disabled, the cuDNN kernel and the generic kernel (`use_cudnn=False`, same weights)
    return the same outputs and states; the check first proves that the two runs used different kernels."""
    require_use_cudnn()
    built = build(subject)
    disabled = subject.with_probe(tf32=False)  # the runs say so, in failure messages and in recorded comparisons
    with installation.tf32(False):
        fast = call(disabled, built.layer, built.inputs)
        generic = call(disabled, twin(built, use_cudnn=False), built.inputs, note="use_cudnn=False")
    require_kernel_record(fast)
    if not cudnn_expected(subject.cell):
        pytest.skip(f"{installation.current().backend} runs no cuDNN {subject.cell}: there is no second kernel")
    assert_cudnn_then_generic(fast, generic)
    for name, a, b in zip(fast.names, fast.arrays, generic.arrays):
        assert_close(a, b, GPU_VERSUS_CPU[False], f"{name} from cuDNN and from the generic kernel", fast)


@parametrize_with_cases("subject", cases=masked_sequences_on_gpu)
def test_under_a_mask_cudnn_writes_zeros_where_the_generic_kernel_repeats_the_last_output(subject, build):
    """A known kernel difference: with `return_sequences` and a right-padded mask, padded steps hold zeros when
    cuDNN ran and repeat the last valid output when the generic kernel ran."""
    built = build(subject)
    mask = MASKS["right_padded"]
    run = call(subject, built.layer, built.inputs, note="mask right_padded", mask=mask)
    require_kernel_record(run)
    for sample, length in enumerate(lengths(mask)):
        wanted = padded_steps_expected(run.output, sample, length, run.kernel)
        assert_identical(run.output[sample, length:], wanted, f"sample {sample}'s padded steps under the {run.kernel} kernel", run)


PARITY_CONFIGS = tuple(
    LayerSubject(cell, sequences, state, "cpu", SHAPES[shape])
    for cell in CELLS for sequences in (False, True) for state in (False, True) for shape in ("notebook", "batch")
)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_backends_agree_on_the_cpu(backend, observe, observation_cache, tmp_path):
    """On the CPU, TensorFlow, JAX and PyTorch return the same outputs and states for the same weights and inputs."""
    here = installation.current().backend
    if backend == here:
        pytest.skip(f"{backend} is the backend under test; it is compared with the others")
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed (pip install -e '.[backends]')")
    for subject, theirs in zip(PARITY_CONFIGS, observation_cache.under_backend(backend, PARITY_CONFIGS, tmp_path)):
        ours = observe(subject)
        for mine, other in zip(ours.weights, theirs["weights"]):
            assert_identical(other, mine, f"the weights {backend} ran with", ours)
        for name, mine, other in zip(ours.names, ours.arrays, theirs["arrays"]):
            assert_close(other, mine, BACKEND_PARITY, f"{name} under {backend} and under {here}", ours)


@pytest.mark.parametrize("cell", CELLS)
def test_a_recurrent_layer_builds_and_runs_inside_keras_device(cell):
    """A recurrent layer built and called inside `keras.device("cpu:0")` works as outside it
    (https://keras.io/api/utils/config_utils/#device-function)."""
    if installation.is_keras_2():
        pytest.skip("Keras 2 has no keras.device; tf.device places its layers")
    keras = installation.keras()
    device = compat.require("device", keras)
    x = np.ones((2, 3, 4), dtype="float32")
    with device("cpu:0"):
        inputs = keras.Input(shape=(3, 4))
        model = keras.Model(inputs, recurrent_layer(cell, 5)(inputs))
        y = installation.to_numpy(model(x))
    assert y.shape == (2, 5), f"{cell} inside keras.device returned shape {y.shape}"


@parametrize_with_cases("subject", cases=CATALOGUE)
def test_each_call_path_runs_the_recurrent_loop_as_it_says(subject, observe):
    """How the loop runs is proven, as the kernel is (`rnnspec.probes.compiled` watches the backend's recurrent loops):
    the bare layer and a functional model called directly run it eagerly; `predict` in the backend's compiled
    function (a tf.function graph, a jax.jit trace; eagerly on PyTorch, whose `jit_compile="auto"` is off);
    `predict` with `jit_compile=True` under XLA on TensorFlow, jax.jit on JAX and torch.compile on PyTorch; and the
    compiled function with open batch and time dimensions in a tf.function graph, a jax.jit trace or torch.compile.
    A path that silently fell back to eager fails here (https://keras.io/api/models/model_training_apis/, the
    `jit_compile` argument of `compile`)."""
    run = observe(subject)
    if run.compilation == compiled.UNDETERMINED:
        pytest.skip(f"{installation.current().describe()} exposes no recurrent loop to watch")
    wanted = compiled.expected_context(subject.probe.call_path, installation.current().backend)
    assert run.compilation == wanted, (
        f"the recurrent loop ran {run.compilation}; along {subject.probe.call_path} it should run {wanted}"
        f"\n  configuration: {run.describe()}"
    )
