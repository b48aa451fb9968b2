"""A GPU simulated on the CPU, so that the meta-tests can show the devices chapter catches what it claims to on a
machine without one (TensorFlow backend).

Inside a "gpu" device scope, Keras is made to believe a GPU is available, and its cuDNN helpers are replaced by a
stand-in that computes with the NumPy reference and cuDNN's documented conventions (zeros at masked steps, the
final h as the last output, right-padded masks only), and differentiates with the reference's backpropagation
through time (rnnspec.oracle.backprop), as cuDNN's backward kernel would. The kernel record then reads cuDNN
exactly when Keras chose the cuDNN path, as it would on a GPU. The breakages below change the stand-in the way a
faulty fast path would.
"""

import importlib

import numpy as np
import pytest

from rnnspec import installation
from rnnspec.oracle import backprop, recurrent
from rnnspec.subjects.masks import is_right_padded, lengths


def tf_rnn():
    # Imported by name: the package `keras.src.backend.tensorflow` re-exports a *function* called `rnn`.
    return importlib.import_module("keras.src.backend.tensorflow.rnn")


class StandIn:
    """How the simulated cuDNN kernel behaves; breakages change these switches."""

    drift = 0.0  # added to everything the kernel returns
    gradient_drift = 0.0  # added to every gradient its backward pass returns
    backward_reads_the_mask = True  # the backward pass runs under the forward's mask
    falls_back = False  # raise NotImplementedError, as a fast path that silently gives up would
    checks_masks = True  # refuse masks cuDNN cannot take (not right-padded, or a sample fully masked)
    zeros_masked_steps = True  # cuDNN writes zeros at masked steps


def inside_gpu_scope() -> bool:
    from tensorflow.python.eager import context

    return "GPU" in (context.context().device_name or "")


def run_cudnn(cell, inputs, states, kernel, recurrent_kernel, bias, mask, go_backwards, return_sequences):
    """(last output, outputs, final states) as Keras's cuDNN helpers return them, differentiable."""
    import tensorflow as tf

    if StandIn.falls_back:
        raise NotImplementedError
    mask = None if mask is None else np.asarray(mask).astype(bool)
    if mask is not None and StandIn.checks_masks and not (is_right_padded(mask) and np.all(lengths(mask) > 0)):
        raise NotImplementedError
    spec = recurrent.CellSpec(cell, int(recurrent_kernel.shape[0]))
    zero_output_for_mask = mask is not None and StandIn.zeros_masked_steps
    as_tensor = lambda a, drift: tf.constant((np.asarray(a) + drift).astype("float32"))

    @tf.custom_gradient
    def kernel_run(inputs, kernel, recurrent_kernel, bias, *states):
        weights = {"kernel": np.asarray(kernel), "recurrent_kernel": np.asarray(recurrent_kernel), "bias": np.asarray(bias)}
        run = dict(initial_state=[np.asarray(s) for s in states], mask=mask, go_backwards=go_backwards,
                   zero_output_for_mask=zero_output_for_mask)
        outputs, final = recurrent.run_sequence(spec, weights, np.asarray(inputs), **run)
        last = final[0] if mask is not None else outputs[:, -1]  # the final h either way
        sequence = outputs if return_sequences else last[:, None]

        def backward(d_last, d_sequence, *d_final):
            d_last, d_sequence, *d_final = (
                np.zeros(shape) if d is None else np.asarray(d, np.float64)
                for d, shape in zip((d_last, d_sequence, *d_final), (last.shape, sequence.shape, *(f.shape for f in final)))
            )
            # The last output and, without return_sequences, the one-step sequence are the final h.
            d_h = d_final[0] + d_last + (0.0 if return_sequences else d_sequence[:, 0])
            d_outputs = d_sequence if return_sequences else np.zeros(outputs.shape)
            backward_run = run if StandIn.backward_reads_the_mask else {**run, "mask": None}
            found = backprop.sequence_vjp(
                spec, weights, np.asarray(inputs), d_outputs=d_outputs, d_states=[d_h, *d_final[1:]], **backward_run
            )
            wanted = (found.inputs, found.weights["kernel"], found.weights["recurrent_kernel"], found.weights["bias"],
                      *found.initial_state)
            return [as_tensor(g, StandIn.gradient_drift) for g in wanted]

        returned = (last, sequence, *final)
        return tuple(as_tensor(a, StandIn.drift) for a in returned), backward

    last, sequence, *final = kernel_run(inputs, kernel, recurrent_kernel, bias, *states)
    return last, sequence, list(final)


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


def cudnn_gradient_drifts_by_1e_3(monkeypatch):
    """cuDNN's backward pass drifts while its forward pass stays exact."""
    monkeypatch.setattr(StandIn, "gradient_drift", 1e-3)


def cudnn_backward_ignores_the_mask(monkeypatch):
    """cuDNN's backward pass runs over every step, padding included, while its forward pass honours the mask."""
    monkeypatch.setattr(StandIn, "backward_reads_the_mask", False)


def cudnn_takes_any_mask(monkeypatch):
    monkeypatch.setattr(StandIn, "checks_masks", False)


def cudnn_repeats_the_last_output_at_masked_steps(monkeypatch):
    monkeypatch.setattr(StandIn, "zeros_masked_steps", False)


def cudnn_ignores_ineligible_arguments(monkeypatch):
    monkeypatch.setattr(tf_rnn(), "cudnn_ok", lambda *args, **kwargs: inside_gpu_scope())


def cudnn_runs_on_the_cpu(monkeypatch):
    monkeypatch.setattr(tf_rnn(), "_is_gpu_available", lambda: True)
