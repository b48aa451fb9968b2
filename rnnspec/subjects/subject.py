"""What every subject shares: the contract the one observe path (rnnspec.probes.observe) relies on.

A subject is a frozen dataclass, hashable, the session cache's key: what is built (its own fields) and the probe that
observes it (`probe`, rnnspec.subjects.calls). Each kind of subject says how to make its layer and what the NumPy
reference reads of it; what depends on the probe alone (what comes back, the call's arguments, the build it shares)
is said here once.
"""

from dataclasses import replace

from rnnspec.subjects.calls import Call
from rnnspec.subjects.shapes import input_text


def arguments_text(arguments: dict) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in arguments.items())


class Subject:
    """The base of every kind of subject. A kind defines, besides its fields `device`, `shape` and `probe`:

    - `make_layer(**changed)`: its Keras layer, not yet built (with some arguments changed, for a twin);
    - `seed_parts`: what seeds its weights and inputs (`rnnspec.subjects.seeded.seed_for`);
    - `fixes_batch`: whether its model's Input must fix the batch size (a stateful layer keeps a state per sample);
    - `parts(layer)`: the layers whose weights, by name, the NumPy reference computes with (a direction, a cell);
    - `layer_returned_names`: what each array a call of its layer returns is, in order (output, h (, c));
    - `matrix_keys`: the (cell, return_sequences, return_state, device) rows of the behaviour matrix it counts in;
    - `built_text()`: what is built, in words, for failure messages;
    and, where a `Gradient` or `TrainingSteps` probe observes it, `initial_state_names`, `initial_state_shapes`,
    `initial_state_argument(states)`, `weight_names`, `returned_shapes` and `returns_states`.
    """

    @property
    def built(self) -> "Subject":
        """The subject as it is built: subjects that differ only in their probe share one built layer and model."""
        return replace(self, probe=Call())

    def with_probe(self, **changes) -> "Subject":
        """The same subject with some of its probe's fields changed (its call path, mask or TF32 setting)."""
        return replace(self, probe=replace(self.probe, **changes))

    @property
    def returned_names(self) -> tuple[str, ...]:
        """What each array its probe brings back is, in order."""
        return self.probe.returned_names(self)

    @property
    def call_arguments(self) -> dict:
        """What a call passes beyond the inputs (a mask, `training`)."""
        return self.probe.call_arguments

    @property
    def tf32(self) -> bool | None:
        return self.probe.tf32

    def initial_state_argument(self, states: list) -> list:
        """The `initial_state` argument holding the states in `initial_state_names` order."""
        return list(states)

    def describe(self) -> str:
        """The subject and its probe in words, for failure messages."""
        return f"{self.probe.describe(self.built_text(), self.device)}, {input_text(self.shape)}"


class OneRecurrentLayer(Subject):
    """A subject built around one Keras recurrent layer, from its fields `return_sequences`, `return_state` and
    `options` (further layer arguments, as sorted (name, value) pairs so that the subject stays hashable), and its
    `state_names` and `state_shape`."""

    @property
    def fixes_batch(self) -> bool:
        return bool(dict(self.options).get("stateful"))

    @property
    def layer_returned_names(self) -> tuple[str, ...]:
        """What a call returns, in order, when it returns everything: output, h (, c)."""
        return ("output", *self.state_names)

    @property
    def layer_weight_names(self) -> tuple[str, ...]:
        """The recurrent layer's weights, in order (chapter 9 states the layout)."""
        return ("kernel", "recurrent_kernel", *(("bias",) if dict(self.options).get("use_bias", True) else ()))

    @property
    def returns_states(self) -> bool:
        return self.return_state

    @property
    def matrix_keys(self) -> tuple[tuple, ...]:
        return ((self.cell, self.return_sequences, self.return_state, self.device),)
