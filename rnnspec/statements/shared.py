"""Statement helpers that several chapters share: one place, so that no chapter imports another."""

import re

import numpy as np
import pytest

from rnnspec import installation
from rnnspec.probes import kernels
from rnnspec.probes.observe import call, twin
from rnnspec.statements.assertions import assert_identical
from rnnspec.statements.tolerances import FLOAT32_BOUND
from rnnspec.subjects.masks import is_right_padded, lengths


def own_message(error) -> str:
    """The error's message without the "Arguments received by ..." list that Keras 3 appends to errors raised in
    `call`, which names every argument whatever went wrong."""
    return str(error).split("Arguments received by")[0]


def assert_names(error, pattern: str, what: str):
    message = own_message(error)
    assert re.search(pattern, message), f"the {type(error).__name__} does not name {what}: {message}"


def returned_container() -> type:
    """Keras 3 returns `(output, *states)` as a tuple; Keras 2 (tf_keras) returns `[output, *states]` as a list."""
    return tuple if installation.current().keras_major >= 3 else list


def assert_c_is_not_h(run):
    """An LSTM's (or ConvLSTM's) cell state c differs from h in every element (chapters 1 and 13)."""
    h, c = run.state["h"], run.state["c"]
    same = np.argwhere(h == c)
    assert same.size == 0, (
        f"c equals h at {len(same)} of {h.size} elements, first at {tuple(same[0])}\n  configuration: {run.describe()}"
    )


def assert_h_is_bounded_by_tanh_of_c(run):
    """h = o * tanh(c) with o in (0, 1): |h| <= |tanh(c)| within float32's bound, with the sign of tanh(c)."""
    h, c = run.state["h"].astype(np.float64), run.state["c"].astype(np.float64)
    excess = np.abs(h) - np.abs(np.tanh(c))
    worst = np.unravel_index(np.argmax(excess), excess.shape)
    assert excess[worst] <= FLOAT32_BOUND.atol, (
        f"|h| exceeds |tanh(c)| by {excess[worst]:.3g} at {tuple(int(i) for i in worst)} "
        f"(h={h[worst]:.6g}, c={c[worst]:.6g}; allowed {FLOAT32_BOUND})\n  configuration: {run.describe()}"
    )
    opposite = np.argwhere(h * np.tanh(c) < 0)
    assert opposite.size == 0, f"h and tanh(c) differ in sign at {tuple(opposite[0])}\n  configuration: {run.describe()}"


def cudnn_expected(cell: str, mask: np.ndarray | None = None) -> bool:
    """Whether an otherwise eligible layer reaches cuDNN on this backend's GPU. TensorFlow (the documented case):
    yes, with no mask or a strictly right-padded one without a fully masked sample. PyTorch: yes, without a mask.
    JAX: LSTM without a mask; Keras's JAX GRU fast path is a scan, never cuDNN."""
    backend = installation.current().backend
    if backend == "jax" and cell == "GRU":
        return False
    if mask is None:
        return True
    return backend == "tensorflow" and is_right_padded(mask) and bool(np.all(lengths(mask) > 0))


def require_kernel_record(run) -> None:
    if run.kernel == kernels.UNDETERMINED:
        pytest.skip(f"Keras {installation.current().keras_version} exposes no cuDNN function to watch, so which "
                    "kernel ran cannot be proven here")


def require_use_cudnn() -> None:
    if not installation.has_use_cudnn():
        pytest.skip(f"Keras {installation.current().keras_version} has no use_cudnn argument (Keras 3 added it)")


def assert_backwards_is_forwards_on_the_reversed_input(subject, built) -> None:
    """The built layer reading backwards against its twin reading forwards on the time-reversed inputs (chapters 4
    and 13)."""
    forward = twin(built, go_backwards=False)
    backwards = call(subject, built.layer, built.inputs)
    reversed_input = call(subject, forward, built.inputs[:, ::-1].copy(), note="forward layer, reversed input")
    for name, actual, wanted in zip(backwards.names, backwards.arrays, reversed_input.arrays):
        assert_identical(actual, wanted, f"{name} reading backwards and {name} of the reversed input", backwards)


NO_GPU = "no GPU visible to {0.backend}"


def skip_unless_visible(device: str) -> None:
    """GPU cases run where the backend sees a GPU and are skipped, with the reason, where it does not."""
    if device == "gpu" and not installation.current().gpus:
        pytest.skip(NO_GPU.format(installation.current()))
