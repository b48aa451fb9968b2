"""Independent NumPy oracle of Keras's recurrent cells (LSTM, GRU, SimpleRNN).

Written from the published cell equations and Keras's documented weight layout,
not from Keras's source. Everything is computed in float64.

Weight layout (``weights`` dict, Keras order of gate blocks along the last axis):

* LSTM: kernel (F, 4M), recurrent_kernel (M, 4M), bias (4M,); blocks i, f, c, o.
* GRU: kernel (F, 3M), recurrent_kernel (M, 3M); blocks z, r, h;
  bias (2, 3M) (input row, recurrent row) when reset_after, else (3M,).
* SimpleRNN: kernel (F, M), recurrent_kernel (M, M), bias (M,).

With ``use_bias=False`` there is no "bias" entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from rnnspec.oracle.watching import kept

# Gate blocks along the kernels' last axis, in Keras's order: LSTM i, f, c, o; GRU z, r, h; SimpleRNN one.
GATE_COUNT = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}
STATE_NAMES = {"LSTM": ("h", "c"), "GRU": ("h",), "SimpleRNN": ("h",)}
MERGE_MODES = ("concat", "sum", "mul", "ave", None)  # Bidirectional's, None keeping the two outputs apart

__all__ = ["ACTIVATIONS", "CellSpec", "cell_step", "run_sequence", "bidirectional", "wide_output_cell"]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # exp(-|x|) never overflows; pick the algebraically equal form per sign.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda x: np.maximum(x, 0.0),
    "linear": lambda x: np.asarray(x, dtype=np.float64),
    # Keras 3: relu6(x + 3) / 6.
    "hard_sigmoid": lambda x: np.clip(x + 3.0, 0.0, 6.0) / 6.0,
    # Keras 2 / tf_keras: clip(0.2 x + 0.5, 0, 1).
    "hard_sigmoid_keras2": lambda x: np.clip(0.2 * x + 0.5, 0.0, 1.0),
}


@dataclass(frozen=True)
class CellSpec:
    """Configuration of one recurrent cell, mirroring the Keras layer arguments."""

    cell: str
    units: int
    activation: str = "tanh"
    recurrent_activation: str = "sigmoid"
    use_bias: bool = True
    reset_after: bool = True

    def __post_init__(self) -> None:
        if self.cell not in GATE_COUNT:
            raise ValueError(f"cell must be one of {sorted(GATE_COUNT)}, got {self.cell!r}")
        if isinstance(self.units, bool) or not isinstance(self.units, (int, np.integer)) or self.units < 1:
            raise ValueError(f"units must be a positive integer, got {self.units!r}")
        for name in ("activation", "recurrent_activation"):
            value = getattr(self, name)
            if value not in ACTIVATIONS:
                raise ValueError(f"{name} must be one of {sorted(ACTIVATIONS)}, got {value!r}")

    @property
    def state_count(self) -> int:
        """Number of state tensors: 2 for LSTM (h, c), 1 otherwise (h)."""
        return 2 if self.cell == "LSTM" else 1


def _f64(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def _check_weights(spec: CellSpec, weights: dict, features: int):
    """Return (kernel, recurrent_kernel, bias_or_None) as float64, validating shapes."""
    n = GATE_COUNT[spec.cell] * spec.units
    for key in ("kernel", "recurrent_kernel"):
        if key not in weights:
            raise ValueError(f"{spec.cell} weights are missing {key!r}")
    kernel = _f64(weights["kernel"])
    recurrent = _f64(weights["recurrent_kernel"])
    if kernel.shape != (features, n):
        raise ValueError(
            f"{spec.cell} kernel must be (F, {n}) with F = {features} input features, "
            f"got {kernel.shape}"
        )
    if recurrent.shape != (spec.units, n):
        raise ValueError(f"{spec.cell} recurrent_kernel must be {(spec.units, n)}, got {recurrent.shape}")

    if not spec.use_bias:
        if weights.get("bias") is not None:
            raise ValueError(f"{spec.cell} has use_bias=False but weights contain a 'bias'")
        return kernel, recurrent, None
    if "bias" not in weights or weights["bias"] is None:
        raise ValueError(f"{spec.cell} has use_bias=True but weights are missing 'bias'")
    bias = _f64(weights["bias"])
    expected = (2, n) if spec.cell == "GRU" and spec.reset_after else (n,)
    if bias.shape != expected:
        what = f"GRU(reset_after={spec.reset_after})" if spec.cell == "GRU" else spec.cell
        raise ValueError(f"{what} bias must be {expected}, got {bias.shape}")
    return kernel, recurrent, bias


def _check_states(spec: CellSpec, states, batch: int) -> list[np.ndarray]:
    states = [_f64(s) for s in states]
    if len(states) != spec.state_count:
        raise ValueError(f"{spec.cell} needs {spec.state_count} state(s), got {len(states)}")
    for k, s in enumerate(states):
        if s.shape != (batch, spec.units):
            raise ValueError(f"{spec.cell} state {k} must be {(batch, spec.units)}, got {s.shape}")
    return states


def _split(a: np.ndarray, parts: int) -> list[np.ndarray]:
    return np.split(a, parts, axis=-1)


def cell_step(spec: CellSpec, weights: dict, x_t, states) -> tuple[np.ndarray, list[np.ndarray]]:
    """One time step for a batch: x_t (B, F), states list of (B, M) arrays -> (output (B, M), new_states list)."""
    x_t = _f64(x_t)
    if x_t.ndim != 2:
        raise ValueError(f"x_t must be (B, F), got shape {x_t.shape}")
    kernel, recurrent, bias = _check_weights(spec, weights, x_t.shape[1])
    states = _check_states(spec, states, x_t.shape[0])
    act = ACTIVATIONS[spec.activation]
    rec_act = ACTIVATIONS[spec.recurrent_activation]
    h = states[0]

    if spec.cell == "SimpleRNN":
        z = x_t @ kernel + h @ recurrent
        if bias is not None:
            z = z + bias
        h_new = act(z)
        return h_new, [h_new]

    if spec.cell == "LSTM":
        c = states[1]
        z = x_t @ kernel + h @ recurrent
        if bias is not None:
            z = z + bias
        z_i, z_f, z_c, z_o = _split(z, 4)
        i, f, g, o = rec_act(z_i), rec_act(z_f), act(z_c), rec_act(z_o)
        c_new = f * c + i * g
        h_new = o * act(c_new)
        return h_new, [h_new, c_new]

    # GRU
    if spec.reset_after:
        b_in, b_rec = (bias[0], bias[1]) if bias is not None else (0.0, 0.0)
        x_z, x_r, x_h = _split(x_t @ kernel + b_in, 3)
        h_z, h_r, h_h = _split(h @ recurrent + b_rec, 3)
        z = rec_act(x_z + h_z)
        r = rec_act(x_r + h_r)
        hh = act(x_h + r * h_h)
    else:
        k_z, k_r, k_h = _split(kernel, 3)
        r_z, r_r, r_h = _split(recurrent, 3)
        b_z, b_r, b_h = _split(bias, 3) if bias is not None else (0.0, 0.0, 0.0)
        z = rec_act(x_t @ k_z + h @ r_z + b_z)
        r = rec_act(x_t @ k_r + h @ r_r + b_r)
        hh = act(x_t @ k_h + b_h + (r * h) @ r_h)
    h_new = z * h + (1.0 - z) * hh
    return h_new, [h_new]


def run_sequence(
    spec: CellSpec,
    weights: dict,
    x,
    *,
    initial_state=None,
    mask=None,
    go_backwards: bool = False,
    zero_output_for_mask: bool = False,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """x (B, T, F) -> (outputs (B, T, M) in PROCESSING order, final states list of (B, M)).

    initial_state: list of (B, M) arrays or None (zeros). mask: (B, T) bool or None.
    go_backwards: process the time steps from last to first (x and mask both reversed);
    outputs stay in processing order.
    At a masked step the states keep their previous value and the output is the previous
    step's output (zeros before any valid step), or zeros when zero_output_for_mask=True.
    """
    x = _f64(x)
    if x.ndim != 3:
        raise ValueError(f"x must be (B, T, F), got shape {x.shape}")
    batch, steps, _ = x.shape
    if initial_state is None:
        states = [np.zeros((batch, spec.units)) for _ in range(spec.state_count)]
    else:
        states = _check_states(spec, initial_state, batch)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != (batch, steps):
            raise ValueError(f"mask must be {(batch, steps)}, got {mask.shape}")
        mask = mask.astype(bool)
    if go_backwards:
        x = x[:, ::-1]
        mask = None if mask is None else mask[:, ::-1]

    outputs = np.zeros((batch, steps, spec.units))
    prev_output = np.zeros((batch, spec.units))
    for t in range(steps):
        out, new_states = cell_step(spec, weights, x[:, t], states)
        if mask is not None:
            keep = mask[:, t][:, None]
            fallback = np.zeros_like(out) if zero_output_for_mask else prev_output
            out = np.where(keep, out, fallback)
            new_states = [np.where(keep, n, s) for n, s in zip(new_states, states)]
        outputs[:, t] = out
        prev_output, states = out, kept(new_states)
    return outputs, states


def bidirectional(
    forward_spec: CellSpec,
    forward_weights: dict,
    backward_spec: CellSpec,
    backward_weights: dict,
    x,
    *,
    merge_mode="concat",
    return_sequences: bool = False,
    initial_state=None,
    mask=None,
    zero_output_for_mask: bool = False,
):
    """Keras Bidirectional composition.

    Forward run on x; backward run with go_backwards=True whose sequence output is flipped
    back into input order before merging. Without return_sequences each direction contributes
    its final output (the output of its last processed step). merge_mode: "concat" (last axis,
    forward first), "sum", "mul", "ave", or None (returns [forward, backward]).
    initial_state: forward states followed by backward states (list) or None.
    Returns (merged_output_or_list, forward_final_states, backward_final_states).
    """
    if merge_mode not in MERGE_MODES:
        raise ValueError(f"merge_mode must be one of {MERGE_MODES}, got {merge_mode!r}")
    if merge_mode in ("sum", "mul", "ave") and forward_spec.units != backward_spec.units:
        raise ValueError(
            f"merge_mode={merge_mode!r} needs equal units, got {forward_spec.units} and {backward_spec.units}"
        )
    x = _f64(x)
    if x.ndim != 3 or x.shape[1] == 0:
        raise ValueError(f"x must be (B, T, F) with T >= 1, got shape {x.shape}")
    fwd_state = bwd_state = None
    if initial_state is not None:
        initial_state = list(initial_state)
        n_f, n_b = forward_spec.state_count, backward_spec.state_count
        if len(initial_state) != n_f + n_b:
            raise ValueError(f"initial_state needs {n_f} + {n_b} states, got {len(initial_state)}")
        fwd_state, bwd_state = initial_state[:n_f], initial_state[n_f:]

    common = dict(mask=mask, zero_output_for_mask=zero_output_for_mask)
    out_f, states_f = run_sequence(forward_spec, forward_weights, x, initial_state=fwd_state, **common)
    out_b, states_b = run_sequence(
        backward_spec, backward_weights, x, initial_state=bwd_state, go_backwards=True, **common
    )
    if return_sequences:
        y_f, y_b = out_f, np.ascontiguousarray(out_b[:, ::-1])
    else:
        y_f, y_b = out_f[:, -1], out_b[:, -1]

    if merge_mode == "concat":
        merged = np.concatenate([y_f, y_b], axis=-1)
    elif merge_mode == "sum":
        merged = y_f + y_b
    elif merge_mode == "mul":
        merged = y_f * y_b
    elif merge_mode == "ave":
        merged = (y_f + y_b) / 2.0
    else:
        merged = [y_f, y_b]
    return merged, states_f, states_b


def wide_output_cell(kernel, recurrent_kernel, x, mask=None) -> tuple[np.ndarray, np.ndarray]:
    """(outputs (B, T, 2M), final h) of the user-written cell of rnnspec.subjects.custom_cells: h' = tanh(x K + h U), output
    [h', x K]. At a masked step the state is held and the output repeats the previous step's output (zeros before
    the first valid step), as `RNN` documents for `zero_output_for_mask=False`."""
    kernel, recurrent_kernel, x = _f64(kernel), _f64(recurrent_kernel), _f64(x)
    batch, steps, _ = x.shape
    h = np.zeros((batch, recurrent_kernel.shape[0]))
    previous = np.zeros((batch, 2 * recurrent_kernel.shape[0]))
    outputs = np.zeros((batch, steps, previous.shape[1]))
    for t in range(steps):
        projection = x[:, t] @ kernel
        new_h = np.tanh(projection + h @ recurrent_kernel)
        output = np.concatenate([new_h, projection], axis=-1)
        if mask is not None:
            valid = mask[:, t][:, None]
            output, new_h = np.where(valid, output, previous), np.where(valid, new_h, h)
        outputs[:, t], previous, h = output, output, new_h
    return outputs, h
