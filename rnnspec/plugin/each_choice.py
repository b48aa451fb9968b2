"""Each-choice coverage: of many combinations of parameter values, a few that together give every parameter its
every value (`--cases=each-choice`). Greedy: each pick is the combination that gives the most values not yet given,
the earliest of them on a tie; so about as many are kept as the parameter with the most values has values. (Keeping
each combination that gives any new value, in order, keeps more: on Keras 3.14.1 with TensorFlow 1011 cases of 3901,
against 702, and those 702 find more of the changes between releases; docs/version-matrix-guide.md, "Each choice".)"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable


def cover(elements: Iterable, choices_of: Callable[[object], set], group_of: Callable[[object], Hashable]):
    """(kept, left out), each in the given order; elements of each group (a statement, a kind of subject) are
    covered apart. An element with no choices is kept."""
    elements = list(elements)
    groups = defaultdict(list)
    for index, element in enumerate(elements):
        groups[group_of(element)].append((index, frozenset(choices_of(element))))
    picked = set()
    for members in groups.values():
        picked |= {index for index, choices in members if not choices}
        uncovered = set().union(*(choices for _, choices in members))
        while uncovered:
            index, choices = max(members, key=lambda member: (len(member[1] & uncovered), -member[0]))
            picked.add(index)
            uncovered -= choices
    kept = [element for index, element in enumerate(elements) if index in picked]
    left = [element for index, element in enumerate(elements) if index not in picked]
    return kept, left
