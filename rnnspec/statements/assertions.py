"""Assertions whose failure messages say what differed: which tensor, which element, by how much, where; and, while
a session records them, what each comparison within a tolerance measured."""

from dataclasses import dataclass, field

import numpy as np

from rnnspec import installation
from rnnspec.statements.tolerances import Tolerance


def where(observation) -> str:
    return f"\n  configuration: {observation.describe()}"


def assert_shape(actual: np.ndarray, expected: tuple, what: str, observation) -> None:
    assert tuple(actual.shape) == tuple(expected), (
        f"{what} has shape {tuple(actual.shape)}, expected {tuple(expected)}{where(observation)}"
    )


def worst_element(actual: np.ndarray, expected: np.ndarray) -> str:
    difference = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    index = np.unravel_index(np.argmax(difference), difference.shape)
    return (
        f"worst at index {tuple(int(i) for i in index)}: {actual[index]!r} vs {expected[index]!r} "
        f"(|difference| {difference[index]:.3g}); {int(np.count_nonzero(difference))} of {difference.size} "
        f"elements differ"
    )


def assert_identical(actual: np.ndarray, expected: np.ndarray, what: str, observation) -> None:
    """Bit-for-bit equality: for identities such as `output == h`, which hold exactly by construction."""
    assert_shape(actual, expected.shape, what, observation)
    if not np.array_equal(actual, expected):
        raise AssertionError(f"{what} are not identical; {worst_element(actual, expected)}{where(observation)}")


@dataclass
class ComparisonRecord:
    """Every comparison within a tolerance made while it is `recording` (the plugin's --record-comparisons): the
    largest difference each one measured, next to its tolerance, with the cell, device, kernel and TF32 setting of
    the run it checked. A GPU run reports from it what its parity statements measured (rnnspec.tools.gpu_report), so the
    numbers come from the very comparisons that passed or failed."""

    comparisons: list[dict] = field(default_factory=list)
    test: str = ""  # the node id of the running test, set by the plugin

    def add(self, actual, expected, tolerance: Tolerance, what: str, observation) -> None:
        from rnnspec.statements.tolerances import name_of

        difference = np.abs(np.asarray(actual, np.float64) - np.asarray(expected, np.float64))
        allowed = tolerance.atol + tolerance.rtol * np.abs(np.asarray(expected, np.float64))
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(difference == 0, 0.0, difference / allowed)  # of its tolerance, 1 at the bound
        subject = getattr(observation, "subject", None)
        self.comparisons.append({
            "test": self.test,
            "what": what,
            "cell": getattr(subject, "cell", None),
            "device": getattr(subject, "device", None),
            "kernel": getattr(observation, "kernel", None),
            "tf32": getattr(subject, "tf32", None),
            "tolerance": name_of(tolerance),
            "rtol": tolerance.rtol,
            "atol": tolerance.atol,
            "max_difference": float(difference.max(initial=0.0)),
            "max_share_of_tolerance": float(share.max(initial=0.0)),
        })


recording: ComparisonRecord | None = None


def assert_close(actual, expected, tolerance: Tolerance, what: str, observation) -> None:
    assert_shape(actual, expected.shape, what, observation)
    if recording is not None:
        recording.add(actual, expected, tolerance, what, observation)
    if not np.allclose(actual, expected, rtol=tolerance.rtol, atol=tolerance.atol):
        raise AssertionError(
            f"{what} differ beyond {tolerance}; {worst_element(actual, expected)}{where(observation)}"
        )


@dataclass(frozen=True)
class Described:
    """What a failure message names for a run that no subject describes (a whole saved model, say)."""

    text: str

    def describe(self) -> str:
        return f"{self.text}, {installation.current().describe()}"


def assert_cudnn_then_generic(fast, generic) -> None:
    """A parity check between kernels needs both: `fast` ran cuDNN and `generic` the generic kernel (as recorded by
    rnnspec.probes.kernels), else it would compare a kernel with itself."""
    from rnnspec.probes.kernels import CUDNN, GENERIC

    assert (fast.kernel, generic.kernel) == (CUDNN, GENERIC), (
        f"kernels {fast.kernel} and {generic.kernel} ran; a parity check needs cuDNN against generic{where(fast)}"
    )
