"""The language the table of known divergences is written in: conditions on the installation under test and on a
case, with the words that state them on docs/divergences.md, combined with `&`, `|` and `~`.

A condition knows what the installation alone decides of it, so that `python -m rnnspec.divergences.repro --run`
can tell which rows apply to an installation before any case runs.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from packaging.version import Version

from rnnspec.installation import Installation


class Case:
    """One test case as the conditions read it: the test's arguments by name and, through its `config` argument (a
    subject), the subject's fields (`cell`, `device`, ...), its probe's (`call_path`, `mask`, `tf32`, ...) and its
    layer options (`dtype`, `go_backwards`, ...)."""

    def __init__(self, arguments: Mapping[str, object]):
        self.arguments = arguments

    def get(self, name: str):
        """The value of the case's parameter, its subject's or probe's field, or layer option of that name; None where
        it has none."""
        if name in self.arguments:
            return self.arguments[name]
        subject = self.arguments.get("subject")
        for holder in (subject, getattr(subject, "probe", None)):
            if hasattr(holder, name):
                return getattr(holder, name)
        return dict(getattr(subject, "options", ())).get(name)


@dataclass(frozen=True)
class Condition:
    """Where a divergence shows: a predicate on the installation under test and on the case, with the words that
    state it on docs/divergences.md, and what the installation alone decides of it. Conditions combine with `&`, `|` and
    `~`."""

    words: str
    holds: Callable[[Installation, Case], bool]
    # True or False where the installation decides the condition for every case, None where it depends on the case
    decided_by: Callable[[Installation], bool | None]
    joined_by: str = ""  # "and" or "or" for a combination, bracketed inside a combination of another kind

    def __and__(self, other: "Condition") -> "Condition":
        return combined("and", all, self, other)

    def __or__(self, other: "Condition") -> "Condition":
        return combined("or", any, self, other)

    def __invert__(self) -> "Condition":
        return Condition(
            f"not {bracketed(self, 'not')}",
            lambda installation, case: not self.holds(installation, case),
            lambda installation: negated(self.decided_by(installation)),
        )

    def could_hold(self, installation: Installation) -> bool:
        """Whether some case could meet the condition on this installation: all but what the installation alone
        rules out. Each condition on the case counts as undecided, and undecided values combine as in Kleene's
        three-valued logic (False and anything is False, True or anything is True, not undecided is undecided),
        so a condition is ruled out only by its parts on the installation. That is exact while every condition on
        the case is met by some case and none contradicts another (`case_has(cell="GRU") & ~case_has(cell="GRU")`
        would count as possible), which holds of the table."""
        return self.decided_by(installation) is not False


def negated(value: bool | None) -> bool | None:
    return None if value is None else not value


def bracketed(condition: Condition, within: str) -> str:
    return f"({condition.words})" if condition.joined_by not in ("", within) else condition.words


def combined(joined_by: str, quantifier, *conditions: Condition) -> Condition:
    """`all` or `any` of the conditions; what the installation decides of them combines in three values."""
    absorbing = quantifier is any  # the value that decides the combination whatever the others: True for "or"

    def decided_by(installation: Installation) -> bool | None:
        values = [condition.decided_by(installation) for condition in conditions]
        if absorbing in values:
            return absorbing
        return None if None in values else not absorbing

    return Condition(
        f" {joined_by} ".join(bracketed(condition, joined_by) for condition in conditions),
        lambda installation, case: quantifier(condition.holds(installation, case) for condition in conditions),
        decided_by,
        joined_by,
    )


def on_installation(words: str, predicate: Callable[[Installation], bool]) -> Condition:
    """A condition on the installation alone, which therefore decides it."""
    return Condition(words, lambda installation, case: predicate(installation), predicate)


def on_case(words: str, predicate: Callable[[Installation, Case], bool], joined_by: str = "") -> Condition:
    """A condition on the case (and perhaps the installation), which the installation alone does not decide."""
    return Condition(words, predicate, lambda installation: None, joined_by)


EVERY_KERAS = on_installation("every Keras", lambda installation: True)
KERAS_3 = on_installation("Keras 3", lambda installation: installation.keras_major >= 3)
TF_KERAS = on_installation("tf_keras", lambda installation: installation.keras_module == "tf_keras")


def keras_after(release: str) -> Condition:
    """Keras 3 newer than `release`: the nightly of the next release, and the releases after it."""
    return on_installation(
        f"Keras 3 after {release} (keras-nightly, and the releases after it)",
        lambda installation: installation.keras_module == "keras" and Version(installation.keras_version) > Version(release),
    )
BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}


def on_backend(backend: str) -> Condition:
    words = f"the {BACKEND_NAMES[backend]} backend"
    return on_installation(words, lambda installation: installation.backend == backend)


ON_JAX, ON_TORCH = on_backend("jax"), on_backend("torch")
ON_TENSORFLOW = on_backend("tensorflow")


def case_has(**wanted) -> Condition:
    """The case's parameters, or its config's fields and options, have these values."""
    return on_case(
        " and ".join(f"`{name}={value}`" for name, value in wanted.items()),
        lambda installation, case: all(case.get(name) == value for name, value in wanted.items()),
        "and" if len(wanted) > 1 else "",
    )

