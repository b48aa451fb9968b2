"""Cases for the chapter on devices and kernels: layers that can run cuDNN, each condition that rules it out, and
the catalogue on a GPU with TF32 disabled and enabled."""

from pytest_cases import parametrize

from rnnspec.subjects.calls import CALL_PATHS, Call
from rnnspec.subjects.layers import CELLS, LayerSubject
from rnnspec.subjects.shapes import PADDED, SHAPES
from spec.vocabulary import case_id, on_every_device

CUDNN_CELLS = ("LSTM", "GRU")  # SimpleRNN has no cuDNN kernel in Keras

# Each argument that rules the cuDNN kernel out, alone (https://keras.io/api/layers/recurrent_layers/lstm/).
INELIGIBLE = {
    "LSTM": [("activation", "relu"), ("recurrent_activation", "hard_sigmoid"), ("recurrent_dropout", 0.25),
             ("unroll", True), ("use_bias", False), ("use_cudnn", False)],
}
INELIGIBLE["GRU"] = INELIGIBLE["LSTM"] + [("reset_after", False)]
INELIGIBLE_CASES = [(cell, argument) for cell in CUDNN_CELLS for argument in INELIGIBLE[cell]]


def on_device(cell, device, return_sequences=True, return_state=True, *arguments):
    """A layer on the padded batch of the chapters on time, so that its masks apply."""
    return LayerSubject(cell, return_sequences, return_state, device, PADDED, options=tuple(sorted(arguments)))


on_the_gpu = parametrize(device=("gpu",))  # cases whose statements speak of a GPU alone


@parametrize(cell=CUDNN_CELLS, return_sequences=(False, True), return_state=(False, True))
@on_the_gpu
def eligible_on_gpu(cell, return_sequences, return_state, device):
    return on_device(cell, device, return_sequences, return_state)


@parametrize("cell, argument", INELIGIBLE_CASES, ids=[case_id(cell=c, **{k: v}) for c, (k, v) in INELIGIBLE_CASES])
@on_the_gpu
def ineligible_on_gpu(cell, argument, device):
    return on_device(cell, device, True, True, argument)


@parametrize(cell=CUDNN_CELLS)
@on_every_device
def cudnn_capable_layer(cell, device):
    return on_device(cell, device)


every_configuration = parametrize(
    cell=CELLS, return_sequences=(False, True), return_state=(False, True), shape=tuple(SHAPES), call_path=CALL_PATHS
)


@every_configuration
@parametrize(device=("cpu",))
def catalogue_on_cpu(cell, return_sequences, return_state, shape, call_path, device):
    return LayerSubject(cell, return_sequences, return_state, device, SHAPES[shape], Call(call_path))


@every_configuration
@parametrize(tf32=(False, True))
@on_the_gpu
def catalogue_on_gpu(cell, return_sequences, return_state, shape, call_path, tf32, device):
    return LayerSubject(cell, return_sequences, return_state, device, SHAPES[shape], Call(call_path, tf32=tf32))


@parametrize(cell=CUDNN_CELLS, return_state=(False, True))
@on_the_gpu
def masked_sequences_on_gpu(cell, return_state, device):
    return on_device(cell, device, True, return_state)
