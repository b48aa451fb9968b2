"""Assertions whose failure messages say what differed: which tensor, which element, by how much, where."""

from dataclasses import dataclass

import numpy as np

from rnnspec import installation
from rnnspec.tolerances import Tolerance


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


def assert_close(actual, expected, tolerance: Tolerance, what: str, observation) -> None:
    assert_shape(actual, expected.shape, what, observation)
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
    rnnspec.kernels), else it would compare a kernel with itself."""
    from rnnspec.kernels import CUDNN, GENERIC

    assert (fast.kernel, generic.kernel) == (CUDNN, GENERIC), (
        f"kernels {fast.kernel} and {generic.kernel} ran; a parity check needs cuDNN against generic{where(fast)}"
    )
