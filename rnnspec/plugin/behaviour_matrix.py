"""The behaviour matrix: outcomes of the spec statements per cell × return_sequences × return_state × device."""

from collections import Counter, defaultdict

from rnnspec.installation import DEVICES
from rnnspec.subjects.layers import CELLS

PROPERTY = "rnnspec.behaviour_matrix"
OUTCOMES = ("passed", "failed", "xfailed", "skipped")


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
        if not self.outcomes:
            return []
        # The devices with outcomes: GPU cases skipped for want of a GPU are marked so at collection and record
        # nothing (pytest's summary of skips gives their count and reason).
        devices = [device for device in DEVICES if any(key[3] == device for key in self.outcomes)]
        header = f"{'cell':<15} {'return_sequences':<17} {'return_state':<13}" + "".join(
            f"{device:<28}" for device in devices
        )
        rows = [header, "-" * len(header)]
        for cell in self.cells():
            for sequences in (False, True):
                for state in (False, True):
                    cells = [self.summary((cell, sequences, state, device)) for device in devices]
                    if cell not in CELLS and set(cells) == {"-"}:
                        continue  # a custom cell's subjects return sequences and states only
                    rows.append(f"{cell:<15} {str(sequences):<17} {str(state):<13}" + "".join(f"{c:<28}" for c in cells))
        return rows

    def cells(self) -> list[str]:
        """Keras's cells first, then the cells written by users that subjects counted in (RNN over custom cells)."""
        others = sorted({key[0] for key in self.outcomes} - set(CELLS))
        return [*CELLS, *others]

    def summary(self, key) -> str:
        counts = Counter(self.outcomes.get(key, {}).values())
        return ", ".join(f"{counts[o]} {o}" for o in OUTCOMES if counts[o]) or "-"
