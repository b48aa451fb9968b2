"""Hand-written backpropagation through time for the NumPy oracle of rnnspec.oracle.recurrent.

Vector-Jacobian products in float64, derived from the cell equations that rnnspec.oracle.recurrent documents (no
numerical differentiation, no autodiff framework). Given cotangents for what a layer returns, each function returns
the gradient of the scalar

    L = sum(d_outputs * outputs) + sum_i sum(d_states[i] * states[i])

with respect to the inputs, the initial states and every weight. Any scalar loss of the returned tensors has the
same gradient as this L with each cotangent set to the loss's derivative with respect to that tensor (chain rule).

Masks act as rnnspec.oracle.recurrent.run_sequence defines them: at a masked step the states are held and the output
repeats the previous step's output (zeros before any valid step), or is zero with zero_output_for_mask. So the
cotangent flows back through the held states and the repeated output, and never into that step's input or weights.

At a kink (relu at 0, the corners of the hard sigmoids) the derivative is taken from the flat side: 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnnspec.oracle.recurrent import (
    ACTIVATIONS,
    MERGE_MODES,
    CellSpec,
    _check_states,
    _check_weights,
    bidirectional,
    run_sequence,
)
from rnnspec.oracle.watching import differentiated, kept

__all__ = [
    "ACTIVATION_DERIVATIVES",
    "BidirectionalGradients",
    "SequenceGradients",
    "StackedGradients",
    "bidirectional_vjp",
    "sequence_vjp",
    "stacked_vjp",
]


def _sigmoid_derivative(a: np.ndarray) -> np.ndarray:
    s = ACTIVATIONS["sigmoid"](a)
    return s * (1.0 - s)


def _inside(a: np.ndarray, low: float, high: float) -> np.ndarray:
    differentiated(a, tuple(kink for kink in (low, high) if np.isfinite(kink)))
    return ((a > low) & (a < high)).astype(np.float64)


# Derivative of each activation of rnnspec.oracle.recurrent.ACTIVATIONS, as a function of the pre-activation.
ACTIVATION_DERIVATIVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "tanh": lambda a: 1.0 - np.tanh(a) ** 2,
    "sigmoid": _sigmoid_derivative,
    "relu": lambda a: _inside(a, 0.0, np.inf),
    "linear": lambda a: np.ones_like(a, dtype=np.float64),
    "hard_sigmoid": lambda a: _inside(a, -3.0, 3.0) / 6.0,  # clip(x + 3, 0, 6) / 6
    "hard_sigmoid_keras2": lambda a: 0.2 * _inside(a, -2.5, 2.5),  # clip(0.2 x + 0.5, 0, 1)
}


@dataclass(frozen=True)
class SequenceGradients:
    """Gradients of one recurrent layer's scalar L: inputs (B, T, F) in input order, one array per initial state,
    and a dict with the keys and shapes of the weights."""

    inputs: np.ndarray
    initial_state: list
    weights: dict


@dataclass(frozen=True)
class BidirectionalGradients:
    """Gradients of a Bidirectional layer's scalar L; initial_state lists the forward states, then the backward."""

    inputs: np.ndarray
    forward_weights: dict
    backward_weights: dict
    initial_state: list


@dataclass(frozen=True)
class StackedGradients:
    """Gradients of an RNN over stacked cells' scalar L: inputs, one weights dict per cell and one list of initial
    states' gradients per cell, bottom first."""

    inputs: np.ndarray
    weights: list
    initial_state: list


@dataclass(frozen=True)
class _Parameters:
    """A cell's weights in float64, with a zero bias when the cell has none, so that each step has one form."""

    kernel: np.ndarray
    recurrent: np.ndarray
    bias: np.ndarray


def _parameters(spec: CellSpec, weights: dict, features: int) -> _Parameters:
    kernel, recurrent, bias = _check_weights(spec, weights, features)
    if bias is None:
        shape = (2, kernel.shape[1]) if spec.cell == "GRU" and spec.reset_after else (kernel.shape[1],)
        bias = np.zeros(shape)
    return _Parameters(kernel, recurrent, bias)


def _weight_gradients(kernel, recurrent, bias) -> dict:
    return {"kernel": kernel, "recurrent_kernel": recurrent, "bias": bias}


def _activations(spec: CellSpec):
    """(act, act', recurrent_act, recurrent_act')."""
    return (
        ACTIVATIONS[spec.activation],
        ACTIVATION_DERIVATIVES[spec.activation],
        ACTIVATIONS[spec.recurrent_activation],
        ACTIVATION_DERIVATIVES[spec.recurrent_activation],
    )


def _blocks(a: np.ndarray, count: int) -> list[np.ndarray]:
    return np.split(a, count, axis=-1)


def _affine_pullback(p: _Parameters, x: np.ndarray, h: np.ndarray, d_pre: np.ndarray):
    """Pullback of pre = x K + h U + b: (d_x, d_h, weight gradients)."""
    grads = _weight_gradients(x.T @ d_pre, h.T @ d_pre, d_pre.sum(axis=0))
    return d_pre @ p.kernel.T, d_pre @ p.recurrent.T, grads


def _simple_rnn_step(spec: CellSpec, p: _Parameters, x: np.ndarray, states: list):
    """h' = act(x K + h U + b)."""
    act, act_d, _, _ = _activations(spec)
    (h,) = states
    pre = x @ p.kernel + h @ p.recurrent + p.bias

    def pullback(d_new_states):
        (d_h_new,) = d_new_states
        d_x, d_h, grads = _affine_pullback(p, x, h, d_h_new * act_d(pre))
        return d_x, [d_h], grads

    return [act(pre)], pullback


def _lstm_step(spec: CellSpec, p: _Parameters, x: np.ndarray, states: list):
    """[i f g o] = [σ σ act σ](x K + h U + b); c' = f c + i g; h' = o act(c'), σ the recurrent activation."""
    act, act_d, rec, rec_d = _activations(spec)
    h, c = states
    pre = x @ p.kernel + h @ p.recurrent + p.bias
    a_i, a_f, a_g, a_o = _blocks(pre, 4)
    i, f, g, o = rec(a_i), rec(a_f), act(a_g), rec(a_o)
    c_new = f * c + i * g
    act_c_new = act(c_new)

    def pullback(d_new_states):
        d_h_new, d_c_new = d_new_states
        d_c_total = d_c_new + d_h_new * o * act_d(c_new)  # c' reaches L directly and through h'
        d_pre = np.concatenate(
            [d_c_total * g * rec_d(a_i), d_c_total * c * rec_d(a_f), d_c_total * i * act_d(a_g),
             d_h_new * act_c_new * rec_d(a_o)],
            axis=-1,
        )
        d_x, d_h, grads = _affine_pullback(p, x, h, d_pre)
        return d_x, [d_h, d_c_total * f], grads

    return [o * act_c_new, c_new], pullback


def _gru_reset_after_step(spec: CellSpec, p: _Parameters, x: np.ndarray, states: list):
    """[u_z u_r u_h] = x K + b_in, [v_z v_r v_h] = h U + b_rec; z = σ(u_z + v_z), r = σ(u_r + v_r),
    h~ = act(u_h + r v_h); h' = z h + (1 - z) h~."""
    act, act_d, rec, rec_d = _activations(spec)
    (h,) = states
    u_z, u_r, u_h = _blocks(x @ p.kernel + p.bias[0], 3)
    v_z, v_r, v_h = _blocks(h @ p.recurrent + p.bias[1], 3)
    a_z, a_r = u_z + v_z, u_r + v_r
    z, r = rec(a_z), rec(a_r)
    a_h = u_h + r * v_h
    candidate = act(a_h)

    def pullback(d_new_states):
        (d_h_new,) = d_new_states
        d_a_z = d_h_new * (h - candidate) * rec_d(a_z)
        d_a_h = d_h_new * (1.0 - z) * act_d(a_h)
        d_a_r = d_a_h * v_h * rec_d(a_r)
        d_u = np.concatenate([d_a_z, d_a_r, d_a_h], axis=-1)
        d_v = np.concatenate([d_a_z, d_a_r, d_a_h * r], axis=-1)  # r scales only the recurrent h-block
        grads = _weight_gradients(x.T @ d_u, h.T @ d_v, np.stack([d_u.sum(axis=0), d_v.sum(axis=0)]))
        d_h = d_h_new * z + d_v @ p.recurrent.T
        return d_u @ p.kernel.T, [d_h], grads

    return [z * h + (1.0 - z) * candidate], pullback


def _gru_reset_before_step(spec: CellSpec, p: _Parameters, x: np.ndarray, states: list):
    """z = σ(x K_z + h U_z + b_z), r = σ(x K_r + h U_r + b_r), h~ = act(x K_h + b_h + (r h) U_h);
    h' = z h + (1 - z) h~."""
    act, act_d, rec, rec_d = _activations(spec)
    (h,) = states
    u_z, u_r, u_h = _blocks(x @ p.kernel + p.bias, 3)
    rec_z, rec_r, rec_h = _blocks(p.recurrent, 3)
    a_z, a_r = u_z + h @ rec_z, u_r + h @ rec_r
    z, r = rec(a_z), rec(a_r)
    a_h = u_h + (r * h) @ rec_h
    candidate = act(a_h)

    def pullback(d_new_states):
        (d_h_new,) = d_new_states
        d_a_z = d_h_new * (h - candidate) * rec_d(a_z)
        d_a_h = d_h_new * (1.0 - z) * act_d(a_h)
        d_reset_h = d_a_h @ rec_h.T  # cotangent of r h
        d_a_r = d_reset_h * h * rec_d(a_r)
        d_pre = np.concatenate([d_a_z, d_a_r, d_a_h], axis=-1)
        d_recurrent = np.concatenate([h.T @ d_a_z, h.T @ d_a_r, (r * h).T @ d_a_h], axis=-1)
        grads = _weight_gradients(x.T @ d_pre, d_recurrent, d_pre.sum(axis=0))
        d_h = d_h_new * z + d_reset_h * r + d_a_z @ rec_z.T + d_a_r @ rec_r.T
        return d_pre @ p.kernel.T, [d_h], grads

    return [z * h + (1.0 - z) * candidate], pullback


def _step_function(spec: CellSpec):
    """The cell's step: (spec, parameters, x_t, states) -> (new states, h' first; pullback of the new states)."""
    if spec.cell == "GRU":
        return _gru_reset_after_step if spec.reset_after else _gru_reset_before_step
    return {"LSTM": _lstm_step, "SimpleRNN": _simple_rnn_step}[spec.cell]


def _cotangent(value, shape: tuple, what: str) -> np.ndarray:
    if value is None:
        return np.zeros(shape)
    value = np.asarray(value, dtype=np.float64)
    if value.shape != shape:
        raise ValueError(f"{what} must be {shape}, got {value.shape}")
    return value


def _state_cotangents(spec: CellSpec, d_states, batch: int) -> list[np.ndarray]:
    if d_states is None:
        d_states = [None] * spec.state_count
    if len(d_states) != spec.state_count:
        raise ValueError(f"{spec.cell} needs {spec.state_count} state cotangent(s), got {len(d_states)}")
    return [_cotangent(d, (batch, spec.units), f"d_states[{k}]") for k, d in enumerate(d_states)]


def _initial_states(spec: CellSpec, initial_state, batch: int) -> list[np.ndarray]:
    if initial_state is None:
        return [np.zeros((batch, spec.units)) for _ in range(spec.state_count)]
    return _check_states(spec, initial_state, batch)


def _sequence_mask(mask, batch: int, steps: int) -> np.ndarray:
    if mask is None:
        return np.ones((batch, steps), dtype=bool)
    mask = np.asarray(mask)
    if mask.shape != (batch, steps):
        raise ValueError(f"mask must be {(batch, steps)}, got {mask.shape}")
    return mask.astype(bool)


def _forward(spec: CellSpec, p: _Parameters, x: np.ndarray, states: list, mask: np.ndarray) -> list:
    """Runs the sequence in processing order as run_sequence does; returns each step's pullback."""
    step = _step_function(spec)
    pullbacks = []
    for t in range(x.shape[1]):
        new_states, pullback = step(spec, p, x[:, t], states)
        keep = mask[:, t, None]
        states = kept([np.where(keep, new, held) for new, held in zip(new_states, states)])
        pullbacks.append(pullback)
    return pullbacks


def _backward(pullbacks: list, d_outputs, d_states: list, mask, d_x, grads: dict, zero_output_for_mask: bool):
    """Walks the steps last to first, filling d_x (processing order) and adding into grads; returns the
    initial states' cotangents."""
    d_repeated_output = np.zeros_like(d_states[0])  # from later masked steps that repeat this step's output
    for t in reversed(range(len(pullbacks))):
        keep = mask[:, t, None]
        d_output = d_outputs[:, t] + d_repeated_output
        # At a valid step output_t = h_t; at a masked one the cell's result reaches nothing.
        d_new_states = [np.where(keep, d, 0.0) for d in [d_states[0] + d_output, *d_states[1:]]]
        d_x[:, t], d_previous, step_grads = pullbacks[t](d_new_states)
        for key in grads:
            grads[key] += step_grads[key]
        d_states = [np.where(keep, d_prev, d_held) for d_prev, d_held in zip(d_previous, d_states)]
        d_repeated_output = np.zeros_like(d_output) if zero_output_for_mask else np.where(keep, 0.0, d_output)
    return d_states


def sequence_vjp(
    spec: CellSpec,
    weights: dict,
    x,
    *,
    d_outputs,
    d_states,
    initial_state=None,
    mask=None,
    go_backwards: bool = False,
    zero_output_for_mask: bool = False,
) -> SequenceGradients:
    """Gradients of L = sum(d_outputs * outputs) + sum_i sum(d_states[i] * states[i]) for
    ``outputs, states = run_sequence(spec, weights, x, initial_state=..., mask=..., go_backwards=...,
    zero_output_for_mask=...)``.

    d_outputs (B, T, M) in processing order, like outputs (a layer without return_sequences puts its cotangent
    at the last processed step only); d_states one (B, M) array per state, or None for zeros.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"x must be (B, T, F), got shape {x.shape}")
    batch, steps, features = x.shape
    p = _parameters(spec, weights, features)
    states = _initial_states(spec, initial_state, batch)
    mask = _sequence_mask(mask, batch, steps)
    d_outputs = _cotangent(d_outputs, (batch, steps, spec.units), "d_outputs")
    d_states = _state_cotangents(spec, d_states, batch)
    if go_backwards:
        x, mask = x[:, ::-1], mask[:, ::-1]

    pullbacks = _forward(spec, p, x, states, mask)
    d_x = np.zeros(x.shape)
    grads = _weight_gradients(np.zeros_like(p.kernel), np.zeros_like(p.recurrent), np.zeros_like(p.bias))
    d_initial = _backward(pullbacks, d_outputs, d_states, mask, d_x, grads, zero_output_for_mask)
    if not spec.use_bias:
        del grads["bias"]
    return SequenceGradients(inputs=d_x[:, ::-1] if go_backwards else d_x, initial_state=d_initial, weights=grads)


def _direction_cotangents(merge_mode, d_output, y_forward: np.ndarray, y_backward: np.ndarray):
    """Splits the merged output's cotangent into the two directions' (the pullback of the merge)."""
    if merge_mode == "concat":
        units = y_forward.shape[-1]
        return d_output[..., :units], d_output[..., units:]
    if merge_mode == "sum":
        return d_output, d_output
    if merge_mode == "ave":
        return d_output / 2.0, d_output / 2.0
    if merge_mode == "mul":
        return d_output * y_backward, d_output * y_forward
    d_forward, d_backward = d_output  # merge_mode None: one cotangent per direction
    return d_forward, d_backward


def _sequence_cotangent(d_y: np.ndarray, steps: int, return_sequences: bool, backward: bool) -> np.ndarray:
    """A direction's output cotangent in its processing order: the sequence (flipped back for the backward
    direction, whose outputs Bidirectional flips into input order), or the last processed step only."""
    d_y = np.asarray(d_y, dtype=np.float64)
    if return_sequences:
        return d_y[:, ::-1] if backward else d_y
    d_sequence = np.zeros((d_y.shape[0], steps, d_y.shape[-1]))
    d_sequence[:, -1] = d_y
    return d_sequence


def bidirectional_vjp(
    forward_spec: CellSpec,
    forward_weights: dict,
    backward_spec: CellSpec,
    backward_weights: dict,
    x,
    *,
    d_output,
    d_forward_states=None,
    d_backward_states=None,
    merge_mode="concat",
    return_sequences: bool = False,
    initial_state=None,
    mask=None,
    zero_output_for_mask: bool = False,
) -> BidirectionalGradients:
    """Gradients of L = sum(d_output * merged) + the states' terms for rnnspec.oracle.recurrent.bidirectional called with
    the same arguments. d_output has the merged output's shape, or is [d_forward, d_backward] for merge_mode None;
    d_forward_states and d_backward_states one array per state of that direction, or None for zeros."""
    if merge_mode not in MERGE_MODES:
        raise ValueError(f"merge_mode must be one of {MERGE_MODES}, got {merge_mode!r}")
    common = dict(return_sequences=return_sequences, mask=mask, zero_output_for_mask=zero_output_for_mask)
    (y_forward, y_backward), _, _ = bidirectional(
        forward_spec, forward_weights, backward_spec, backward_weights, x,
        merge_mode=None, initial_state=initial_state, **common,
    )
    d_y_forward, d_y_backward = _direction_cotangents(merge_mode, d_output, y_forward, y_backward)
    steps = np.shape(x)[1]
    forward_initial = backward_initial = None
    if initial_state is not None:  # forward's states, then backward's
        forward_initial = list(initial_state)[: forward_spec.state_count]
        backward_initial = list(initial_state)[forward_spec.state_count :]
    masking = dict(mask=mask, zero_output_for_mask=zero_output_for_mask)
    forward = sequence_vjp(
        forward_spec, forward_weights, x, initial_state=forward_initial, **masking,
        d_outputs=_sequence_cotangent(d_y_forward, steps, return_sequences, backward=False),
        d_states=d_forward_states,
    )
    backward = sequence_vjp(
        backward_spec, backward_weights, x, initial_state=backward_initial, go_backwards=True, **masking,
        d_outputs=_sequence_cotangent(d_y_backward, steps, return_sequences, backward=True),
        d_states=d_backward_states,
    )
    return BidirectionalGradients(
        inputs=forward.inputs + backward.inputs,
        forward_weights=forward.weights,
        backward_weights=backward.weights,
        initial_state=[*forward.initial_state, *backward.initial_state],
    )


def stacked_vjp(specs, weights_list, x, *, d_outputs, d_states, mask=None, initial_state=None) -> StackedGradients:
    """Gradients of L = sum(d_outputs * outputs) + the states' terms for an RNN over stacked cells, computed as
    layers stacked one on the other, each reading the output sequence of the one below.

    d_outputs (B, T, M_top) for the top cell's output sequence; d_states one list per cell (bottom first) of one
    array per state, or None for zeros (for all cells, or for one cell); initial_state likewise one list per cell,
    or None for zeros.
    """
    if d_states is None:
        d_states = [None] * len(specs)
    if initial_state is None:
        initial_state = [None] * len(specs)
    if not len(specs) == len(weights_list) == len(d_states) == len(initial_state):
        raise ValueError(
            f"specs, weights_list, d_states and initial_state need one entry per cell, got "
            f"{len(specs)}, {len(weights_list)}, {len(d_states)} and {len(initial_state)}"
        )
    layer_inputs = [np.asarray(x, dtype=np.float64)]
    for spec, weights, initial in zip(specs[:-1], weights_list[:-1], initial_state[:-1]):
        layer_inputs.append(run_sequence(spec, weights, layer_inputs[-1], mask=mask, initial_state=initial)[0])

    d_sequence, weight_gradients, d_initial = d_outputs, [], []
    cells = list(zip(specs, weights_list, layer_inputs, d_states, initial_state))
    for spec, weights, inputs, d_cell_states, initial in reversed(cells):
        gradients = sequence_vjp(
            spec, weights, inputs, d_outputs=d_sequence, d_states=d_cell_states, mask=mask, initial_state=initial
        )
        d_sequence = gradients.inputs
        weight_gradients.insert(0, gradients.weights)
        d_initial.insert(0, gradients.initial_state)
    return StackedGradients(inputs=d_sequence, weights=weight_gradients, initial_state=d_initial)
