"""Each-choice coverage: of many combinations of parameter values, in their order, those that give some parameter a
value no combination kept before gave it. Every value of every parameter is then exercised at least once, in about
as many combinations as the parameter with the most values has values (`--cases=each-choice`)."""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable


def cover(elements: Iterable, choices_of: Callable[[object], set], group_of: Callable[[object], Hashable]):
    """(kept, left out), each in the given order; elements of each group (a statement, a kind of subject) are
    covered apart. An element with no choices is kept."""
    covered, kept, left = defaultdict(set), [], []
    for element in elements:
        choices, group = choices_of(element), group_of(element)
        if not choices or choices - covered[group]:
            covered[group] |= choices
            kept.append(element)
        else:
            left.append(element)
    return kept, left
