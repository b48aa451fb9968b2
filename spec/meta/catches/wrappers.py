"""The breakages chapter 8 (spec/test_wrappers.py) catches: a Bidirectional wrapper that mixes up its directions or
loses the wrapped layer's arguments, a TimeDistributed wrapper that loses a slice, a weight, `training` or the mask
or lets bad arguments through, stacked cells that misplace their states, RNN over cells broken."""

from rnnspec.subjects.calls import Call
from rnnspec.subjects.cells import StackSubject
from rnnspec.subjects.layers import LayerSubject
from rnnspec.subjects.shapes import SHAPES
from spec import test_wrappers as chapter
from spec.cases_wrappers import DROPOUT_SEED, bidirectional, time_distributed, wrapped_arguments
from spec.meta import breakages as broken
from spec.meta import breakages_time as broken_in_time
from spec.meta import breakages_wrappers as broken_wrapper
from spec.meta.breaking import only
from spec.meta.catching import Catch


def wrapped(cell, merge_mode="concat", return_sequences=True, return_state=True, call_path="layer", **more):
    subject = bidirectional(
        cell, merge_mode, "cpu", call_path, return_sequences=return_sequences, return_state=return_state, **more
    )
    return {"subject": subject}


def stack(lower, upper, **more):
    return {"subject": StackSubject((lower, upper), "cpu"), **more}


def masked_stack(lower, upper):
    return {"subject": StackSubject((lower, upper), "cpu", Call(mask="batch"))}


def distributed(cell, return_sequences=True, **more):
    return {"subject": time_distributed(cell, return_sequences, "cpu", **more)}


def bidirectional_only(breakage):
    return only("Bidirectional", breakage)


def rnn_only(breakage):
    return only("RNN", breakage)


CATCHES = [
    # Bidirectional
    Catch(chapter.test_bidirectional_without_return_state_returns_the_merged_output_alone, bidirectional_only(broken.wraps_lone_output), wrapped("GRU", "concat", False, False)),
    Catch(chapter.test_bidirectional_with_return_state_returns_the_outputs_then_both_directions_states, bidirectional_only(broken.drops_last_state), wrapped("LSTM", "sum", False, True)),
    Catch(chapter.test_bidirectional_shapes_follow_merge_mode_and_return_sequences, bidirectional_only(broken.drops_a_unit), wrapped("LSTM", "concat", True, False)),
    Catch(chapter.test_bidirectional_output_equals_the_reference, broken_wrapper.bidirectional_leaves_the_backward_sequence_reversed, wrapped("LSTM", "concat", True, False)),
    Catch(chapter.test_bidirectional_states_are_the_forward_then_the_backward_final_states, broken_wrapper.bidirectional_returns_backward_states_first, wrapped("LSTM", "ave", False, True)),
    Catch(chapter.test_bidirectional_sequence_holds_the_forward_h_last_and_the_backward_h_first, broken_wrapper.bidirectional_leaves_the_backward_sequence_reversed, wrapped("SimpleRNN", None)),
    Catch(chapter.test_bidirectional_last_output_merges_the_two_final_h, broken_wrapper.bidirectional_returns_backward_states_first, wrapped("LSTM", "concat", False, True)),
    Catch(chapter.test_bidirectional_both_directions_take_the_wrapped_layers_arguments, broken_wrapper.bidirectional_copies_only_units_and_flags, wrapped("LSTM", options=tuple(sorted(wrapped_arguments("LSTM").items())))),
    Catch(chapter.test_bidirectional_backward_layer_computes_the_backward_direction, broken_wrapper.bidirectional_ignores_backward_layer, wrapped("SimpleRNN", backward_options=(("activation", "relu"),))),
    Catch(chapter.test_bidirectional_masked_steps_of_the_sequence_are_zeros, broken_wrapper.bidirectional_keeps_zero_output_for_mask_false, wrapped("GRU", mask="batch")),
    Catch(chapter.test_bidirectional_compute_output_shape_agrees_with_the_tensors, bidirectional_only(broken.misreports_output_shape), wrapped("LSTM", None)),
    Catch(chapter.test_bidirectional_in_a_functional_model_has_the_shapes_it_returns, bidirectional_only(broken.misreports_output_shape), wrapped("LSTM", "concat", False, True, "model")),
    # TimeDistributed
    Catch(chapter.test_time_distributed_output_equals_the_reference_on_each_slice_alone, broken_wrapper.time_distributed_repeats_the_first_slice, distributed("GRU", False)),
    Catch(chapter.test_time_distributed_returns_one_output_of_the_wrapped_layer_per_slice, broken_wrapper.time_distributed_returns_the_last_slice_alone, distributed("LSTM")),
    Catch(chapter.test_time_distributed_compute_output_shape_agrees_with_the_tensor, only("TimeDistributed", broken.misreports_output_shape), distributed("SimpleRNN")),
    Catch(chapter.test_time_distributed_holds_the_wrapped_layers_weights_alone, broken_wrapper.time_distributed_builds_a_weight_of_its_own, distributed("LSTM", False)),
    Catch(chapter.test_time_distributed_passes_training_to_the_wrapped_layer, broken_wrapper.time_distributed_calls_in_inference, distributed("LSTM", dropout=0.5, recurrent_dropout=0.5, seed=DROPOUT_SEED)),
    Catch(chapter.test_time_distributed_masks_each_slices_steps_under_a_mask_of_steps, broken_wrapper.time_distributed_drops_the_mask, distributed("LSTM", mask="steps")),
    Catch(chapter.test_time_distributed_passes_a_mask_of_its_slices_to_the_layer_above, broken_wrapper.time_distributed_drops_the_mask, {}),
    Catch(chapter.test_time_distributed_refuses_what_is_not_a_layer, broken_wrapper.time_distributed_wraps_anything, {"what": "a_layer_class"}),
    Catch(chapter.test_time_distributed_refuses_an_input_of_fewer_than_three_dimensions, broken_wrapper.time_distributed_checks_no_rank, {}),
    # RNN over cells
    Catch(chapter.test_rnn_over_a_cell_equals_the_layer_of_that_cell, broken.swaps_first_two_gate_blocks, {"subject": LayerSubject("LSTM", True, True, "cpu", SHAPES["batch"])}),
    Catch(chapter.test_a_stack_of_cells_computes_what_the_stacked_layers_compute, rnn_only(broken_in_time.ignores_mask), masked_stack("LSTM", "GRU")),
    Catch(chapter.test_stacked_cells_return_each_cells_final_states_in_cell_order, broken_wrapper.stacked_cells_return_their_states_last_cell_first, stack("SimpleRNN", "LSTM")),
    Catch(chapter.test_stacked_cells_nest_each_cells_states_as_its_state_size, broken_wrapper.stacked_cells_declare_their_states_unnested, stack("LSTM", "GRU", call_path="model")),
    Catch(chapter.test_a_custom_cell_returns_its_own_output_and_its_state, rnn_only(broken.output_drift(1e-3)), {"device": "cpu"}),
    Catch(chapter.test_a_masked_step_of_a_custom_cell_repeats_its_previous_output, rnn_only(broken_in_time.zeros_masked_outputs), {"device": "cpu"}),
]
