"""The catalogue's vocabulary, shared by every case module: output modes and their tags, and devices.

A statement about states is held against every subject that returns states and no other, so case functions carry
the tags of their output mode and statements select by tag (`has_tag`). pytest-cases attaches tags to case
functions, not to parameters, so a family of subjects takes one case function per output mode: `per_output_mode`
generates the four from one description instead of four copies. Statements name a family by its list
(`cases=RIGHT_PADDED`).

Every case is parametrized over every device; the plugin deselects at collection the devices not chosen with
`--devices` (rnnspec.plugin), so no case module reads the command line when it is imported.
"""

from dataclasses import dataclass

from makefun import create_function
from pytest_cases import case, parametrize

from rnnspec.installation import DEVICES


class Tag:
    LAST_OUTPUT = "last output"  # return_sequences=False
    SEQUENCES = "sequences"  # return_sequences=True
    STATES = "states"  # return_state=True
    NO_STATES = "no states"  # return_state=False
    CELL_STATE = "cell state"  # a layer whose states are h and a cell state c: LSTM, ConvLSTM


# Each output mode by name: (return_sequences, return_state).
OUTPUT_MODES = {
    "last_output": (False, False),
    "sequences": (True, False),
    "last_output_and_states": (False, True),
    "sequences_and_states": (True, True),
}


def tags_of(return_sequences: bool, return_state: bool) -> tuple[str, str]:
    return (
        Tag.SEQUENCES if return_sequences else Tag.LAST_OUTPUT,
        Tag.STATES if return_state else Tag.NO_STATES,
    )


on_every_device = parametrize(device=DEVICES)


def case_id(**parameters) -> str:
    """A case's id naming each parameter as `name=value`, the form pytest-cases gives the ids it makes itself, so
    that every id reads the same way (a stack's cells joined by "+")."""
    text = lambda value: "+".join(map(str, value)) if isinstance(value, tuple) else str(value)
    return "-".join(f"{name}={text(value)}" for name, value in parameters.items())


@dataclass(frozen=True)
class Axis:
    """Parameters of a case: `names` "cell" or "cell, merge_mode" (then values are tuples), with values the same
    for every output mode or, as a dict, per mode; `ids` names a value where pytest-cases' own id would not do."""

    names: str
    values: object
    ids: object = None

    @property
    def argnames(self) -> list[str]:
        return [name.strip() for name in self.names.split(",")]

    def parametrize(self, mode: str):
        values = list(self.values[mode] if isinstance(self.values, dict) else self.values)
        if self.ids is None:
            return parametrize(**{self.names: values})  # ids "name=value"
        return parametrize(self.names, values, ids=[self.ids(value) for value in values])


EVERY_DEVICE = Axis("device", DEVICES)


def per_output_mode(family: str, make, *axes: Axis, modes=tuple(OUTPUT_MODES), tags=()):
    """One case function per output mode, named `{family}_{mode}` and tagged with the mode, returning
    `make(**parameters, return_sequences=..., return_state=...)`, parametrized over `axes` (in the order of the
    test ids), with further `tags` of the family. Returns the case functions, in mode order."""
    names = [name for axis in axes for name in axis.argnames]
    cases = []
    for mode in modes:
        return_sequences, return_state = OUTPUT_MODES[mode]

        def impl(_flags=(return_sequences, return_state), **parameters):
            return make(**parameters, return_sequences=_flags[0], return_state=_flags[1])

        function = create_function(f"{family}_{mode}({', '.join(names)})", impl)
        for axis in axes:
            function = axis.parametrize(mode)(function)
        cases.append(case(tags=(*tags_of(return_sequences, return_state), *tags))(function))
    return cases
