"""The states each step of the oracles keeps, as a caller may watch or move them: `largest_state` records how large
they grow, `rounded_states` moves each by a rounding of a dtype. Chapter 15 asks both of a drawn configuration, to
tell where no implementation in a reduced precision could meet the reference (`spec/test_exploration.py`, `held`).
Every oracle passes the states a step keeps through `kept`; outside those blocks it returns them as they are."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

_hooks: list[Callable[[list], list]] = []


def kept(states) -> list:
    """The states a step keeps (a masked step: the previous ones), as the blocks around it record or move them."""
    states = list(states)
    for hook in _hooks:
        states = hook(states)
    return states


@contextmanager
def _hooked(hook: Callable[[list], list]):
    _hooks.append(hook)
    try:
        yield
    finally:
        _hooks.remove(hook)


@dataclass
class LargestState:
    value: float = 0.0


@contextmanager
def largest_state():
    """Within the block, the largest magnitude a state reaches, at a step the mask keeps, in any sequence the oracles
    run (`LargestState.value`). Beyond a dtype's largest value, an implementation computing in that dtype overflows,
    whatever it does; a masked step's discarded update is not counted (an implementation need not compute it)."""
    recorder = LargestState()

    def record(states: list) -> list:
        recorder.value = max(recorder.value, *(float(np.max(np.abs(state), initial=0.0)) for state in states))
        return states

    with _hooked(record):
        yield recorder


@contextmanager
def rounded_states(size: float, seed: int = 0):
    """Within the block, every state a step keeps moves by up to `size` of itself (seeded): the rounding a dtype
    makes of the states at every step, which a step that cancels large terms amplifies (a GRU whose linear update
    gate z is large: z h + (1 - z) hh), as moving the inputs and weights alone does not show."""
    rng = np.random.default_rng(seed)
    with _hooked(lambda states: [state * (1 + size * rng.uniform(-1, 1, np.shape(state))) for state in states]):
        yield
