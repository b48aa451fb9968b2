"""The behaviour matrix: outcomes of the spec statements per cell × return_sequences × return_state × device."""

from collections import Counter, defaultdict

from rnnspec.installation import DEVICES
from rnnspec.subjects.layers import CELLS

PROPERTY = "rnnspec.behaviour_matrix"
OUTCOMES = ("passed", "failed", "xfailed", "skipped")
# The output modes, (return_sequences, return_state), by the words the columns name them with.
MODES = {(False, False): "last output", (True, False): "sequences", (False, True): "last output, states",
         (True, True): "sequences, states"}


def outcome_of(report) -> str | None:
    """The outcome a test report contributes, or None when the phase adds nothing (a passing setup)."""
    if hasattr(report, "wasxfail"):
        return "xfailed" if report.skipped else "failed"  # an xpass of a strict xfail fails
    if report.when == "call" or not report.passed:
        return report.outcome
    return None


class BehaviourMatrix:
    def __init__(self):
        self.outcomes: dict[tuple, dict[str, str]] = defaultdict(dict)  # key -> nodeid -> outcome

    def record(self, report) -> None:
        keys = [value for name, value in report.user_properties if name == PROPERTY]
        outcome = outcome_of(report)
        if not keys or outcome is None:
            return
        for key in keys:
            previous = self.outcomes[tuple(key)].get(report.nodeid)
            if previous != "failed":  # a failed teardown must not hide behind a passed call
                self.outcomes[tuple(key)][report.nodeid] = outcome

    def lines(self) -> list[str]:
        """A row per cell and device, a column per output mode (return_sequences, return_state)."""
        if not self.outcomes:
            return []
        # The devices with outcomes: GPU cases skipped for want of a GPU are marked so at collection and record
        # nothing (the summary of skips gives their count and reason).
        devices = [device for device in DEVICES if any(key[3] == device for key in self.outcomes)]
        header = (f"{'cell':<15} {'device':<7}" + "".join(f"{mode:<24}" for mode in MODES.values())).rstrip()
        rows = [header, "-" * len(header)]
        for cell in self.cells():
            for device in devices:
                counts = [self.summary((cell, *mode, device)) for mode in MODES]
                if set(counts) != {"-"}:
                    rows.append((f"{cell:<15} {device:<7}" + "".join(f"{count:<24}" for count in counts)).rstrip())
        return rows

    def cells(self) -> list[str]:
        """Keras's cells first, then the cells written by users that subjects counted in (RNN over custom cells)."""
        others = sorted({key[0] for key in self.outcomes} - set(CELLS))
        return [*CELLS, *others]

    def summary(self, key) -> str:
        counts = Counter(self.outcomes.get(key, {}).values())
        return ", ".join(f"{counts[o]} {o}" for o in OUTCOMES if counts[o]) or "-"
