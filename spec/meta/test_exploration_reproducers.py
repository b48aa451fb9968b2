"""A drawn case's standalone reproducer (rnnspec.statements.reproducer) runs alone, with Keras and NumPy only: it
exits 0 where the layer agrees with the reference values written into it, and 1 where it does not."""

import subprocess
import sys

import pytest

from rnnspec import installation
from rnnspec.probes.observe import observe_fresh
from rnnspec.statements.expected import expected_gradient_values, expected_training
from rnnspec.statements.reproducer import script
from rnnspec.statements.tolerances import drawn
from rnnspec.subjects.calls import Gradient, TrainingSteps
from rnnspec.subjects.layers import BidirectionalSubject, LayerSubject
from rnnspec.subjects.shapes import Shape

pytestmark = pytest.mark.meta

SHAPE = Shape("drawn-b3-t4-f2-u2", batch=3, timesteps=4, features=2, units=2)
MASK = ((True, True, False, True), (False, False, True, True), (True, True, True, True))


def values_of(run):
    """What the reproducer compares for each probe: its names, the reference's values, the bound."""
    subject = run.subject
    if isinstance(subject.probe, TrainingSteps):
        return subject.weight_names, expected_training(run), drawn.trained(subject)
    names = subject.probe.value_names(subject)
    return names, expected_gradient_values(run), drawn.values(subject)


CASES = {
    "gradient": BidirectionalSubject("GRU", True, True, "cpu", SHAPE, Gradient(mask=MASK), merge_mode="sum"),
    "stateful": LayerSubject("LSTM", False, True, "cpu", SHAPE, Gradient(after_a_previous_call=True),
                             (("stateful", True),)),
    "fit": LayerSubject("SimpleRNN", True, False, "cpu", SHAPE, TrainingSteps("fit", batch_size=2)),
}


def reproducer_exit_codes(tmp_path, scripts: dict) -> dict:
    """Each script run in a process of its own, all at once (each imports Keras, for seconds)."""
    running = {}
    for name, text in scripts.items():
        path = tmp_path / f"{name}.py"
        path.write_text(text)
        running[name] = subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return {name: (process.wait(timeout=300), process.stdout.read().decode()) for name, process in running.items()}


def test_a_reproducer_exits_0_where_the_layer_agrees_and_1_where_it_does_not(tmp_path):
    if installation.is_keras_2():
        pytest.skip("the reproducers are written for Keras 3 (keras.ops, keras.tree)")
    scripts = {}
    for name, subject in CASES.items():
        run = observe_fresh(subject)
        names, wanted, tolerance = values_of(run)
        scripts[name] = script(run, "a statement", names, list(wanted), tolerance)
        if name == "gradient":  # the same, with one reference value off: the layer now differs from it
            scripts["differs"] = script(run, "a statement", names, [wanted[0] + 0.5, *wanted[1:]], tolerance)
    found = reproducer_exit_codes(tmp_path, scripts)
    codes = {name: code for name, (code, _) in found.items()}
    assert codes == {"gradient": 0, "stateful": 0, "fit": 0, "differs": 1}, {n: out[-600:] for n, (_, out) in found.items()}
    assert "output: differs by up to 0.5" in found["differs"][1]
