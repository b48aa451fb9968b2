"""Recurrent layers broken in the ways the chapters on wrappers and on configuration speak of: a Bidirectional
wrapper that mixes up its directions or loses the wrapped layer's arguments, a TimeDistributed wrapper that loses a
slice, a weight, `training` or the mask, or lets bad arguments through, stacked cells that misplace their
states, dropout at the wrong time or rate, a default changed, saving that loses weights, bad input let through.
"""

import importlib

from rnnspec import installation
from rnnspec.subjects.layers import CELLS
from spec.meta.breakages import during_call, join, ops, split, transform_returned
from spec.meta.breaking import replacing

CELL_CLASSES = tuple(f"{cell}Cell" for cell in CELLS)


# Bidirectional


def output_count(wrapper) -> int:
    return 2 if wrapper.merge_mode is None else 1


@replacing("call", "Bidirectional")
def bidirectional_returns_backward_states_first(original):
    def call(self, *args, **kwargs):
        returned = original(self, *args, **kwargs)
        if not self.return_state:
            return returned
        outputs, states = returned[: output_count(self)], returned[output_count(self) :]
        half = len(states) // 2
        return (*outputs, *states[half:], *states[:half])

    return call


@replacing("call", "Bidirectional")
def bidirectional_leaves_the_backward_sequence_reversed(original):
    """The backward output sequence is merged in the order it was computed, last step first."""

    def call(self, *args, **kwargs):
        returned = original(self, *args, **kwargs)
        if not self.return_sequences or self.merge_mode not in ("concat", None):
            return returned
        parts = list(returned) if isinstance(returned, (tuple, list)) else [returned]
        if self.merge_mode is None:
            parts[1] = ops().flip(parts[1], axis=1)
        else:
            units = self.forward_layer.units
            parts[0] = ops().concatenate([parts[0][..., :units], ops().flip(parts[0][..., units:], axis=1)], axis=-1)
        return tuple(parts) if isinstance(returned, (tuple, list)) else parts[0]

    return call


def bare_copy(layer, go_backwards: bool):
    """A layer of the same kind and size with the flags Bidirectional needs and nothing else of `layer`'s."""
    flags = {"return_sequences": layer.return_sequences, "return_state": layer.return_state, "stateful": layer.stateful}
    return type(layer)(layer.units, go_backwards=go_backwards, **flags)


@replacing("__init__", "Bidirectional")
def bidirectional_copies_only_units_and_flags(original):
    """Both directions are rebuilt from the wrapped layer's units and return flags, dropping its other arguments."""

    def __init__(self, layer, *args, **kwargs):
        original(self, layer, *args, **kwargs)
        self.forward_layer = bare_copy(layer, go_backwards=False)
        self.backward_layer = bare_copy(layer, go_backwards=True)
        for direction in (self.forward_layer, self.backward_layer):
            direction.zero_output_for_mask = self.return_sequences

    return __init__


@replacing("__init__", "Bidirectional")
def bidirectional_ignores_backward_layer(original):
    """The backward direction is a copy of the wrapped layer whatever `backward_layer=` says."""

    def __init__(self, layer, *args, backward_layer=None, **kwargs):
        original(self, layer, *args, **kwargs)

    return __init__


@replacing("__init__", "Bidirectional")
def bidirectional_keeps_zero_output_for_mask_false(original):
    """The wrapper leaves its copies' zero_output_for_mask at False, so that masked steps repeat the last output."""

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.forward_layer.zero_output_for_mask = self.backward_layer.zero_output_for_mask = False

    return __init__


@replacing("__init__", "Bidirectional")
def bidirectional_accepts_any_merge_mode(original):
    """An unknown merge_mode is quietly taken as "concat"."""

    def __init__(self, layer, merge_mode="concat", *args, **kwargs):
        known = merge_mode in ("concat", "sum", "mul", "ave", None)
        original(self, layer, merge_mode if known else "concat", *args, **kwargs)

    return __init__


@replacing("_verify_layer_config", "Bidirectional")
def bidirectional_accepts_a_backward_layer_reading_forwards(original):
    return lambda self: None


# TimeDistributed


@replacing("call", "TimeDistributed")
def time_distributed_repeats_the_first_slice(original):
    """Every slice's output is the first slice's."""

    def call(self, inputs, *args, **kwargs):
        output = original(self, inputs, *args, **kwargs)
        return ops().repeat(output[:, :1], output.shape[1], axis=1)

    return call


@replacing("call", "TimeDistributed")
def time_distributed_returns_the_last_slice_alone(original):
    """The wrapper returns the last slice's output without the time axis, as the wrapped layer would."""

    def call(self, *args, **kwargs):
        return original(self, *args, **kwargs)[:, -1]

    return call


@replacing("build", "TimeDistributed")
def time_distributed_builds_a_weight_of_its_own(original):
    """Besides the wrapped layer's weights, the wrapper holds one of its own."""

    def build(self, input_shape):
        original(self, input_shape)
        self.add_weight(shape=(input_shape[-1],), initializer="zeros", name="scale")

    return build


@replacing("call", "TimeDistributed")
def time_distributed_calls_in_inference(original):
    """The wrapped layer is called with `training=False`, whatever the call says."""

    def call(self, inputs, training=None, mask=None):
        return original(self, inputs, training=False, mask=mask)

    return call


@replacing("call", "TimeDistributed")
def time_distributed_drops_the_mask(original):
    """The wrapped layer never hears of the mask."""

    def call(self, inputs, training=None, mask=None):
        return original(self, inputs, training=training)

    return call


@replacing("__init__", "TimeDistributed")
def time_distributed_wraps_anything(original):
    """What is not a layer is put aside for an identity layer, silently."""

    def __init__(self, layer, **kwargs):
        keras = installation.keras()
        original(self, layer if isinstance(layer, keras.layers.Layer) else keras.layers.Identity(), **kwargs)

    return __init__


@replacing("_get_child_input_shape", "TimeDistributed")
def time_distributed_checks_no_rank(original):
    """The input's rank goes unchecked: a 2-D input reaches the wrapped layer as 1-D slices."""

    def _get_child_input_shape(self, input_shape):
        return (input_shape[0], *input_shape[2:])

    return _get_child_input_shape


# RNN over cells


def stacked(layer) -> bool:
    return isinstance(layer.cell, installation.keras().layers.StackedRNNCells)


@replacing("call", "RNN")
def stacked_cells_return_their_states_last_cell_first(original):
    def call(self, *args, **kwargs):
        returned = original(self, *args, **kwargs)
        if not (stacked(self) and self.return_state):
            return returned
        return (returned[0], *returned[1:][::-1])

    return call


@replacing("compute_output_shape", "RNN")
def stacked_cells_declare_their_states_unnested(original):
    """compute_output_shape, which gives a functional model its structure, lists the cells' states one after the
    other instead of one entry per cell."""

    def compute_output_shape(self, *args, **kwargs):
        shapes = original(self, *args, **kwargs)
        if not (stacked(self) and self.return_state):
            return shapes
        output, *per_cell = shapes
        return (output, *[s for entry in per_cell for s in (entry if isinstance(entry, list) else [entry])])

    return compute_output_shape


# Dropout and unroll


def training_forced(value: bool):
    """Layers that run with `training=value` whatever the call says."""

    @replacing("call", *CELLS, name="dropout_applied_at_inference" if value else "dropout_never_applied")
    def breakage(original):
        def call(self, *args, **kwargs):
            kwargs["training"] = value
            return original(self, *args, **kwargs)

        return call

    return breakage


@replacing("get_recurrent_dropout_mask", *CELL_CLASSES)
def recurrent_dropout_at_the_input_rate(original):
    """The recurrent dropout mask is drawn at the `dropout` rate instead of the `recurrent_dropout` rate."""

    def get_recurrent_dropout_mask(self, step_input):
        if getattr(self, "_recurrent_dropout_mask", None) is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return self._recurrent_dropout_mask

    return get_recurrent_dropout_mask


@during_call
def dropout_rates_swapped(layer):
    """The input mask is drawn at the recurrent rate and the recurrent mask at the input rate."""
    cell = layer.cell
    rates = cell.dropout, cell.recurrent_dropout
    cell.dropout, cell.recurrent_dropout = rates[::-1]

    def undo():
        cell.dropout, cell.recurrent_dropout = rates

    return undo


@transform_returned
def unrolled_output_drifts_by_0_001(layer, returned):
    if not layer.unroll:
        return returned
    output, states = split(layer, returned)
    return join(layer, output + 1e-3, states)


# Defaults and weights, saving, dtypes


def default_changed(cell: str, argument: str, value):
    """`cell(units)` without `argument` is created as if given `value`."""

    @replacing("__init__", cell, name=f"{cell}_{argument}_defaults_to_{value}")
    def breakage(original):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault(argument, value)
            original(self, *args, **kwargs)

        return __init__

    return breakage


@replacing("load_own_variables", *CELL_CLASSES)
def cells_ignore_saved_weights(original):
    """Loading, from a .keras or a .weights.h5 file, leaves the cells' weights as they were."""
    return lambda self, store: None


@transform_returned
def output_in_float32(layer, returned):
    output, states = split(layer, returned)
    return join(layer, ops().cast(output, "float32"), states)


@replacing("__init__", *CELLS)
def weights_in_the_compute_dtype(original):
    """A mixed policy given to a layer is taken as its compute dtype alone, so the weights are float16 or bfloat16."""
    compute = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}

    def __init__(self, *args, **kwargs):
        if kwargs.get("dtype") in compute:
            kwargs["dtype"] = compute[kwargs["dtype"]]
            # The seeded weights replace the initial ones; an orthogonal initializer would need a QR decomposition in
            # float16, which PyTorch's CPU does not have.
            kwargs.setdefault("recurrent_initializer", "glorot_uniform")
        original(self, *args, **kwargs)

    return __init__


# Bad input


@replacing("build", "RNN")
def stateful_layers_accept_an_open_batch_size(original):
    """A stateful layer whose batch size is open builds state variables for a batch of one instead of refusing."""

    def build(self, sequences_shape, *args, **kwargs):
        if self.stateful and sequences_shape[0] is None:
            sequences_shape = (1, *sequences_shape[1:])
        original(self, sequences_shape, *args, **kwargs)

    return build


@replacing("__init__", *CELL_CLASSES)
def accepts_units_of_zero_or_less(original):
    """A cell given units <= 0 quietly takes one unit."""

    def __init__(self, units, *args, **kwargs):
        original(self, max(units, 1), *args, **kwargs)

    return __init__


def unknown_activations_become_linear(monkeypatch):
    # Not a method but the function of the module the cells look activations up in: patched by hand.
    activations = importlib.import_module("keras.src.activations")
    original = activations.get

    def get(identifier):
        try:
            return original(identifier)
        except ValueError:
            return original("linear")

    monkeypatch.setattr(activations, "get", get)


@replacing("__init__", *CELL_CLASSES)
def dropout_rates_kept_as_given(original):
    def __init__(self, *args, dropout=0.0, recurrent_dropout=0.0, **kwargs):
        original(self, *args, dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)
        self.dropout, self.recurrent_dropout = dropout, recurrent_dropout

    return __init__
