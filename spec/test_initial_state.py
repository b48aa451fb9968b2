"""Chapter 6. initial_state: where the recurrence starts.

"initial_state: List of initial state tensors to be passed to the first call of the cell"
(https://keras.io/api/layers/recurrent_layers/lstm/): h and c for LSTM, h for GRU and SimpleRNN, each
(batch, units). A `Bidirectional` wrapper takes the forward layer's states followed by the backward layer's
(https://keras.io/api/layers/recurrent_layers/bidirectional/). Errors for initial states of the wrong number or
shape are stated in the chapter on configuration and errors.
"""

import numpy as np
from pytest_cases import parametrize_with_cases

from rnnspec import installation
from rnnspec.oracle import recurrent
from rnnspec.probes.observe import call, layer_weights
from rnnspec.statements.assertions import assert_close
from rnnspec.statements.coverage import documents
from rnnspec.statements.expected import cell_spec, expected_of, reference_tolerance
from rnnspec.statements.tolerances import VERSUS_REFERENCE
from rnnspec.subjects import seeded
from spec.cases_convlstm import CONV_GEOMETRIES
from spec.cases_time import RIGHT_PADDED, bidirectional_layer


def initial_states(subject, count: int) -> list[np.ndarray]:
    """Distinct non-zero states, so that a layer starting from zeros cannot pass."""
    rng = np.random.default_rng(seeded.seed_for("initial", subject.cell))
    return [rng.uniform(-0.9, 0.9, size=subject.state_shape).astype("float32") for _ in range(count)]


def as_tensors(states):
    return [installation.as_tensor(state) for state in states]


@documents("{LSTM,GRU,SimpleRNN,RNN,ConvLSTM1D,ConvLSTM2D,ConvLSTM3D}.call(initial_state)")
@parametrize_with_cases("subject", cases=(*RIGHT_PADDED, *CONV_GEOMETRIES))
def test_initial_state_is_where_the_recurrence_starts(subject, build):
    """Given `initial_state`, the output and states equal the reference started from those states (and not the
    reference started from zeros); a ConvLSTM's h and c each shaped like one step of its output."""
    built = build(subject)
    initial = initial_states(subject, len(subject.state_names))
    returned = call(subject, built.layer, built.inputs, note="initial_state given", initial_state=as_tensors(initial))
    weights = layer_weights(built.layer)
    from_initial = expected_of(subject, weights, built.inputs, initial_state=initial)
    assert not np.allclose(from_initial[0], expected_of(subject, weights, built.inputs)[0], atol=1e-3), (
        "the test's initial states make no difference to the reference; choose others"
    )
    for name, actual, wanted in zip(returned.names, returned.arrays, from_initial):
        assert_close(actual, wanted, reference_tolerance(subject), f"{name} and the reference {name}", returned)


@documents("Bidirectional.call(initial_state)")
@parametrize_with_cases("subject", cases=bidirectional_layer)
def test_bidirectional_takes_forward_states_then_backward_states(subject, build):
    """`Bidirectional(...)(x, initial_state=[forward states..., backward states...])` starts the forward layer
    from the first half and the backward layer from the second, as the reference composed the same way does."""
    built = build(subject)
    initial = initial_states(subject, 2 * len(subject.state_names))
    returned = call(subject, built.layer, built.inputs, note="initial_state given", initial_state=as_tensors(initial))
    forward, backward = (layer_weights(part) for part in subject.parts(built.layer))
    spec = cell_spec(subject)
    merged, forward_states, backward_states = recurrent.bidirectional(
        spec, forward, spec, backward, built.inputs, return_sequences=subject.return_sequences, initial_state=initial,
    )
    names = ["output"] + [f"forward {n}" for n in subject.state_names] + [f"backward {n}" for n in subject.state_names]
    for name, actual, wanted in zip(names, returned.arrays, (merged, *forward_states, *backward_states)):
        assert_close(actual, wanted, VERSUS_REFERENCE["float32"], f"{name} and the reference's", returned)
