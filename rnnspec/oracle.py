"""What the NumPy reference says a configuration must return, from the weights and inputs it was run with."""

import numpy as np

from rnnspec import installation, kernels, reference
from rnnspec.configs import LayerConfig

# Keras's defaults, as documented on the LSTM, GRU and SimpleRNN pages.
DEFAULTS = {"activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True, "reset_after": True}


def reference_activation(name: str) -> str:
    """hard_sigmoid is relu6(x + 3) / 6 in Keras 3 and clip(0.2 x + 0.5, 0, 1) in Keras 2 (tf_keras)."""
    if name == "hard_sigmoid" and installation.current().keras_major < 3:
        return "hard_sigmoid_keras2"
    return name


def cell_spec(config: LayerConfig) -> reference.CellSpec:
    arguments = {**DEFAULTS, **dict(config.options)}
    return reference.CellSpec(
        cell=config.cell,
        units=config.shape.units,
        activation=reference_activation(arguments["activation"]),
        recurrent_activation=reference_activation(arguments["recurrent_activation"]),
        use_bias=arguments["use_bias"],
        reset_after=arguments["reset_after"],
    )


def weight_dict(names, values) -> dict:
    """Keras 3 names weights `kernel`; Keras 2 names them `lstm/lstm_cell/kernel:0`."""
    return {name.split("/")[-1].split(":")[0]: value for name, value in zip(names, values)}


def expected(
    config: LayerConfig, weights: dict, inputs, *, mask=None, initial_state=None, kernel=kernels.GENERIC
) -> tuple[np.ndarray, ...]:
    """(output, *states) as the configuration's layer should return them for these inputs, in float64.
    `go_backwards` and `zero_output_for_mask` come from the configuration's layer arguments. Under a mask the
    cuDNN kernel writes zeros at masked steps and returns the final h as its last output (a known kernel
    difference); the generic kernel repeats the last valid output."""
    arguments = dict(config.options)
    cudnn_masked = kernel == kernels.CUDNN and mask is not None
    outputs, states = reference.run_sequence(
        cell_spec(config),
        weights,
        inputs,
        mask=mask,
        initial_state=initial_state,
        go_backwards=arguments.get("go_backwards", False),
        zero_output_for_mask=arguments.get("zero_output_for_mask", False) or cudnn_masked,
    )
    output = outputs if config.return_sequences else (states[0] if cudnn_masked else outputs[:, -1])
    return (output, *states) if config.return_state else (output,)


def layer_weights(layer) -> dict:
    return weight_dict([w.name for w in layer.weights], layer.get_weights())


def expected_returns(observation) -> tuple[np.ndarray, ...]:
    """What the observed call should have returned, in float64."""
    weights = weight_dict(observation.weight_names, observation.weights)
    return expected(observation.config, weights, observation.inputs)
