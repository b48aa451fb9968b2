"""What the NumPy reference (rnnspec.oracle.recurrent) says a subject must return, from the weights and inputs it ran
with: the adapter between the subjects' arguments and the reference's cell equations."""

import numpy as np

from rnnspec import installation
from rnnspec.oracle import backprop, convlstm, recurrent
from rnnspec.probes import kernels
from rnnspec.probes.gradients import (
    LEARNING_RATE,
    STEPS,
    previous_call_inputs,
    seeded_cotangents,
    seeded_initial_states,
)
from rnnspec.probes.observe import weight_name
from rnnspec.statements.tolerances import CONV_LSTM_VERSUS_REFERENCE, VERSUS_REFERENCE, Tolerance
from rnnspec.subjects.cells import StackSubject
from rnnspec.subjects.convlstm import ConvLSTMSubject
from rnnspec.subjects.layers import BidirectionalSubject, LayerSubject

# Keras's defaults, as documented on the LSTM, GRU and SimpleRNN pages.
DEFAULTS = {"activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True, "reset_after": True}


def reference_activation(name: str | None) -> str:
    """hard_sigmoid is relu6(x + 3) / 6 in Keras 3 and clip(0.2 x + 0.5, 0, 1) in Keras 2 (tf_keras). None is
    documented as "no activation is applied (ie. "linear" activation: a(x) = x)"."""
    if name is None:
        return "linear"
    if name == "hard_sigmoid" and installation.current().keras_major < 3:
        return "hard_sigmoid_keras2"
    return name


def cell_spec(subject: LayerSubject) -> recurrent.CellSpec:
    arguments = {**DEFAULTS, **dict(subject.options)}
    return recurrent.CellSpec(
        cell=subject.cell,
        units=subject.shape.units,
        activation=reference_activation(arguments["activation"]),
        recurrent_activation=reference_activation(arguments["recurrent_activation"]),
        use_bias=arguments["use_bias"],
        reset_after=arguments["reset_after"],
    )


def expected(
    subject: LayerSubject, weights: dict, inputs, *, mask=None, initial_state=None, kernel=kernels.GENERIC
) -> tuple[np.ndarray, ...]:
    """(output, *states) as the configuration's layer should return them for these inputs, in float64.
    `go_backwards` and `zero_output_for_mask` come from the configuration's layer arguments. Under a mask the
    cuDNN kernel writes zeros at masked steps and returns the final h as its last output (a known kernel
    difference); the generic kernel repeats the last valid output."""
    arguments = dict(subject.options)
    cudnn_masked = kernel == kernels.CUDNN and mask is not None
    outputs, states = recurrent.run_sequence(
        cell_spec(subject),
        weights,
        inputs,
        mask=mask,
        initial_state=initial_state,
        go_backwards=arguments.get("go_backwards", False),
        zero_output_for_mask=arguments.get("zero_output_for_mask", False) or cudnn_masked,
    )
    output = outputs if subject.return_sequences else (states[0] if cudnn_masked else outputs[:, -1])
    return (output, *states) if subject.return_state else (output,)


def expected_returns(observation) -> tuple[np.ndarray, ...]:
    """What the observed call of a recurrent layer should have returned, in float64."""
    (weights,) = observation.parts
    return expected(observation.subject, weights, observation.inputs)


def expected_bidirectional(observation) -> tuple[np.ndarray, ...]:
    """What the wrapper should return, in float64: the output (two with merge_mode=None), then with return_state
    the forward states, then the backward states. With return_sequences a masked step outputs zeros: the wrapper
    documents that it sets zero_output_for_mask to return_sequences."""
    subject = observation.subject
    forward_weights, backward_weights = observation.parts
    merged, forward_states, backward_states = recurrent.bidirectional(
        cell_spec(subject), forward_weights, cell_spec(subject.backward_layer), backward_weights,
        observation.inputs, merge_mode=subject.merge_mode, return_sequences=subject.return_sequences,
        mask=subject.probe.mask_array, zero_output_for_mask=subject.return_sequences,
    )
    outputs = tuple(merged) if subject.merge_mode is None else (merged,)
    if not subject.return_state:
        return outputs
    return (*outputs, *forward_states, *backward_states)


def expected_time_distributed(subject: LayerSubject, weights: dict, inputs, *, step_mask=None) -> np.ndarray:
    """What `TimeDistributed` around the recurrent layer should return, in float64: the layer's reference output on
    each time slice `inputs[:, t]` alone, slice after slice along axis 1; under a mask of each slice's steps
    (batch, timesteps, inner_timesteps), each slice read under its own."""
    slices = range(inputs.shape[1])
    return np.stack(
        [expected(subject, weights, inputs[:, t], mask=None if step_mask is None else step_mask[:, t])[0] for t in slices],
        axis=1,
    )


def expected_stack(observation) -> tuple[np.ndarray, list[list[np.ndarray]]]:
    """(output sequence, states of each cell in cell order), in float64: a stack of cells computes what the same
    cells do as layers stacked one on the other, the upper one reading the lower one's output sequence."""
    sequence, states = observation.inputs, []
    mask = observation.subject.probe.mask_array
    for cell, units, weights in zip(observation.subject.cells, observation.subject.stack_units, observation.parts):
        sequence, final = recurrent.run_sequence(recurrent.CellSpec(cell, units), weights, sequence, mask=mask)
        states.append(final)
    return sequence, states


def expected_custom_cell(observation) -> tuple[np.ndarray, np.ndarray]:
    """(output sequence, final h) of an RNN over a cell of rnnspec.subjects.custom_cells, in float64."""
    (weights,) = observation.parts
    mask = observation.subject.probe.mask_array
    return recurrent.wide_output_cell(weights["kernel"], weights["recurrent_kernel"], observation.inputs, mask)


def expected_gradients(observation) -> tuple[np.ndarray, ...]:
    """What the observed gradient (rnnspec.probes.gradients) should be, in float64: with respect to the inputs, each
    initial state, and each weight in the layer's order (the observation's first arrays; the values it returned
    follow them)."""
    (weights,) = observation.parts
    subject = observation.subject
    gradients = reference_gradient(subject, weights, observation.inputs, initial_states_of(subject, weights))
    by_weight = [gradients.weights[weight_name(name)] for name in observation.weight_names]
    # After a previous call the states are carried in, not given, and a call given none starts from zeros: there is
    # then no initial state to differentiate.
    initial = gradients.initial_state if subject.probe.initial_state_names(subject) else []
    return (gradients.inputs, *initial, *by_weight)


def initial_states_of(subject, weights: dict) -> list[np.ndarray]:
    """The states a gradient subject's call starts from: its seeded initial states, or, after a previous call,
    the final states of that call as the reference computes them; None (zeros) where it is given none."""
    if not subject.probe.after_a_previous_call:
        return seeded_initial_states(subject) or None
    arguments = dict(subject.options)
    _, states = recurrent.run_sequence(
        cell_spec(subject), weights, previous_call_inputs(subject), go_backwards=arguments.get("go_backwards", False)
    )
    return states


def expected_bidirectional_gradients(observation) -> tuple[np.ndarray, ...]:
    """What the observed gradient of a Bidirectional subject should be, in float64: with respect to the inputs,
    each direction's initial states (forward first) and each direction's weights (forward first). With
    return_sequences a masked step outputs zeros: the wrapper sets zero_output_for_mask to return_sequences."""
    subject = observation.subject
    forward_weights, backward_weights = observation.parts
    cotangents = seeded_cotangents(subject, subject.returned_shapes)
    outputs = len(subject.output_names)
    d_output, d_states = (cotangents[0] if outputs == 1 else cotangents[:outputs]), cotangents[outputs:]
    count = len(subject.state_names)
    gradients = backprop.bidirectional_vjp(
        cell_spec(subject), forward_weights, cell_spec(subject.backward_layer), backward_weights, observation.inputs,
        d_output=d_output, d_forward_states=d_states[:count] or None, d_backward_states=d_states[count:] or None,
        merge_mode=subject.merge_mode, return_sequences=subject.return_sequences,
        initial_state=seeded_initial_states(subject) or None, mask=subject.probe.mask_array,
        zero_output_for_mask=subject.return_sequences,
    )
    by_direction = {"forward": gradients.forward_weights, "backward": gradients.backward_weights}
    weights = [by_direction[direction][name] for direction, name in (n.split(" ", 1) for n in subject.weight_names)]
    initial = gradients.initial_state if subject.probe.initial_state_names(subject) else []
    return (gradients.inputs, *initial, *weights)


def expected_stack_gradients(observation) -> tuple[np.ndarray, ...]:
    """What the observed gradient of an RNN over stacked cells should be, in float64: with respect to the inputs,
    each cell's initial states and each cell's weights, the lower cell's first."""
    subject = observation.subject
    d_output, *d_states = seeded_cotangents(subject, subject.returned_shapes)
    gradients = backprop.stacked_vjp(
        [recurrent.CellSpec(cell, units) for cell, units in zip(subject.cells, subject.stack_units)],
        list(observation.parts), observation.inputs, d_outputs=d_output,
        d_states=subject.initial_state_argument(d_states), mask=subject.probe.mask_array,
        initial_state=subject.initial_state_argument(seeded_initial_states(subject)) if given_initial_state(subject) else None,
    )
    initial = [state for cell_states in gradients.initial_state for state in cell_states] if given_initial_state(subject) else []
    weights = [cell[name] for cell in gradients.weights for name in ("kernel", "recurrent_kernel", "bias")]
    return (gradients.inputs, *initial, *weights)


def given_initial_state(subject) -> bool:
    """Whether the subject's call is given seeded initial states (a `Gradient` probe's `initial_state`)."""
    return bool(subject.probe.initial_state_names(subject))


def expected_training(observation) -> tuple[np.ndarray, ...]:
    """The weights, in the layer's order, after the observed steps of SGD (rnnspec.probes.gradients.training_steps): each
    step moves every weight by -LEARNING_RATE times the reference's gradient at the weights before it."""
    (weights,) = observation.parts
    subject = observation.subject
    for _ in range(STEPS[subject.probe.loop]):
        for batch in subject.probe.batches(subject.shape.batch):
            gradient = reference_gradient(subject, weights, observation.inputs, initial_state=None, samples=batch)
            weights = {name: weights[name] - LEARNING_RATE * gradient.weights[name] for name in weights}
    return tuple(weights[weight_name(name)] for name in observation.weight_names)


def reference_gradient(subject, weights: dict, inputs, initial_state, samples=slice(None)) -> backprop.SequenceGradients:
    """Backpropagation through time of the seeded loss over what the configuration's layer returns (over the
    `samples` of the batch alone: a training step on one batch of them). A layer without `return_sequences` returns
    the output of its last processed step, so the output's cotangent reaches that step alone."""
    output, *states = (cotangent[samples] for cotangent in seeded_cotangents(subject, subject.returned_shapes))
    d_outputs = np.zeros((len(output), subject.shape.timesteps, subject.shape.units))
    if subject.return_sequences:
        d_outputs = output
    else:
        d_outputs[:, -1] = output
    arguments = dict(subject.options)
    mask = subject.probe.mask_array
    return backprop.sequence_vjp(
        cell_spec(subject), weights, inputs[samples], d_outputs=d_outputs, d_states=states or None,
        initial_state=initial_state, mask=None if mask is None else mask[samples],
        go_backwards=arguments.get("go_backwards", False),
        zero_output_for_mask=arguments.get("zero_output_for_mask", False),
    )


def expected_values(observation, *, inputs=None, weights=None) -> tuple[np.ndarray, ...]:
    """What the call whose gradient was observed should have returned (the output, then with return_state each
    state), in float64, from its seeded initial states: on the observed inputs and weights, or on `inputs` and
    with `weights` where given (what dropout in training amounts to, written as the inputs or weights it leaves)."""
    subject = observation.subject
    (own,) = observation.parts
    return expected(
        subject, own if weights is None else weights, observation.inputs if inputs is None else inputs,
        mask=subject.probe.mask_array, initial_state=initial_states_of(subject, own),
    )


def expected_mean_squared_error_gradients(subject: LayerSubject, weights: dict, inputs, targets) -> dict:
    """The gradient, by weight name and in float64, of the mean squared error between the layer's last output and
    `targets` (Keras's "mean_squared_error": the mean of (output - targets)² over the batch and the units), for a
    layer returning its last output alone: the loss's cotangent 2 (output - targets) / (batch × units) reaches the
    last processed step."""
    (output,) = expected(subject, weights, inputs)
    d_outputs = np.zeros((subject.shape.batch, subject.shape.timesteps, subject.shape.units))
    d_outputs[:, -1] = 2.0 * (output - targets) / output.size
    gradients = backprop.sequence_vjp(
        cell_spec(subject), weights, inputs, d_outputs=d_outputs, d_states=None,
        go_backwards=dict(subject.options).get("go_backwards", False),
    )
    return gradients.weights


# tf_keras documents ConvLSTM1D/2D/3D's recurrent_activation as "hard_sigmoid" by default (Keras 3: "sigmoid").
CONV_LSTM_DEFAULTS_IN_KERAS_2 = {"recurrent_activation": "hard_sigmoid"}


def conv_lstm_spec(subject: ConvLSTMSubject) -> convlstm.ConvLSTMSpec:
    """The reference's ConvLSTM cell for a configuration: its convolution's geometry, a tuple per spatial axis as
    Keras documents an integer to mean, and its activations."""
    keras_2 = CONV_LSTM_DEFAULTS_IN_KERAS_2 if installation.current().keras_major < 3 else {}
    arguments = {**DEFAULTS, **keras_2, **dict(subject.options)}
    per_axis = lambda value: tuple(value) if isinstance(value, (tuple, list)) else (value,) * subject.rank
    return convlstm.ConvLSTMSpec(
        strides=per_axis(subject.strides),
        padding=subject.padding,
        dilation_rate=per_axis(arguments.get("dilation_rate", 1)),
        data_format=subject.data_format,
        activation=reference_activation(arguments["activation"]),
        recurrent_activation=reference_activation(arguments["recurrent_activation"]),
        use_bias=arguments["use_bias"],
    )


def expected_conv_lstm(subject: ConvLSTMSubject, weights: dict, inputs, *, initial_state=None) -> tuple[np.ndarray, ...]:
    """(output, h, c), or the output alone without return_state, as the configuration's ConvLSTM layer should
    return them for these inputs, in float64; `go_backwards` from its arguments."""
    outputs, states = convlstm.run_sequence(
        conv_lstm_spec(subject), weights, inputs, initial_state=initial_state,
        go_backwards=dict(subject.options).get("go_backwards", False),
    )
    output = outputs if subject.return_sequences else outputs[:, -1]
    return (output, *states) if subject.return_state else (output,)


def expected_of(subject, weights: dict, inputs, *, initial_state=None) -> tuple[np.ndarray, ...]:
    """What a recurrent layer or a ConvLSTM should return for these inputs, by the oracle of its kind, in float64."""
    if isinstance(subject, ConvLSTMSubject):
        return expected_conv_lstm(subject, weights, inputs, initial_state=initial_state)
    return expected(subject, weights, inputs, initial_state=initial_state)


def reference_tolerance(subject) -> Tolerance:
    """The tolerance a float32 subject is held to against its float64 oracle."""
    return CONV_LSTM_VERSUS_REFERENCE if isinstance(subject, ConvLSTMSubject) else VERSUS_REFERENCE["float32"]


def padded_steps_expected(output: np.ndarray, sample: int, length: int, kernel: str) -> np.ndarray:
    """What the padded steps of a right-padded sample hold in a `return_sequences` output: the generic kernel
    repeats the sample's last valid output (zeros if it has none); cuDNN writes zeros, a known kernel difference."""
    padded = output[sample, length:]
    if kernel == kernels.CUDNN or length == 0:
        return np.zeros_like(padded)
    return np.broadcast_to(output[sample, length - 1], padded.shape)


def expected_gradient_values(observation) -> tuple[np.ndarray, ...]:
    """What the call a `Gradient` probe differentiated should have returned, in float64, whatever the kind of its
    subject: the output (two for `Bidirectional` with merge_mode=None), then where it returns them the states, from
    the seeded initial states it was given (zeros where none)."""
    subject = observation.subject
    if isinstance(subject, LayerSubject):
        (own,) = observation.parts
        return expected(
            subject, own, observation.inputs, mask=subject.probe.mask_array,
            initial_state=initial_states_of(subject, own), kernel=observation.kernel,
        )
    initial = seeded_initial_states(subject) or None
    if isinstance(subject, ConvLSTMSubject):
        (own,) = observation.parts
        return expected_conv_lstm(subject, own, observation.inputs, initial_state=initial)
    if isinstance(subject, BidirectionalSubject):
        forward_weights, backward_weights = observation.parts
        merged, forward_states, backward_states = recurrent.bidirectional(
            cell_spec(subject), forward_weights, cell_spec(subject.backward_layer), backward_weights,
            observation.inputs, merge_mode=subject.merge_mode, return_sequences=subject.return_sequences,
            mask=subject.probe.mask_array, zero_output_for_mask=subject.return_sequences, initial_state=initial,
        )
        outputs = tuple(merged) if subject.merge_mode is None else (merged,)
        return (*outputs, *forward_states, *backward_states) if subject.return_state else outputs
    # RNN over stacked cells: each cell reads the output sequence of the one below, from its own initial states.
    sequence, states = observation.inputs, []
    per_cell = subject.initial_state_argument(initial) if initial else [None] * len(subject.cells)
    for cell, units, weights, start in zip(subject.cells, subject.stack_units, observation.parts, per_cell):
        sequence, final = recurrent.run_sequence(
            recurrent.CellSpec(cell, units), weights, sequence, mask=subject.probe.mask_array, initial_state=start
        )
        states.extend(final)
    return (sequence, *states)


def expected_gradients_of(observation) -> tuple[np.ndarray, ...]:
    """What a `Gradient` probe's gradients should be, in float64, by the oracle of its subject's kind: a recurrent
    layer, `Bidirectional`, or `RNN` over stacked cells (the first arrays of the observation)."""
    subject = observation.subject
    if isinstance(subject, BidirectionalSubject):
        return expected_bidirectional_gradients(observation)
    if isinstance(subject, StackSubject):
        return expected_stack_gradients(observation)
    return expected_gradients(observation)
