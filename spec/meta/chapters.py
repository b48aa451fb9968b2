"""The registry of the chapters whose statements are held against broken layers, in the spec's order: each chapter
with its catches (spec/meta/catches/<chapter>.py) and the statements that need none, with the reason."""

from spec import (
    test_configuration,
    test_devices_and_kernels,
    test_go_backwards,
    test_initial_state,
    test_masking,
    test_outputs_and_states,
    test_reference_values,
    test_stateful,
    test_wrappers,
)
from spec.meta.catches import (
    configuration,
    devices_and_kernels,
    go_backwards,
    initial_state,
    masking,
    outputs_and_states,
    reference_values,
    stateful,
    wrappers,
)
from spec.meta.catching import Chapter

FAILS_AGAINST_TODAYS_KERAS = (
    "a strict xfail stating how Keras 3 as installed diverges from its documentation: that failure already shows "
    "the statement can fail, and no broken layer is needed to show it"
)

CHAPTERS = (
    Chapter(test_outputs_and_states, outputs_and_states.CATCHES),
    Chapter(test_reference_values, reference_values.CATCHES),
    Chapter(
        test_masking,
        masking.CATCHES,
        exempt={test_masking.test_zero_output_for_mask_has_no_effect_without_return_sequences: FAILS_AGAINST_TODAYS_KERAS},
    ),
    Chapter(test_go_backwards, go_backwards.CATCHES),
    Chapter(test_stateful, stateful.CATCHES),
    Chapter(test_initial_state, initial_state.CATCHES),
    Chapter(test_devices_and_kernels, devices_and_kernels.CATCHES),
    Chapter(
        test_wrappers,
        wrappers.CATCHES,
        exempt={test_wrappers.test_a_cell_that_is_not_a_keras_layer_runs_in_rnn: FAILS_AGAINST_TODAYS_KERAS},
    ),
    Chapter(
        test_configuration,
        configuration.CATCHES,
        exempt=dict.fromkeys(
            (
                test_configuration.test_a_built_layer_refuses_inputs_of_another_feature_size,
                test_configuration.test_a_mask_of_another_shape_is_refused,
                test_configuration.test_an_initial_state_of_another_shape_is_refused,
                test_configuration.test_an_initial_state_of_another_number_of_tensors_is_refused,
            ),
            FAILS_AGAINST_TODAYS_KERAS,
        ),
    ),
)
