"""The cases of chapter 12 (spec/test_arguments.py): every argument with a value other than its default, the
layers built with all of them, constrained training, and stateful Bidirectional layers; the ConvLSTM layers of every
rank among them."""

from pytest_cases import parametrize

from rnnspec.subjects.calls import TrainingSteps
from rnnspec.subjects.convlstm import CONV_RANKS, ConvLSTMSubject
from rnnspec.subjects.layers import CELLS, BidirectionalSubject, LayerSubject
from rnnspec.subjects.shapes import SHAPES
from spec.vocabulary import case_id, on_every_device

# A value other than the default for every argument of each class, as a user would write it. String identifiers keep
# the table readable and hashable; units differ from the default-free 4 used elsewhere.
WEIGHT_ARGUMENTS = {
    "kernel_initializer": "he_normal", "recurrent_initializer": "glorot_normal", "bias_initializer": "ones",
    "kernel_regularizer": "l1", "recurrent_regularizer": "l2", "bias_regularizer": "l2",
    "kernel_constraint": "non_neg", "recurrent_constraint": "unit_norm", "bias_constraint": "max_norm",
}
CELL_ARGUMENTS = {
    "units": 3, "activation": "relu", "use_bias": False, **WEIGHT_ARGUMENTS, "dropout": 0.25,
    "recurrent_dropout": 0.125, "seed": 7,
}
GATED = {"recurrent_activation": "hard_sigmoid"}
RNN_ARGUMENTS = {"return_sequences": True, "return_state": True, "go_backwards": True, "stateful": True, "unroll": True}
NON_DEFAULTS = {
    "LSTMCell": {**CELL_ARGUMENTS, **GATED, "unit_forget_bias": False},
    "GRUCell": {**CELL_ARGUMENTS, **GATED, "reset_after": False},
    "SimpleRNNCell": CELL_ARGUMENTS,
    "RNN": {**RNN_ARGUMENTS, "zero_output_for_mask": True},
}
LAYER_ONLY = {**RNN_ARGUMENTS, "activity_regularizer": "l1"}
NON_DEFAULTS["LSTM"] = {**NON_DEFAULTS["LSTMCell"], **LAYER_ONLY, "use_cudnn": False}
NON_DEFAULTS["GRU"] = {**NON_DEFAULTS["GRUCell"], **LAYER_ONLY, "use_cudnn": False}
NON_DEFAULTS["SimpleRNN"] = {**NON_DEFAULTS["SimpleRNNCell"], **LAYER_ONLY}
CONV_LSTM_CLASSES = tuple(f"ConvLSTM{rank}D" for rank in CONV_RANKS)
# A ConvLSTM takes the LSTM's arguments (filters in place of units; it does not unroll) and its convolution's.
LIKE_THE_LSTM = {a: v for a, v in NON_DEFAULTS["LSTM"].items() if a not in ("units", "unroll", "use_cudnn")}
for rank, name in zip(CONV_RANKS, CONV_LSTM_CLASSES):
    NON_DEFAULTS[name] = {
        "filters": 5, "kernel_size": (2,) * rank, "strides": (2,) * rank, "padding": "same",
        "data_format": "channels_first", "dilation_rate": (2,) * rank, **LIKE_THE_LSTM,
    }

ARGUMENTS = [(name, argument, value) for name, arguments in NON_DEFAULTS.items() for argument, value in arguments.items()]


@parametrize("class_name, argument, value", ARGUMENTS, ids=[case_id(class_name=c, argument=a) for c, a, _ in ARGUMENTS])
def non_default_argument(class_name, argument, value):
    return class_name, argument, value


# Each recurrent class, built with every argument of NON_DEFAULTS (its cells' too), for the round trips.
EVERY_CLASS = ("LSTM", "GRU", "SimpleRNN", "RNN", "StackedRNNCells", "Bidirectional", *CONV_LSTM_CLASSES)
# But those a ConvLSTM built with every argument leaves out: Keras refuses strides > 1 with a dilation, so 1D
# leaves out the dilation and 2D and 3D the strides; and 3D stays channels last, as chapter 13 keeps it (TensorFlow
# compiles a channels-first 3-D convolution on the CPU with XLA, some 4 s).
BUILT_WITHOUT = {"ConvLSTM1D": ("dilation_rate",), "ConvLSTM2D": ("strides",), "ConvLSTM3D": ("strides", "data_format")}


@parametrize(class_name=EVERY_CLASS)
def with_every_argument(class_name):
    return class_name


# NonNeg on all three weights, whose seeded values are about half negative, through one SGD step.
CONSTRAINED = tuple(sorted((f"{weight}_constraint", "non_neg") for weight in ("kernel", "recurrent", "bias")))


@parametrize(cell=CELLS)
@on_every_device
def constrained_training(cell, device):
    return LayerSubject(cell, True, True, device, SHAPES["batch"], TrainingSteps(), options=CONSTRAINED)


@parametrize(rank=CONV_RANKS)
@on_every_device
def constrained_conv_lstm(rank, device):
    """A ConvLSTM returning its sequence, "same" padding, through one SGD step."""
    return ConvLSTMSubject(rank, True, False, device, TrainingSteps(), padding="same", options=CONSTRAINED)


@parametrize(cell=CONV_LSTM_CLASSES)
@on_every_device
def conv_lstm_of(cell, device):
    return cell, device


@parametrize(cell=CELLS)
@on_every_device
def stateful_bidirectional(cell, device):
    """Bidirectional around a stateful layer returning sequences (with return_state it cannot be called: a known
    divergence)."""
    return BidirectionalSubject(cell, True, False, device, SHAPES["batch"], options=(("stateful", True),))
