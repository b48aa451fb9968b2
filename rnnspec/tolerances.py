"""Every tolerance the spec uses, each with the reason it is what it is."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float
    reason: str

    def __str__(self) -> str:
        return f"rtol={self.rtol:g}, atol={self.atol:g} ({self.reason})"


# sigmoid and tanh round to within a few ulp of their exact value, so a bound such as |h| <= |tanh(c)| that
# holds exactly in real arithmetic may be exceeded by float32 rounding, never by more than this.
FLOAT32_BOUND = Tolerance(rtol=0.0, atol=1e-6, reason="float32 rounding of tanh and of the gate product")
