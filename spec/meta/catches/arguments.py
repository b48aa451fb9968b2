"""The breakages chapter 12 (spec/test_arguments.py) catches: an argument ignored or forgotten by the configuration,
errors that say nothing, masks not passed on, a stateful Bidirectional that forgets, misreports or keeps its states,
dropout that never reaches a direction or a stacked cell, cells that start from the wrong states; the ConvLSTM layers
among them."""


from rnnspec.subjects.calls import TrainingSteps
from rnnspec.subjects.convlstm import ConvLSTMSubject
from rnnspec.subjects.layers import CELLS, BidirectionalSubject, LayerSubject
from rnnspec.subjects.shapes import SHAPES
from spec import test_arguments as chapter
from spec.cases_arguments import CONSTRAINED
from spec.meta import breakages_arguments as broken
from spec.meta import breakages_time as broken_in_time
from spec.meta import breakages_wrappers as broken_wrapper
from spec.meta.breakages_arguments import CELL_CLASSES
from spec.meta.breaking import only
from spec.meta.catching import Catch


def constrained(cell):
    return LayerSubject(cell, True, True, "cpu", SHAPES["batch"], TrainingSteps(), options=CONSTRAINED)


def constrained_conv_lstm(rank):
    return ConvLSTMSubject(rank, True, False, "cpu", TrainingSteps(), padding="same", options=CONSTRAINED)


def stateful_bidirectional(cell):
    return BidirectionalSubject(cell, True, False, "cpu", SHAPES["batch"], options=(("stateful", True),))


CATCHES = [
    # Initializers, regularizers, constraints
    Catch(chapter.test_each_initializer_gives_its_weight_its_initial_values, broken.argument_ignored("recurrent_initializer", *CELL_CLASSES), {"cell": "GRU", "form": "layer"}),
    Catch(chapter.test_each_initializer_gives_its_weight_its_initial_values, broken.argument_ignored("bias_initializer", *CELL_CLASSES), {"cell": "SimpleRNN", "form": "cell"}),
    Catch(chapter.test_a_weight_regularizer_adds_the_penalty_of_its_weight_to_the_losses, broken.argument_ignored("kernel_regularizer", *CELL_CLASSES), {"cell": "LSTM", "form": "layer", "weight": "kernel"}),
    Catch(chapter.test_a_weight_regularizer_adds_the_penalty_of_its_weight_to_the_losses, broken.argument_ignored("bias_regularizer", *CELL_CLASSES), {"cell": "GRU", "form": "cell", "weight": "bias"}),
    Catch(chapter.test_the_activity_regularizer_adds_the_penalty_of_the_output_to_the_losses, broken.argument_ignored("activity_regularizer", *CELLS), {"cell": "LSTM", "device": "cpu"}),
    Catch(chapter.test_a_constraint_holds_after_a_training_step, broken.argument_ignored("recurrent_constraint", *CELL_CLASSES), {"subject": constrained("GRU"), "weight": "recurrent"}),
    Catch(chapter.test_each_initializer_gives_its_weight_its_initial_values, broken.argument_ignored("kernel_initializer", "ConvLSTM2D"), {"cell": "ConvLSTM2D", "form": "layer"}),
    Catch(chapter.test_a_weight_regularizer_adds_the_penalty_of_its_weight_to_the_losses, broken.argument_ignored("recurrent_regularizer", "ConvLSTM3D"), {"cell": "ConvLSTM3D", "form": "layer", "weight": "recurrent"}),
    Catch(chapter.test_the_activity_regularizer_adds_the_penalty_of_the_output_to_the_losses, broken.argument_ignored("activity_regularizer", "ConvLSTM1D"), {"cell": "ConvLSTM1D", "device": "cpu"}),
    Catch(chapter.test_a_constraint_holds_after_a_training_step, broken.argument_ignored("bias_constraint", "ConvLSTM2D"), {"subject": constrained_conv_lstm(2), "weight": "bias"}),
    # Configuration and saving
    Catch(chapter.test_an_argument_survives_get_config_and_from_config, broken.config_forgets("go_backwards", "RNN"), {"class_name": "LSTM", "argument": "go_backwards", "value": True}),
    Catch(chapter.test_an_argument_survives_get_config_and_from_config, broken.config_forgets("reset_after", "GRUCell"), {"class_name": "GRUCell", "argument": "reset_after", "value": False}),
    Catch(chapter.test_a_layer_rebuilt_from_its_config_returns_what_it_returns, broken.config_forgets("go_backwards", "RNN"), {"class_name": "RNN"}),
    Catch(chapter.test_a_layer_rebuilt_from_its_config_returns_what_it_returns, broken.config_forgets("merge_mode", "Bidirectional"), {"class_name": "Bidirectional"}),
    Catch(chapter.test_a_saved_model_of_every_class_with_every_argument_reloads_to_identical_outputs, broken.config_forgets("activation", *CELL_CLASSES), {}),
    Catch(chapter.test_an_argument_survives_get_config_and_from_config, broken.config_forgets("dilation_rate", "ConvLSTM1D"), {"class_name": "ConvLSTM1D", "argument": "dilation_rate", "value": (2,)}),
    Catch(chapter.test_a_layer_rebuilt_from_its_config_returns_what_it_returns, broken.config_forgets("activation", "ConvLSTM2D"), {"class_name": "ConvLSTM2D"}),
    Catch(chapter.test_unrolling_an_undefined_time_dimension_is_refused, broken.errors_say_nothing("call", *CELLS), {"cell": "GRU"}),
    # Bidirectional
    Catch(chapter.test_bidirectional_merges_by_concatenation_by_default, broken_wrapper.default_changed("Bidirectional", "merge_mode", "sum"), {}),
    Catch(chapter.test_a_stateful_bidirectional_layer_starts_each_direction_from_its_last_states, broken_in_time.forgets_states_between_calls, {"subject": stateful_bidirectional("LSTM")}),
    Catch(chapter.test_bidirectional_states_hold_each_directions_final_states, broken.bidirectional_lists_backward_states_first, {"subject": stateful_bidirectional("GRU")}),
    Catch(chapter.test_bidirectional_reset_states_restores_the_first_result, only("Bidirectional", broken_in_time.reset_state_does_nothing), {"subject": stateful_bidirectional("SimpleRNN"), "method": "reset_states"}),
    Catch(chapter.test_bidirectional_passes_training_to_both_directions, only("Bidirectional", broken_wrapper.training_forced(False)), {"cell": "LSTM", "device": "cpu"}),
    Catch(chapter.test_bidirectional_refuses_what_is_not_a_recurrent_layer, broken.errors_say_nothing("__init__", "Bidirectional"), {"wrapped": "Dense"}),
    Catch(chapter.test_a_backward_layer_unlike_the_forward_one_is_refused, broken.errors_say_nothing("__init__", "Bidirectional"), {"attribute": "stateful"}),
    # StackedRNNCells and cells
    Catch(chapter.test_a_cell_without_call_or_state_size_is_refused, broken.errors_say_nothing("__init__", "StackedRNNCells"), {"wrapper": "StackedRNNCells", "missing": "state_size"}),
    Catch(chapter.test_each_stacked_cell_applies_its_own_dropout, only("StackedRNNCells", broken_wrapper.training_forced(False)), {"cell": "GRU", "device": "cpu", "dropping": "upper"}),
    Catch(chapter.test_the_initial_state_is_zeros_of_the_state_size, broken.initial_states_of_ones, {"cell": "LSTM", "made_as": "stacked cells"}),
    Catch(chapter.test_stacked_cells_output_the_last_cells_output, broken.stack_outputs_its_first_cells_size, {}),
    Catch(chapter.test_a_cell_called_on_one_step_returns_the_references_step, broken.cells_step_from_zero_states, {"cell": "LSTM", "device": "cpu"}),
    # Masks
    Catch(chapter.test_compute_mask_passes_the_mask_on_with_the_sequence, broken.passes_no_mask_on, {"cell": "GRU", "return_sequences": True, "return_state": True}),
    Catch(chapter.test_compute_mask_passes_the_mask_on_with_the_sequence, only("ConvLSTM2D", broken.passes_no_mask_on), {"cell": "ConvLSTM2D", "return_sequences": True, "return_state": False}),
    Catch(chapter.test_bidirectional_compute_mask_passes_the_mask_on_with_the_sequence, broken.passes_no_mask_on, {"return_sequences": True}),
    Catch(chapter.test_a_layer_stacked_on_a_sequence_is_masked_too, broken.passes_no_mask_on, {"cell": "SimpleRNN", "device": "cpu"}),
]
