"""Tests of the ConvLSTM NumPy oracle itself (rnnspec.oracle.convlstm): its convolution worked by hand and against a
plain loop over every output position, its cell worked by hand, and its agreement with the LSTM oracle where the two
must agree (1-wide kernels)."""

import itertools
import math

import numpy as np
import pytest

from rnnspec.oracle.convlstm import ConvLSTMSpec, conv_lstm_step, convolve, output_size, run_sequence
from rnnspec.oracle.recurrent import CellSpec
from rnnspec.oracle.recurrent import run_sequence as lstm_sequence

pytestmark = pytest.mark.meta

RTOL = 1e-12


def sig(v):
    return 1.0 / (1.0 + math.exp(-v))


def one_by_one(values):
    """A 1-D signal of one sample and one channel, (1, length, 1)."""
    return np.array(values, dtype=float)[None, :, None]


# --------------------------------------------------------------------------------------
# The convolution
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size, kernel, stride, padding, dilation, expected",
    [
        (7, 3, 1, "valid", 1, (5, 0)),
        (7, 3, 2, "valid", 1, (3, 0)),
        (7, 3, 2, "same", 1, (4, 1)),  # (4 - 1) 2 + 3 - 7 = 2 padded, 1 before
        (5, 2, 1, "same", 1, (5, 0)),  # 1 padded: the odd pad goes after
        (6, 3, 2, "same", 1, (3, 0)),  # (3 - 1) 2 + 3 - 6 = 1 padded, after
        (7, 3, 1, "valid", 2, (3, 0)),  # the kernel spans 5
        (7, 3, 1, "same", 2, (7, 2)),
        (3, 5, 1, "same", 1, (3, 2)),  # a kernel wider than the input
    ],
)
def test_output_size_and_padding_before(size, kernel, stride, padding, dilation, expected):
    assert output_size(size, kernel, stride, padding, dilation) == expected


def test_a_kernel_wider_than_the_input_does_not_fit_without_padding():
    with pytest.raises(ValueError, match="does not fit"):
        output_size(2, 3, 1, "valid")


@pytest.mark.parametrize(
    "strides, padding, dilation, expected",
    [
        ((1,), "valid", None, [321, 432]),  # 1 + 20 + 300, 2 + 30 + 400
        ((1,), "same", None, [210, 321, 432, 43]),  # one zero before and after
        ((2,), "same", None, [321, 43]),  # one zero, after: windows at 0 and 2
        ((2,), "valid", None, [321]),
    ],
)
def test_convolution_by_hand_is_a_cross_correlation(strides, padding, dilation, expected):
    """kernel [1, 10, 100] slid over [1, 2, 3, 4], unflipped: each output reads its window left to right."""
    y = convolve(one_by_one([1, 2, 3, 4]), np.array([1.0, 10.0, 100.0])[:, None, None], strides, padding, dilation)
    np.testing.assert_array_equal(y[0, :, 0], expected)


def test_dilated_convolution_by_hand():
    y = convolve(one_by_one([1, 2, 3, 4, 5]), np.array([1.0, 10.0, 100.0])[:, None, None], (1,), "valid", (2,))
    np.testing.assert_array_equal(y[0, :, 0], [1 + 30 + 500])


def test_channels_are_mixed_by_the_kernels_last_two_axes():
    """A 1-wide kernel (1, C, F) maps each position's channels as x @ kernel[0]."""
    kernel = np.array([[[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]]])  # C = 2, F = 3
    x = np.array([[[1.0, 0.5], [2.0, -1.0]]])  # (1, 2 positions, 2 channels)
    np.testing.assert_array_equal(convolve(x, kernel, (1,), "valid")[0], [[6.0, 12.0, 18.0], [-8.0, -16.0, -24.0]])


def test_two_dimensional_kernel_axes_follow_the_input_axes():
    """kernel[0, 1] multiplies the input one column to the right, not one row down."""
    kernel = np.zeros((2, 2, 1, 1))
    kernel[0, 1] = 1.0
    x = np.arange(9.0).reshape(1, 3, 3, 1)
    np.testing.assert_array_equal(convolve(x, kernel, (1, 1), "valid")[0, :, :, 0], x[0, :2, 1:, 0])


def looped_convolution(x, kernel, strides, padding):
    """The convolution written as a loop over every output position, offset, channel and filter."""
    rank = x.ndim - 2
    axes = zip(x.shape[1:-1], kernel.shape[:rank], strides)
    sizes, befores = zip(*(output_size(n, k, s, padding) for n, k, s in axes))
    y = np.zeros((x.shape[0], *sizes, kernel.shape[-1]))
    for b, position in itertools.product(range(x.shape[0]), itertools.product(*(range(n) for n in sizes))):
        for offset in itertools.product(*(range(k) for k in kernel.shape[:rank])):
            where = [p * s + k - before for p, s, k, before in zip(position, strides, offset, befores)]
            if all(0 <= w < n for w, n in zip(where, x.shape[1:-1])):
                y[(b, *position)] += x[(b, *where)] @ kernel[offset]
    return y


@pytest.mark.parametrize(
    "spatial, kernel_size, strides, padding",
    [
        ((7,), (3,), (1,), "valid"), ((7,), (2,), (2,), "same"), ((7, 5), (3, 2), (1, 1), "same"),
        ((7, 5), (3, 2), (2, 2), "valid"), ((5, 6, 4), (2, 3, 2), (2, 2, 2), "same"),
        ((5, 6, 4), (2, 3, 2), (1, 1, 1), "valid"),
    ],
)
def test_convolution_equals_a_loop_over_output_positions(spatial, kernel_size, strides, padding):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, *spatial, 3))
    kernel = rng.normal(size=(*kernel_size, 3, 4))
    expected = looped_convolution(x, kernel, strides, padding)
    np.testing.assert_allclose(convolve(x, kernel, strides, padding), expected, rtol=RTOL)


# --------------------------------------------------------------------------------------
# The cell
# --------------------------------------------------------------------------------------


def test_one_step_by_hand():
    """One filter over one channel, 1-D, 3 positions, kernel 2 with "same" padding (the odd pad after): the input
    convolution reads x[p] and x[p + 1], the state convolution h[p] and h[p + 1]."""
    weights = {
        "kernel": np.array([[[0.5, -0.5, 1.0, 0.25]], [[0.1, 0.2, 0.3, -0.4]]]),  # (2, 1, 4): i, f, c, o
        "recurrent_kernel": np.array([[[0.2, 0.1, -0.3, 0.4]], [[-0.1, 0.3, 0.2, 0.1]]]),
        "bias": np.array([0.0, 1.0, 0.0, -0.5]),
    }
    x, h0, c0 = [1.0, 2.0, -1.0], [0.5, -0.2, 0.3], [0.1, 0.4, -0.6]
    k, r, b = weights["kernel"][:, 0], weights["recurrent_kernel"][:, 0], weights["bias"]
    xp, hp = x + [0.0], h0 + [0.0]
    expected_h, expected_c = [], []
    for p in range(3):
        z = [k[0, g] * xp[p] + k[1, g] * xp[p + 1] + r[0, g] * hp[p] + r[1, g] * hp[p + 1] + b[g] for g in range(4)]
        c = sig(z[1]) * c0[p] + sig(z[0]) * math.tanh(z[2])
        expected_c.append(c)
        expected_h.append(sig(z[3]) * math.tanh(c))
    spec = ConvLSTMSpec(strides=(1,), padding="same")
    h, c = conv_lstm_step(spec, weights, one_by_one(x), one_by_one(h0), one_by_one(c0))
    np.testing.assert_allclose(h[0, :, 0], expected_h, rtol=RTOL)
    np.testing.assert_allclose(c[0, :, 0], expected_c, rtol=RTOL)


def test_gate_block_order_is_i_f_c_o():
    """With linear activations and zero kernels, c' = f c + i g and h' = o c', each gate its bias block."""
    spec = ConvLSTMSpec(strides=(1,), activation="linear", recurrent_activation="linear")
    weights = {"kernel": np.zeros((1, 1, 8)), "recurrent_kernel": np.zeros((1, 2, 8)),
               "bias": np.array([1.0, 2.0, 0.5, 0.25, 3.0, 5.0, 7.0, 11.0])}  # i0 i1 f0 f1 c0 c1 o0 o1
    h, c = conv_lstm_step(spec, weights, np.zeros((1, 1, 1)), np.zeros((1, 1, 2)), np.array([[[4.0, 8.0]]]))
    np.testing.assert_array_equal(c, [[[5.0, 12.0]]])
    np.testing.assert_array_equal(h, [[[35.0, 132.0]]])


def test_one_wide_kernels_compute_an_lstm_at_every_position():
    """With kernel size 1 the convolutions are per-position matrix products: every position is an LSTM (the LSTM
    oracle, rnnspec.oracle.recurrent) over its own sequence."""
    rng = np.random.default_rng(6)
    channels, filters, positions = 3, 2, 4
    weights = {
        "kernel": rng.normal(0, 0.5, (1, channels, 4 * filters)),
        "recurrent_kernel": rng.normal(0, 0.5, (1, filters, 4 * filters)),
        "bias": rng.normal(0, 0.5, 4 * filters),
    }
    x = rng.normal(size=(2, 5, positions, channels))
    initial = [rng.normal(0, 0.5, (2, positions, filters)) for _ in range(2)]
    outputs, (h, c) = run_sequence(ConvLSTMSpec(strides=(1,)), weights, x, initial_state=initial)
    as_lstm = {"kernel": weights["kernel"][0], "recurrent_kernel": weights["recurrent_kernel"][0]}
    as_lstm["bias"] = weights["bias"]
    for p in range(positions):
        lstm_outputs, (lstm_h, lstm_c) = lstm_sequence(
            CellSpec("LSTM", filters), as_lstm, x[:, :, p], initial_state=[initial[0][:, p], initial[1][:, p]]
        )
        np.testing.assert_allclose(outputs[:, :, p], lstm_outputs, rtol=RTOL)
        np.testing.assert_allclose(h[:, p], lstm_h, rtol=RTOL)
        np.testing.assert_allclose(c[:, p], lstm_c, rtol=RTOL)


# --------------------------------------------------------------------------------------
# The sequence
# --------------------------------------------------------------------------------------


def random_layer(rank, rng, channels=2, filters=3, kernel_size=None):
    kernel_size = kernel_size or (3, 2, 2)[:rank]
    return {
        "kernel": rng.normal(0, 0.4, (*kernel_size, channels, 4 * filters)),
        "recurrent_kernel": rng.normal(0, 0.4, (*kernel_size, filters, 4 * filters)),
        "bias": rng.normal(0, 0.4, 4 * filters),
    }


def test_strided_states_keep_the_output_size():
    """The state convolution (stride 1, "same") keeps the spatial size the strided input convolution leaves."""
    rng = np.random.default_rng(7)
    spec, x = ConvLSTMSpec(strides=(2, 2), padding="same"), rng.normal(size=(2, 3, 7, 5, 2))
    outputs, (h, c) = run_sequence(spec, random_layer(2, rng), x)
    assert outputs.shape == (2, 3, 4, 3, 3) and h.shape == c.shape == (2, 4, 3, 3)
    np.testing.assert_array_equal(outputs[:, -1], h)


def test_channels_first_is_channels_last_transposed():
    rng = np.random.default_rng(8)
    weights, x = random_layer(2, rng), rng.normal(size=(2, 3, 7, 5, 2))
    last, (h_last, c_last) = run_sequence(ConvLSTMSpec(strides=(2, 1), padding="same"), weights, x)
    first, (h_first, c_first) = run_sequence(
        ConvLSTMSpec(strides=(2, 1), padding="same", data_format="channels_first"), weights, np.moveaxis(x, -1, 2)
    )
    np.testing.assert_allclose(first, np.moveaxis(last, -1, 2), rtol=RTOL)
    np.testing.assert_allclose(h_first, np.moveaxis(h_last, -1, 1), rtol=RTOL)
    np.testing.assert_allclose(c_first, np.moveaxis(c_last, -1, 1), rtol=RTOL)


def test_go_backwards_is_the_forward_run_on_the_reversed_input():
    rng = np.random.default_rng(9)
    spec, weights, x = ConvLSTMSpec(strides=(1,), padding="same"), random_layer(1, rng), rng.normal(size=(2, 5, 6, 2))
    backwards, states = run_sequence(spec, weights, x, go_backwards=True)
    forward, forward_states = run_sequence(spec, weights, x[:, ::-1])
    np.testing.assert_array_equal(backwards, forward)
    for a, b in zip(states, forward_states):
        np.testing.assert_array_equal(a, b)


def test_zero_weights_halve_the_initial_cell_state_at_every_step():
    """i = f = o = 0.5 and g = tanh(0) = 0: c_t = 0.5^t c0 and h_t = 0.5 tanh(c_t), from the given initial state."""
    rng = np.random.default_rng(10)
    weights = {name: np.zeros_like(value) for name, value in random_layer(2, rng).items()}
    c0 = rng.normal(size=(1, 6, 4, 3))
    outputs, (h, c) = run_sequence(
        ConvLSTMSpec(strides=(1, 1)), weights, rng.normal(size=(1, 4, 8, 5, 2)), initial_state=[np.ones_like(c0), c0]
    )
    for t in range(4):
        np.testing.assert_allclose(outputs[:, t], 0.5 * np.tanh(0.5 ** (t + 1) * c0), rtol=RTOL)
    np.testing.assert_allclose(c, 0.5**4 * c0, rtol=RTOL)


def test_the_input_must_have_rank_plus_3_dimensions():
    with pytest.raises(ValueError, match="5 dimensions"):
        run_sequence(ConvLSTMSpec(strides=(1, 1)), random_layer(2, np.random.default_rng(0)), np.zeros((1, 2, 7, 5)))
