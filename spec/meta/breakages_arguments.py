"""Recurrent layers broken in the ways chapter 12 (spec/test_arguments.py) speaks of: an argument ignored, a
configuration that forgets one, errors that say nothing, masks not passed on, cells that start from the wrong
states, a Bidirectional whose states or a stack whose output size are misreported."""

from rnnspec.subjects.layers import CELLS
from spec.meta.breakages import ops
from spec.meta.breaking import replacing

CELL_CLASSES = tuple(f"{cell}Cell" for cell in CELLS)


def argument_ignored(argument: str, *classes: str):
    """The classes are created as if `argument` had not been given (a layer passes its cell's arguments on by
    name, so breaking the cells breaks the layers too)."""

    @replacing("__init__", *classes, name=f"{argument}_ignored")
    def breakage(original):
        def __init__(self, *args, **kwargs):
            kwargs.pop(argument, None)
            original(self, *args, **kwargs)

        return __init__

    return breakage


def config_forgets(argument: str, *classes: str):
    """`get_config()` leaves `argument` out, so that `from_config` (and loading) falls back to its default."""

    @replacing("get_config", *classes, name=f"get_config_forgets_{argument}")
    def breakage(original):
        def get_config(self):
            subject = original(self)
            subject.pop(argument, None)
            return subject

        return get_config

    return breakage


def errors_say_nothing(method: str, *classes: str):
    """The errors `method` raises keep their type and lose their message."""

    @replacing(method, *classes, name=f"{method.strip('_')}_errors_say_nothing")
    def breakage(original):
        def replacement(self, *args, **kwargs):
            try:
                return original(self, *args, **kwargs)
            except (ValueError, TypeError) as error:
                raise type(error)("invalid input") from None

        return replacement

    return breakage


@replacing("compute_mask", "RNN", "Bidirectional")
def passes_no_mask_on(original):
    return lambda self, inputs, mask=None: None


@replacing("get_initial_state", *CELL_CLASSES)
def initial_states_of_ones(original):
    def get_initial_state(self, batch_size=None):
        return [ops().ones_like(state) for state in original(self, batch_size)]

    return get_initial_state


@replacing("call", *CELL_CLASSES)
def cells_step_from_zero_states(original):
    """A cell that ignores the states it is given."""

    def call(self, inputs, states, training=False):
        return original(self, inputs, [ops().zeros_like(state) for state in states], training=training)

    return call


@replacing("states", "Bidirectional")
def bidirectional_lists_backward_states_first(original):
    def states(self):
        found = original(self)
        half = len(found) // 2
        return None if found is None else (*found[half:], *found[:half])

    return states


@replacing("output_size", "StackedRNNCells")
def stack_outputs_its_first_cells_size(original):
    def output_size(self):
        first = self.cells[0]
        return getattr(first, "output_size", first.state_size)

    return output_size
