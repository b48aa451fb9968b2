"""Tests of the NumPy oracle itself (rnnspec.oracle.recurrent): hand-worked cases and properties."""

import math
import re

import numpy as np
import pytest

from rnnspec.oracle.backprop import sequence_vjp
from rnnspec.oracle.recurrent import ACTIVATIONS, CellSpec, bidirectional, cell_step, run_sequence
from rnnspec.oracle.watching import largest_state, nearest_kink
from spec.meta.reference_inputs import random_weights

pytestmark = pytest.mark.meta

RTOL = 1e-12

WEIGHT_SCALE = 0.5  # weights of this spread keep the gates between saturation and linearity


def sig(v):
    return 1.0 / (1.0 + math.exp(-v))




def random_states(spec, batch, rng):
    return [rng.normal(0.0, 0.5, (batch, spec.units)) for _ in range(spec.state_count)]


SPECS = [
    CellSpec("LSTM", 3),
    CellSpec("GRU", 3, reset_after=True),
    CellSpec("GRU", 3, reset_after=False),
    CellSpec("SimpleRNN", 3),
    CellSpec("LSTM", 3, use_bias=False),
    CellSpec("GRU", 3, use_bias=False, reset_after=False),
    CellSpec("LSTM", 2, activation="relu", recurrent_activation="hard_sigmoid"),
]
SPEC_IDS = [
    f"{s.cell}-u{s.units}-{s.activation}-{s.recurrent_activation}-bias{int(s.use_bias)}-ra{int(s.reset_after)}"
    for s in SPECS
]
spec_params = pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)


# --------------------------------------------------------------------------------------
# Hand-worked cases (one unit, one feature unless stated otherwise)
# --------------------------------------------------------------------------------------


def test_lstm_hand_two_steps():
    spec = CellSpec("LSTM", 1)
    weights = {
        "kernel": np.array([[0.5, -0.5, 1.0, 0.25]]),  # i, f, c, o
        "recurrent_kernel": np.array([[0.1, 0.2, -0.3, 0.4]]),
        "bias": np.array([0.0, 1.0, 0.0, -0.5]),
    }
    x = np.array([[[1.0], [2.0]]])
    # step 1 (h0 = c0 = 0, x = 1): z_i = 0.5, z_f = -0.5 + 1 = 0.5, z_c = 1, z_o = 0.25 - 0.5 = -0.25
    c1 = sig(0.5) * 0.0 + sig(0.5) * math.tanh(1.0)
    h1 = sig(-0.25) * math.tanh(c1)
    # step 2 (x = 2): z_i = 1 + 0.1 h1, z_f = -1 + 0.2 h1 + 1, z_c = 2 - 0.3 h1, z_o = 0.5 + 0.4 h1 - 0.5
    c2 = sig(0.2 * h1) * c1 + sig(1.0 + 0.1 * h1) * math.tanh(2.0 - 0.3 * h1)
    h2 = sig(0.4 * h1) * math.tanh(c2)

    outputs, (h, c) = run_sequence(spec, weights, x)
    np.testing.assert_allclose(outputs, [[[h1], [h2]]], rtol=RTOL)
    np.testing.assert_allclose(h, [[h2]], rtol=RTOL)
    np.testing.assert_allclose(c, [[c2]], rtol=RTOL)
    assert outputs.dtype == h.dtype == c.dtype == np.float64


GRU_KERNEL = np.array([[0.3, -0.2, 0.7]])  # z, r, h
GRU_RECURRENT = np.array([[0.4, 0.6, -0.5]])


def test_gru_reset_after_hand_one_step():
    spec = CellSpec("GRU", 1, reset_after=True)
    weights = {
        "kernel": GRU_KERNEL,
        "recurrent_kernel": GRU_RECURRENT,
        "bias": np.array([[0.1, 0.2, 0.3], [-0.1, 0.05, 0.75]]),  # input row, recurrent row
    }
    # h0 = 0.5, x = 2:
    # x_z = 0.6 + 0.1 = 0.7,   h_z = 0.2 - 0.1 = 0.1   -> z = sig(0.8)
    # x_r = -0.4 + 0.2 = -0.2, h_r = 0.3 + 0.05 = 0.35 -> r = sig(0.15)
    # x_h = 1.4 + 0.3 = 1.7,   h_h = -0.25 + 0.75 = 0.5 -> hh = tanh(1.7 + 0.5 r)
    z, r = sig(0.8), sig(0.15)
    hh = math.tanh(1.7 + r * 0.5)
    expected = z * 0.5 + (1.0 - z) * hh

    out, (h,) = cell_step(spec, weights, np.array([[2.0]]), [np.array([[0.5]])])
    np.testing.assert_allclose(out, [[expected]], rtol=RTOL)
    np.testing.assert_allclose(h, [[expected]], rtol=RTOL)


def test_gru_reset_before_hand_one_step():
    spec = CellSpec("GRU", 1, reset_after=False)
    weights = {"kernel": GRU_KERNEL, "recurrent_kernel": GRU_RECURRENT, "bias": np.array([0.1, 0.2, 0.3])}
    # h0 = 0.5, x = 2:
    # z = sig(0.6 + 0.2 + 0.1) = sig(0.9)
    # r = sig(-0.4 + 0.3 + 0.2) = sig(0.1)
    # hh = tanh(1.4 + 0.3 + (r * 0.5) * -0.5) = tanh(1.7 - 0.25 r)
    z, r = sig(0.9), sig(0.1)
    hh = math.tanh(1.7 - 0.25 * r)
    expected = z * 0.5 + (1.0 - z) * hh

    out, (h,) = cell_step(spec, weights, np.array([[2.0]]), [np.array([[0.5]])])
    np.testing.assert_allclose(out, [[expected]], rtol=RTOL)
    np.testing.assert_allclose(h, [[expected]], rtol=RTOL)


def test_simple_rnn_hand_two_steps():
    spec = CellSpec("SimpleRNN", 1)
    weights = {"kernel": np.array([[0.5]]), "recurrent_kernel": np.array([[-1.0]]), "bias": np.array([0.1])}
    x = np.array([[[1.0], [2.0]]])
    h1 = math.tanh(0.5 + 0.1)  # h0 = 0
    h2 = math.tanh(1.0 - h1 + 0.1)
    outputs, (h,) = run_sequence(spec, weights, x)
    np.testing.assert_allclose(outputs, [[[h1], [h2]]], rtol=RTOL)
    np.testing.assert_allclose(h, [[h2]], rtol=RTOL)


def test_lstm_no_bias_hand_one_step():
    spec = CellSpec("LSTM", 1, use_bias=False)
    weights = {
        "kernel": np.array([[0.5, -0.5, 1.0, 0.25]]),
        "recurrent_kernel": np.array([[0.1, 0.2, -0.3, 0.4]]),
    }
    # x = 1, h0 = 0.2, c0 = -0.4:
    # z_i = 0.5 + 0.02 = 0.52, z_f = -0.5 + 0.04 = -0.46, z_c = 1 - 0.06 = 0.94, z_o = 0.25 + 0.08 = 0.33
    c1 = sig(-0.46) * -0.4 + sig(0.52) * math.tanh(0.94)
    h1 = sig(0.33) * math.tanh(c1)
    out, (h, c) = cell_step(spec, weights, np.array([[1.0]]), [np.array([[0.2]]), np.array([[-0.4]])])
    np.testing.assert_allclose(out, [[h1]], rtol=RTOL)
    np.testing.assert_allclose(h, [[h1]], rtol=RTOL)
    np.testing.assert_allclose(c, [[c1]], rtol=RTOL)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_no_bias_hand_one_step(reset_after):
    # With one unit and no bias, both reset placements give r * h * R_h.
    spec = CellSpec("GRU", 1, use_bias=False, reset_after=reset_after)
    weights = {"kernel": GRU_KERNEL, "recurrent_kernel": GRU_RECURRENT}
    # h0 = 0.5, x = 2: z = sig(0.6 + 0.2), r = sig(-0.4 + 0.3), hh = tanh(1.4 + r * -0.25)
    z, r = sig(0.8), sig(-0.1)
    expected = z * 0.5 + (1.0 - z) * math.tanh(1.4 - 0.25 * r)
    out, (h,) = cell_step(spec, weights, np.array([[2.0]]), [np.array([[0.5]])])
    np.testing.assert_allclose(out, [[expected]], rtol=RTOL)


def test_simple_rnn_no_bias_hand_one_step():
    spec = CellSpec("SimpleRNN", 1, use_bias=False)
    weights = {"kernel": np.array([[0.5]]), "recurrent_kernel": np.array([[-1.0]])}
    out, (h,) = cell_step(spec, weights, np.array([[1.0]]), [np.array([[0.3]])])
    np.testing.assert_allclose(out, [[math.tanh(0.5 - 0.3)]], rtol=RTOL)


# --------------------------------------------------------------------------------------
# Multi-unit layout: matrix orientation and gate-block order (linear activations, exact)
# --------------------------------------------------------------------------------------


def test_simple_rnn_kernel_orientation():
    spec = CellSpec("SimpleRNN", 2, activation="linear")
    weights = {
        "kernel": np.array([[1.0, 0.0], [0.0, 10.0], [100.0, 0.0]]),  # (F=3, M=2)
        "recurrent_kernel": np.array([[0.0, 1.0], [0.0, 0.0]]),  # unit 0 feeds unit 1
        "bias": np.array([0.5, 0.25]),
    }
    # x @ K = [1 + 300, 20]; h @ R = [0, 5]; + bias
    out, (h,) = cell_step(spec, weights, np.array([[1.0, 2.0, 3.0]]), [np.array([[5.0, 7.0]])])
    np.testing.assert_array_equal(out, [[301.5, 25.25]])


def test_lstm_gate_block_order():
    spec = CellSpec("LSTM", 2, activation="linear", recurrent_activation="linear")
    weights = {
        "kernel": np.zeros((1, 8)),
        "recurrent_kernel": np.zeros((2, 8)),
        "bias": np.array([1.0, 2.0, 0.5, 0.25, 3.0, 5.0, 7.0, 11.0]),  # i0 i1 f0 f1 c0 c1 o0 o1
    }
    # c' = f * c0 + i * g = [0.5*4 + 1*3, 0.25*8 + 2*5] = [5, 12]; h' = o * c' = [35, 132]
    out, (h, c) = cell_step(spec, weights, np.zeros((1, 1)), [np.zeros((1, 2)), np.array([[4.0, 8.0]])])
    np.testing.assert_array_equal(c, [[5.0, 12.0]])
    np.testing.assert_array_equal(h, [[35.0, 132.0]])
    np.testing.assert_array_equal(out, h)


@pytest.mark.parametrize(
    "reset_after, bias, expected",
    [
        # z = [0.5, 0.25], r = [0.5, 0.25]; hh = [2 + 0.5*2, 4 + 0.25*4] = [3, 5]
        # h' = z*h + (1-z)*hh = [1 + 1.5, 1 + 3.75]
        (False, [0.5, 0.25, 0.5, 0.25, 2.0, 4.0], [2.5, 4.75]),
        # recurrent h-bias 1 sits inside r*(...): hh = [2 + 0.5*(2+1), 4 + 0.25*(4+1)] = [3.5, 5.25]
        # h' = [1 + 1.75, 1 + 3.9375]
        (True, [[0.5, 0.25, 0.5, 0.25, 2.0, 4.0], [0.0, 0.0, 0.0, 0.0, 1.0, 1.0]], [2.75, 4.9375]),
    ],
)
def test_gru_gate_block_order(reset_after, bias, expected):
    spec = CellSpec("GRU", 2, activation="linear", recurrent_activation="linear", reset_after=reset_after)
    recurrent = np.zeros((2, 6))
    recurrent[:, 4:6] = np.eye(2)  # candidate block sees h directly
    weights = {"kernel": np.zeros((1, 6)), "recurrent_kernel": recurrent, "bias": np.array(bias)}
    out, (h,) = cell_step(spec, weights, np.zeros((1, 1)), [np.array([[2.0, 4.0]])])
    np.testing.assert_array_equal(out, [expected])


@pytest.mark.parametrize(
    "reset_after, expected",
    [
        # reset before the matmul: (r * h) @ swap = [0.25*4, 0.5*2]
        (False, [1.0, 1.0]),
        # reset after the matmul: r * (h @ swap) = [0.5*4, 0.25*2]
        (True, [2.0, 0.5]),
    ],
)
def test_gru_reset_placement(reset_after, expected):
    spec = CellSpec("GRU", 2, activation="linear", recurrent_activation="linear", reset_after=reset_after)
    recurrent = np.zeros((2, 6))
    recurrent[:, 4:6] = [[0.0, 1.0], [1.0, 0.0]]  # candidate block swaps the units
    bias = np.array([0.0, 0.0, 0.5, 0.25, 0.0, 0.0])  # z = 0 so h' = hh; r = [0.5, 0.25]
    if reset_after:
        bias = np.stack([bias, np.zeros(6)])
    weights = {"kernel": np.zeros((1, 6)), "recurrent_kernel": recurrent, "bias": bias}
    out, _ = cell_step(spec, weights, np.zeros((1, 1)), [np.array([[2.0, 4.0]])])
    np.testing.assert_array_equal(out, [expected])


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------


def zero_weights(spec, features):
    return {k: np.zeros_like(v) for k, v in random_weights(spec, features, np.random.default_rng(0), WEIGHT_SCALE).items()}


def test_zero_weights_lstm():
    rng = np.random.default_rng(1)
    spec = CellSpec("LSTM", 3)
    x = rng.normal(size=(2, 5, 4))
    h0, c0 = random_states(spec, 2, rng)
    outputs, (h, c) = run_sequence(spec, zero_weights(spec, 4), x, initial_state=[h0, c0])
    # i = f = o = 0.5 and g = tanh(0) = 0, so c_t = 0.5 c_{t-1} and h_t = 0.5 tanh(c_t)
    for t in range(5):
        c_t = 0.5 ** (t + 1) * c0
        np.testing.assert_allclose(outputs[:, t], 0.5 * np.tanh(c_t), rtol=RTOL)
    np.testing.assert_allclose(c, 0.5**5 * c0, rtol=RTOL)
    np.testing.assert_allclose(h, 0.5 * np.tanh(0.5**5 * c0), rtol=RTOL)


@pytest.mark.parametrize("reset_after", [True, False])
def test_zero_weights_gru(reset_after):
    rng = np.random.default_rng(2)
    spec = CellSpec("GRU", 3, reset_after=reset_after)
    x = rng.normal(size=(2, 4, 5))
    (h0,) = random_states(spec, 2, rng)
    outputs, (h,) = run_sequence(spec, zero_weights(spec, 5), x, initial_state=[h0])
    # z = 0.5 and hh = tanh(0) = 0, so h_t = 0.5 h_{t-1}
    for t in range(4):
        np.testing.assert_allclose(outputs[:, t], 0.5 ** (t + 1) * h0, rtol=RTOL)
    np.testing.assert_allclose(h, 0.5**4 * h0, rtol=RTOL)


def test_zero_weights_simple_rnn():
    rng = np.random.default_rng(3)
    spec = CellSpec("SimpleRNN", 3)
    x = rng.normal(size=(2, 4, 5))
    outputs, (h,) = run_sequence(spec, zero_weights(spec, 5), x, initial_state=random_states(spec, 2, rng))
    np.testing.assert_array_equal(outputs, 0.0)
    np.testing.assert_array_equal(h, 0.0)


def test_gru_reset_after_matches_reset_before_when_reset_gate_saturates():
    rng = np.random.default_rng(4)
    units, features = 3, 2
    after = CellSpec("GRU", units, reset_after=True)
    before = CellSpec("GRU", units, reset_after=False)
    weights = random_weights(before, features, rng, scale=0.3)
    weights["bias"][units : 2 * units] = 50.0  # sigmoid(~50) == 1.0 in float64, so r == 1
    after_weights = dict(weights, bias=np.stack([weights["bias"], np.zeros(3 * units)]))
    x = rng.normal(size=(2, 6, features))
    h0 = random_states(before, 2, rng)

    out_a, states_a = run_sequence(after, after_weights, x, initial_state=h0)
    out_b, states_b = run_sequence(before, weights, x, initial_state=h0)
    np.testing.assert_allclose(out_a, out_b, rtol=RTOL)
    np.testing.assert_allclose(states_a[0], states_b[0], rtol=RTOL)


def test_activation_names():
    assert set(ACTIVATIONS) == {"tanh", "sigmoid", "relu", "linear", "hard_sigmoid", "hard_sigmoid_keras2"}


@pytest.mark.parametrize(
    "name, points, expected",
    [
        ("tanh", [-1.0, 0.0, 2.0], [math.tanh(-1.0), 0.0, math.tanh(2.0)]),
        ("sigmoid", [-1.0, 0.0, 2.0], [1 / (1 + math.e), 0.5, 1 / (1 + math.exp(-2.0))]),
        ("relu", [-2.0, 0.0, 3.5], [0.0, 0.0, 3.5]),
        ("linear", [-2.0, 0.0, 3.5], [-2.0, 0.0, 3.5]),
        ("hard_sigmoid", [-4.0, -3.0, 0.0, 1.5, 3.0, 4.0], [0.0, 0.0, 0.5, 0.75, 1.0, 1.0]),
        ("hard_sigmoid_keras2", [-3.0, -2.5, 0.0, 1.0, 2.5, 3.0], [0.0, 0.0, 0.5, 0.7, 1.0, 1.0]),
    ],
)
def test_activation_values(name, points, expected):
    np.testing.assert_allclose(ACTIVATIONS[name](np.array(points)), expected, rtol=RTOL, atol=1e-300)


def test_sigmoid_is_stable_at_extremes():
    x = np.array([-1000.0, -40.0, 40.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = ACTIVATIONS["sigmoid"](x)
    assert y[0] == 0.0 and y[-1] == 1.0
    np.testing.assert_allclose(y[1:3], [math.exp(-40.0) / (1 + math.exp(-40.0)), 1 / (1 + math.exp(-40.0))], rtol=RTOL)
    z = np.linspace(-10, 10, 41)
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"](z) + ACTIVATIONS["sigmoid"](-z), 1.0, rtol=RTOL)


@spec_params
def test_go_backwards_equals_forward_on_reversed_input(spec):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 5, 2))
    weights = random_weights(spec, 2, rng, WEIGHT_SCALE)
    init = random_states(spec, 3, rng)
    mask = rng.random((3, 5)) < 0.7
    for m in (None, mask):
        out_b, states_b = run_sequence(spec, weights, x, initial_state=init, mask=m, go_backwards=True)
        m_rev = None if m is None else m[:, ::-1]
        out_f, states_f = run_sequence(spec, weights, x[:, ::-1], initial_state=init, mask=m_rev)
        np.testing.assert_array_equal(out_b, out_f)
        for a, b in zip(states_b, states_f):
            np.testing.assert_array_equal(a, b)


@spec_params
def test_all_true_mask_equals_no_mask(spec):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 4, 3))
    weights = random_weights(spec, 3, rng, WEIGHT_SCALE)
    out_a, states_a = run_sequence(spec, weights, x)
    for zero_out in (False, True):
        out_b, states_b = run_sequence(spec, weights, x, mask=np.ones((2, 4), bool), zero_output_for_mask=zero_out)
        np.testing.assert_array_equal(out_a, out_b)
        for a, b in zip(states_a, states_b):
            np.testing.assert_array_equal(a, b)


@spec_params
@pytest.mark.parametrize("zero_out", [False, True])
def test_right_padding(spec, zero_out):
    rng = np.random.default_rng(7)
    lengths, steps = [6, 4, 1], 6
    x = rng.normal(size=(3, steps, 2))  # padded steps hold garbage that must be ignored
    weights = random_weights(spec, 2, rng, WEIGHT_SCALE)
    init = random_states(spec, 3, rng)
    mask = np.arange(steps)[None, :] < np.array(lengths)[:, None]
    outputs, states = run_sequence(spec, weights, x, initial_state=init, mask=mask, zero_output_for_mask=zero_out)
    for b, n in enumerate(lengths):
        ref_out, ref_states = run_sequence(spec, weights, x[b : b + 1, :n], initial_state=[s[b : b + 1] for s in init])
        np.testing.assert_allclose(outputs[b, :n], ref_out[0], rtol=RTOL)
        for s, r in zip(states, ref_states):
            np.testing.assert_allclose(s[b], r[0], rtol=RTOL)
        padded = outputs[b, n:]
        if zero_out:
            np.testing.assert_array_equal(padded, 0.0)
        else:
            np.testing.assert_array_equal(padded, np.broadcast_to(outputs[b, n - 1], padded.shape))


@spec_params
@pytest.mark.parametrize("zero_out", [False, True])
def test_left_padding(spec, zero_out):
    rng = np.random.default_rng(8)
    lengths, steps = [5, 3, 1], 5
    x = rng.normal(size=(3, steps, 2))
    weights = random_weights(spec, 2, rng, WEIGHT_SCALE)
    init = random_states(spec, 3, rng)
    mask = np.arange(steps)[None, :] >= steps - np.array(lengths)[:, None]
    outputs, states = run_sequence(spec, weights, x, initial_state=init, mask=mask, zero_output_for_mask=zero_out)
    for b, n in enumerate(lengths):
        start = steps - n
        np.testing.assert_array_equal(outputs[b, :start], 0.0)
        ref_out, ref_states = run_sequence(
            spec, weights, x[b : b + 1, start:], initial_state=[s[b : b + 1] for s in init]
        )
        np.testing.assert_allclose(outputs[b, start:], ref_out[0], rtol=RTOL)
        for s, r in zip(states, ref_states):
            np.testing.assert_allclose(s[b], r[0], rtol=RTOL)


@spec_params
def test_fully_masked_sample_keeps_initial_state(spec):
    rng = np.random.default_rng(9)
    x = rng.normal(size=(2, 4, 2))
    weights = random_weights(spec, 2, rng, WEIGHT_SCALE)
    init = random_states(spec, 2, rng)
    mask = np.array([[True] * 4, [False] * 4])
    for zero_out in (False, True):
        outputs, states = run_sequence(spec, weights, x, initial_state=init, mask=mask, zero_output_for_mask=zero_out)
        np.testing.assert_array_equal(outputs[1], 0.0)
        for s, s0 in zip(states, init):
            np.testing.assert_array_equal(s[1], s0[1])
        ref_out, _ = run_sequence(spec, weights, x[:1], initial_state=[s[:1] for s in init])
        np.testing.assert_allclose(outputs[0], ref_out[0], rtol=RTOL)


def test_the_largest_state_counts_the_steps_a_mask_keeps_not_a_masked_steps_update():
    """A linear GRU whose update gate is 2 and candidate 0 doubles its state at each step (h' = z h + (1 - z) hh):
    2, 4, 8 from an initial state of 1. A masked fourth step's update (16) is discarded, and not counted, by the
    forward oracle and by backpropagation alike."""
    spec = CellSpec("GRU", 1, activation="linear", recurrent_activation="linear", use_bias=False)
    weights = {"kernel": np.array([[2.0, 0.0, 0.0]]), "recurrent_kernel": np.zeros((1, 3))}
    x, initial = np.ones((1, 4, 1)), [np.ones((1, 1))]
    mask = np.array([[True, True, True, False]])
    with largest_state() as largest:
        _, (h,) = run_sequence(spec, weights, x, initial_state=initial, mask=mask)
    unmasked = run_sequence(spec, weights, x, initial_state=initial)[1][0]
    with largest_state() as backpropagated:
        sequence_vjp(spec, weights, x, d_outputs=np.ones((1, 4, 1)), d_states=[np.zeros((1, 1))], mask=mask,
                     initial_state=initial)
    assert largest.value == backpropagated.value == float(h[0, 0]) == 8.0
    assert float(unmasked[0, 0]) == 16.0


@pytest.mark.parametrize("activation, pre_activation, distance", [("relu", -0.25, 0.25), ("hard_sigmoid", 2.994, 0.006 / 2.994)])
def test_the_nearest_kink_is_that_of_the_pre_activations_backpropagation_differentiates(activation, pre_activation,
                                                                                          distance):
    """A SimpleRNN of one unit, one step, pre-activation x k: its distance from relu's 0 or hard_sigmoid's 3, relative
    to its size where that exceeds 1. The forward pass alone takes no derivative and records none."""
    spec = CellSpec("SimpleRNN", 1, activation=activation, use_bias=False)
    weights = {"kernel": np.array([[pre_activation]]), "recurrent_kernel": np.zeros((1, 1))}
    with nearest_kink() as forward:
        run_sequence(spec, weights, np.ones((1, 1, 1)))
    with nearest_kink() as backward:
        sequence_vjp(spec, weights, np.ones((1, 1, 1)), d_outputs=np.ones((1, 1, 1)), d_states=[np.zeros((1, 1))])
    assert forward.distance == math.inf
    assert backward.distance == pytest.approx(distance, rel=1e-12)


@spec_params
@pytest.mark.parametrize("go_backwards", [False, True])
def test_initial_state_continuation(spec, go_backwards):
    rng = np.random.default_rng(10)
    x = rng.normal(size=(2, 7, 3))
    weights = random_weights(spec, 3, rng, WEIGHT_SCALE)
    init = random_states(spec, 2, rng)
    k = 3
    # Backwards processing consumes the tail first, so split in processing order.
    first, second = (x[:, k:], x[:, :k]) if go_backwards else (x[:, :k], x[:, k:])
    full_out, full_states = run_sequence(spec, weights, x, initial_state=init, go_backwards=go_backwards)
    out1, states1 = run_sequence(spec, weights, first, initial_state=init, go_backwards=go_backwards)
    out2, states2 = run_sequence(spec, weights, second, initial_state=states1, go_backwards=go_backwards)
    np.testing.assert_allclose(np.concatenate([out1, out2], axis=1), full_out, rtol=RTOL)
    for a, b in zip(states2, full_states):
        np.testing.assert_allclose(a, b, rtol=RTOL)


def test_default_initial_state_is_zeros():
    rng = np.random.default_rng(11)
    spec = CellSpec("LSTM", 2)
    x = rng.normal(size=(2, 3, 2))
    weights = random_weights(spec, 2, rng, WEIGHT_SCALE)
    out_a, _ = run_sequence(spec, weights, x)
    out_b, _ = run_sequence(spec, weights, x, initial_state=[np.zeros((2, 2)), np.zeros((2, 2))])
    np.testing.assert_array_equal(out_a, out_b)


# --------------------------------------------------------------------------------------
# Bidirectional
# --------------------------------------------------------------------------------------


def bidi_setup(seed, fwd_spec=CellSpec("LSTM", 3), bwd_spec=CellSpec("LSTM", 3)):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 5, 4))
    return fwd_spec, random_weights(fwd_spec, 4, rng, WEIGHT_SCALE), bwd_spec, random_weights(bwd_spec, 4, rng, WEIGHT_SCALE), x, rng


def test_bidirectional_concat_halves_are_the_two_directions():
    fs, fw, bs, bw, x, _ = bidi_setup(12, CellSpec("LSTM", 3), CellSpec("GRU", 2))
    merged, states_f, states_b = bidirectional(fs, fw, bs, bw, x)
    out_f, ref_f = run_sequence(fs, fw, x)
    out_b, ref_b = run_sequence(bs, bw, x, go_backwards=True)
    assert merged.shape == (2, 5)
    np.testing.assert_array_equal(merged[:, :3], out_f[:, -1])
    np.testing.assert_array_equal(merged[:, 3:], out_b[:, -1])
    np.testing.assert_array_equal(merged[:, :3], states_f[0])
    np.testing.assert_array_equal(merged[:, 3:], states_b[0])
    for a, b in zip(states_f + states_b, ref_f + ref_b):
        np.testing.assert_array_equal(a, b)


def test_bidirectional_return_sequences_backward_half_in_input_order():
    fs, fw, bs, bw, x, _ = bidi_setup(13)
    merged, states_f, states_b = bidirectional(fs, fw, bs, bw, x, return_sequences=True)
    out_f, _ = run_sequence(fs, fw, x)
    out_b, _ = run_sequence(bs, bw, x, go_backwards=True)
    assert merged.shape == (2, 5, 6)
    np.testing.assert_array_equal(merged[..., :3], out_f)
    np.testing.assert_array_equal(merged[..., 3:], out_b[:, ::-1])
    # The backward direction ends at input step 0.
    np.testing.assert_array_equal(merged[:, 0, 3:], states_b[0])
    np.testing.assert_array_equal(merged[:, -1, :3], states_f[0])


@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_merge_modes(return_sequences):
    fs, fw, bs, bw, x, _ = bidi_setup(14)
    kw = dict(return_sequences=return_sequences)
    (y_f, y_b), _, _ = bidirectional(fs, fw, bs, bw, x, merge_mode=None, **kw)
    assert isinstance(bidirectional(fs, fw, bs, bw, x, merge_mode=None, **kw)[0], list)
    np.testing.assert_array_equal(bidirectional(fs, fw, bs, bw, x, merge_mode="concat", **kw)[0],
                                  np.concatenate([y_f, y_b], axis=-1))
    np.testing.assert_array_equal(bidirectional(fs, fw, bs, bw, x, merge_mode="sum", **kw)[0], y_f + y_b)
    np.testing.assert_array_equal(bidirectional(fs, fw, bs, bw, x, merge_mode="mul", **kw)[0], y_f * y_b)
    np.testing.assert_allclose(bidirectional(fs, fw, bs, bw, x, merge_mode="ave", **kw)[0], (y_f + y_b) / 2, rtol=RTOL)


def test_bidirectional_initial_state_split():
    fs, fw, bs, bw, x, rng = bidi_setup(15, CellSpec("LSTM", 3), CellSpec("GRU", 3))
    init_f, init_b = random_states(fs, 2, rng), random_states(bs, 2, rng)
    merged, states_f, states_b = bidirectional(
        fs, fw, bs, bw, x, initial_state=init_f + init_b, merge_mode=None, return_sequences=True
    )
    out_f, ref_f = run_sequence(fs, fw, x, initial_state=init_f)
    out_b, ref_b = run_sequence(bs, bw, x, initial_state=init_b, go_backwards=True)
    np.testing.assert_array_equal(merged[0], out_f)
    np.testing.assert_array_equal(merged[1], out_b[:, ::-1])
    for a, b in zip(states_f + states_b, ref_f + ref_b):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="initial_state"):
        bidirectional(fs, fw, bs, bw, x, initial_state=init_f)


@pytest.mark.parametrize("zero_out", [False, True])
def test_bidirectional_right_padding(zero_out):
    fs, fw, bs, bw, x, _ = bidi_setup(16)
    mask = np.array([[True] * 5, [True, True, True, False, False]])
    merged, _, states_b = bidirectional(
        fs, fw, bs, bw, x, mask=mask, return_sequences=True, zero_output_for_mask=zero_out
    )
    # The backward run meets the padding before any valid step, so it emits zeros there either way.
    np.testing.assert_array_equal(merged[1, 3:, 3:], 0.0)
    np.testing.assert_array_equal(merged[1, 0, 3:], states_b[0][1])
    expected_fwd_pad = 0.0 if zero_out else np.broadcast_to(merged[1, 2, :3], (2, 3))
    np.testing.assert_array_equal(merged[1, 3:, :3], expected_fwd_pad)


def test_bidirectional_rejects_bad_merge():
    fs, fw, bs, bw, x, _ = bidi_setup(17, CellSpec("LSTM", 3), CellSpec("LSTM", 2))
    with pytest.raises(ValueError, match="merge_mode"):
        bidirectional(fs, fw, bs, bw, x, merge_mode="max")
    with pytest.raises(ValueError, match="equal units"):
        bidirectional(fs, fw, bs, bw, x, merge_mode="sum")


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


def good_call(spec, features=3, batch=2):
    rng = np.random.default_rng(18)
    return random_weights(spec, features, rng, WEIGHT_SCALE), np.zeros((batch, features)), random_states(spec, batch, rng)


@pytest.mark.parametrize(
    "spec, key, bad_shape, message",
    [
        (CellSpec("LSTM", 4), "kernel", (3, 12), "LSTM kernel must be (F, 16) with F = 3 input features, got (3, 12)"),
        (CellSpec("LSTM", 4), "kernel", (5, 16), "LSTM kernel must be (F, 16) with F = 3 input features, got (5, 16)"),
        (CellSpec("LSTM", 4), "recurrent_kernel", (16, 4), "LSTM recurrent_kernel must be (4, 16), got (16, 4)"),
        (CellSpec("LSTM", 4), "bias", (12,), "LSTM bias must be (16,), got (12,)"),
        (CellSpec("GRU", 2), "bias", (6,), "GRU(reset_after=True) bias must be (2, 6), got (6,)"),
        (CellSpec("GRU", 2, reset_after=False), "bias", (2, 6), "GRU(reset_after=False) bias must be (6,), got (2, 6)"),
        (CellSpec("SimpleRNN", 2), "recurrent_kernel", (2, 1), "SimpleRNN recurrent_kernel must be (2, 2), got (2, 1)"),
    ],
)
def test_bad_weight_shapes_raise(spec, key, bad_shape, message):
    weights, x_t, states = good_call(spec)
    weights[key] = np.zeros(bad_shape)
    with pytest.raises(ValueError, match=re.escape(message)):
        cell_step(spec, weights, x_t, states)
    with pytest.raises(ValueError, match=re.escape(message)):
        run_sequence(spec, weights, x_t[:, None, :])


def test_bias_presence_must_match_use_bias():
    spec = CellSpec("SimpleRNN", 2)
    weights, x_t, states = good_call(spec)
    with pytest.raises(ValueError, match="missing 'bias'"):
        cell_step(spec, {k: v for k, v in weights.items() if k != "bias"}, x_t, states)
    with pytest.raises(ValueError, match="use_bias=False"):
        cell_step(CellSpec("SimpleRNN", 2, use_bias=False), weights, x_t, states)
    with pytest.raises(ValueError, match="missing 'recurrent_kernel'"):
        cell_step(spec, {"kernel": weights["kernel"], "bias": weights["bias"]}, x_t, states)


def test_bad_states_raise():
    spec = CellSpec("LSTM", 2)
    weights, x_t, (h, c) = good_call(spec)
    with pytest.raises(ValueError, match=re.escape("LSTM needs 2 state(s), got 1")):
        cell_step(spec, weights, x_t, [h])
    with pytest.raises(ValueError, match=re.escape("LSTM state 1 must be (2, 2), got (2, 3)")):
        cell_step(spec, weights, x_t, [h, np.zeros((2, 3))])
    with pytest.raises(ValueError, match=re.escape("state 0 must be (2, 2), got (1, 2)")):
        run_sequence(spec, weights, np.zeros((2, 4, 3)), initial_state=[h[:1], c])


def test_bad_inputs_raise():
    spec = CellSpec("GRU", 2)
    weights, _, _ = good_call(spec)
    with pytest.raises(ValueError, match=re.escape("x must be (B, T, F)")):
        run_sequence(spec, weights, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=re.escape("mask must be (2, 4), got (2, 3)")):
        run_sequence(spec, weights, np.zeros((2, 4, 3)), mask=np.ones((2, 3), bool))
    with pytest.raises(ValueError, match=re.escape("x_t must be (B, F)")):
        cell_step(spec, weights, np.zeros(3), [np.zeros((1, 2))])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(cell="LSTMCell", units=2), "cell must be one of"),
        (dict(cell="LSTM", units=0), "units must be a positive integer"),
        (dict(cell="GRU", units=2, activation="swish"), "activation must be one of"),
        (dict(cell="GRU", units=2, recurrent_activation="hardsigmoid"), "recurrent_activation must be one of"),
    ],
)
def test_bad_cell_spec_raises(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CellSpec(**kwargs)


def test_state_count():
    assert CellSpec("LSTM", 1).state_count == 2
    assert CellSpec("GRU", 1).state_count == 1
    assert CellSpec("SimpleRNN", 1).state_count == 1
