"""A GPU simulated on the CPU, so that the meta-tests can show the devices chapter catches what it claims to on a
machine without one (TensorFlow backend).

Inside a "gpu" device scope, Keras is made to believe a GPU is available, and its cuDNN helpers are replaced by a
stand-in that computes with the NumPy reference and cuDNN's documented conventions (zeros at masked steps, the
final h as the last output, right-padded masks only). The kernel record then reads cuDNN exactly when Keras chose
the cuDNN path, as it would on a GPU. The breakages below change the stand-in the way a faulty fast path would.
"""

import importlib

import numpy as np
import pytest

from rnnspec import installation, reference
from rnnspec.sequences import is_right_padded, lengths


def tf_rnn():
    # Imported by name: the package `keras.src.backend.tensorflow` re-exports a *function* called `rnn`.
    return importlib.import_module("keras.src.backend.tensorflow.rnn")


class StandIn:
    """How the simulated cuDNN kernel behaves; breakages change these switches."""

    drift = 0.0  # added to everything the kernel returns
    falls_back = False  # raise NotImplementedError, as a fast path that silently gives up would
    checks_masks = True  # refuse masks cuDNN cannot take (not right-padded, or a sample fully masked)
    zeros_masked_steps = True  # cuDNN writes zeros at masked steps


def inside_gpu_scope() -> bool:
    from tensorflow.python.eager import context

    return "GPU" in (context.context().device_name or "")


def run_cudnn(cell, inputs, states, kernel, recurrent_kernel, bias, mask, go_backwards, return_sequences):
    import tensorflow as tf

    if StandIn.falls_back:
        raise NotImplementedError
    mask = None if mask is None else np.asarray(mask).astype(bool)
    if mask is not None and StandIn.checks_masks and not (is_right_padded(mask) and np.all(lengths(mask) > 0)):
        raise NotImplementedError
    units = int(recurrent_kernel.shape[0])
    weights = {"kernel": np.asarray(kernel), "recurrent_kernel": np.asarray(recurrent_kernel), "bias": np.asarray(bias)}
    outputs, final = reference.run_sequence(
        reference.CellSpec(cell, units), weights, np.asarray(inputs), initial_state=[np.asarray(s) for s in states],
        mask=mask, go_backwards=go_backwards, zero_output_for_mask=mask is not None and StandIn.zeros_masked_steps,
    )
    last = final[0] if mask is not None else outputs[:, -1]
    if not return_sequences:
        outputs = last[:, None]
    as_tensor = lambda a: tf.constant((a + StandIn.drift).astype("float32"))
    return as_tensor(last), as_tensor(outputs), [as_tensor(s) for s in final]


def cudnn_lstm(inputs, h, c, kernel, recurrent_kernel, bias, mask, time_major, go_backwards, return_sequences):
    return run_cudnn("LSTM", inputs, [h, c], kernel, recurrent_kernel, bias, mask, go_backwards, return_sequences)


def cudnn_gru(inputs, h, kernel, recurrent_kernel, bias, mask, time_major, go_backwards, return_sequences):
    return run_cudnn("GRU", inputs, [h], kernel, recurrent_kernel, bias, mask, go_backwards, return_sequences)


def simulated_gpu(monkeypatch):
    """The environment: a cuDNN kernel inside "gpu" device scopes; the CPU untouched."""
    if installation.current().backend != "tensorflow":
        pytest.skip("the GPU simulation is written for the TensorFlow backend")
    monkeypatch.setattr(tf_rnn(), "_is_gpu_available", inside_gpu_scope)
    monkeypatch.setattr(tf_rnn(), "_cudnn_lstm", cudnn_lstm)
    monkeypatch.setattr(tf_rnn(), "_cudnn_gru", cudnn_gru)


def cudnn_silently_falls_back(monkeypatch):
    monkeypatch.setattr(StandIn, "falls_back", True)


def cudnn_result_drifts_by_1e_3(monkeypatch):
    monkeypatch.setattr(StandIn, "drift", 1e-3)


def cudnn_takes_any_mask(monkeypatch):
    monkeypatch.setattr(StandIn, "checks_masks", False)


def cudnn_repeats_the_last_output_at_masked_steps(monkeypatch):
    monkeypatch.setattr(StandIn, "zeros_masked_steps", False)


def cudnn_ignores_ineligible_arguments(monkeypatch):
    monkeypatch.setattr(tf_rnn(), "cudnn_ok", lambda *args, **kwargs: inside_gpu_scope())


def cudnn_runs_on_the_cpu(monkeypatch):
    monkeypatch.setattr(tf_rnn(), "_is_gpu_available", lambda: True)
