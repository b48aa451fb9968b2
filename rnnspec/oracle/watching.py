"""What the oracles let a caller watch, or move, as they compute. The states each step keeps pass through `kept`:
`largest_state` records how large they grow, `rounded_states` moves each by a rounding of a dtype. The
pre-activations of a piecewise linear activation whose derivative they take pass through `differentiated`:
`nearest_kink` records how near a kink they come. Chapter 15 asks these of a drawn configuration to tell where no
implementation in a reduced precision could meet the reference (`spec/test_exploration.py`, `held`). Outside those
blocks, nothing is recorded or moved."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

_hooks: list[Callable[[list], list]] = []  # each moves or records the states a step keeps
_watchers: list[Callable[[np.ndarray, tuple], None]] = []  # each records a differentiated pre-activation


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


@dataclass
class NearestKink:
    distance: float = float("inf")


@contextmanager
def nearest_kink():
    """Within the block, the smallest distance from a kink (relu's 0, hard_sigmoid's -3 and 3) of any pre-activation
    whose derivative the oracles take, relative to its size where that exceeds 1 (`NearestKink.distance`). Within a
    dtype's rounding of a kink, which side an implementation's rounded pre-activation falls on, and so the
    derivative (0 or 1/6 for hard_sigmoid at 2.994 in bfloat16), is chance."""
    recorder = NearestKink()

    def record(pre_activation: np.ndarray, kinks: tuple[float, ...]) -> None:
        relative = [np.abs(pre_activation - kink) / np.maximum(1.0, np.abs(pre_activation)) for kink in kinks]
        recorder.distance = min(recorder.distance, *(float(np.min(r, initial=np.inf)) for r in relative))

    _watchers.append(record)
    try:
        yield recorder
    finally:
        _watchers.remove(record)


def differentiated(pre_activation: np.ndarray, kinks: tuple[float, ...]) -> None:
    """Reports a pre-activation whose derivative an oracle takes, at an activation with these kinks."""
    for watcher in _watchers:
        watcher(pre_activation, kinks)
