"""The minimal reproducers of the known divergences (rnnspec/divergences/reproducers, `python -m rnnspec.divergences.repro`): one for every
row, short, with nothing but Keras and NumPy, and saying on the installation under test what the table says: that
the divergence holds where its row applies and not elsewhere."""

import importlib.util
import io
import os
import re
import subprocess
import sys
from contextlib import redirect_stdout
from dataclasses import replace

import pytest

from rnnspec import installation
from rnnspec.divergences import repro, table
from rnnspec.installation import Installation
from rnnspec.plugin.marking import reproducer_results

pytestmark = pytest.mark.meta
NAMES = [reproducer.name for reproducer in repro.REPRODUCERS]
# Those that need, run by hand, a framework not installed here (the one they default KERAS_BACKEND to, or import).
FRAMEWORK_MISSING_HERE = [reproducer for reproducer in repro.REPRODUCERS
                          if any(importlib.util.find_spec(name) is None for name in reproducer.frameworks())]


def keras_on(backend: str, keras_module: str = "keras", gpus: tuple[str, ...] = ()) -> Installation:
    version = "2.21.0" if keras_module == "tf_keras" else "3.15.1"
    frameworks = {"tensorflow": "2.21.0", "jax": "0.10.2", "torch": "2.13.0"}
    return Installation(keras_module, version, backend, frameworks, gpus)


def test_every_row_names_a_reproducer_and_every_reproducer_a_row():
    files = {path.stem for path in repro.FOLDER.glob("*.py")}
    assert files == {row.reproducer for row in table.DIVERGENCES}


@pytest.mark.parametrize("reproducer", repro.REPRODUCERS, ids=NAMES)
def test_a_reproducer_is_short(reproducer):
    lines = len(reproducer.source().splitlines())
    assert lines < repro.MAX_LINES, f"{reproducer.path.name} has {lines} lines"


@pytest.mark.parametrize("reproducer", repro.REPRODUCERS, ids=NAMES)
def test_a_reproducer_imports_only_a_keras_numpy_os_and_backend_frameworks(reproducer):
    imported = reproducer.imports()
    others = sorted(imported - repro.ALLOWED_IMPORTS)
    assert not others, f"{reproducer.path.name} imports {others}"
    assert imported & repro.KERAS_NAMES.keys() and "numpy" in imported


@pytest.mark.parametrize("reproducer", repro.REPRODUCERS, ids=NAMES)
def test_a_reproducer_names_where_it_was_seen_and_links_its_documentation(reproducer):
    source = reproducer.source()
    first_line = source.splitlines()[0]
    for row in reproducer.rows:
        assert first_line == f"# Seen on {row.seen_on}.", f"{reproducer.path.name} starts with {first_line!r}"
    assert "https://keras.io/" in source


@pytest.mark.parametrize("reproducer", repro.REPRODUCERS, ids=NAMES)
def test_no_reproducer_exits_2_the_status_of_a_mistaken_command(reproducer):
    """Exit status 2 is argparse's usage error: a reproducer that cannot show its divergence here exits 3."""
    found = re.findall(r"(?:\bexit|SystemExit)\(\s*2\s*\)", reproducer.source())
    assert not found, f"{reproducer.path.name} has {found}: one that does not apply here exits 3"


@pytest.mark.parametrize("reproducer", FRAMEWORK_MISSING_HERE, ids=[r.name for r in FRAMEWORK_MISSING_HERE])
def test_a_reproducer_whose_framework_is_not_installed_says_so_in_one_line_and_exits_3(reproducer):
    """Run by hand where the framework it defaults to (or imports) is not installed, a reproducer prints one line
    saying so and exits 3 (not applicable here), without a traceback."""
    unset = ("KERAS_BACKEND", "TF_USE_LEGACY_KERAS")  # as pasted: the backend it defaults to
    environment = {key: value for key, value in os.environ.items() if key not in unset}
    ran = subprocess.run([sys.executable, str(reproducer.path)], capture_output=True, text=True, env=environment,
                         timeout=60, check=False)
    said = f"exit status {ran.returncode}, stdout {ran.stdout!r}, stderr {ran.stderr[-2000:]!r}"
    assert repro.UNCAUGHT not in ran.stderr, said
    assert ran.returncode == repro.EXIT_NOT_APPLICABLE, said
    assert len((ran.stdout + ran.stderr).strip().splitlines()) == 1, said
    assert repro.result_of(ran.returncode, ran.stdout, ran.stderr).outcome == repro.NOT_APPLICABLE


@pytest.mark.parametrize(
    "status, stderr, outcome, why",
    [
        (1, "", repro.DIVERGES, ""),
        (0, "", repro.FIXED, ""),
        (3, "", repro.NOT_APPLICABLE, "Needs jax (KERAS_BACKEND=jax), which is not installed here."),
        (2, "usage: repro.py\nrepro.py: error: unrecognized arguments: --x\n", repro.FAILED,
         "exit status 2: repro.py: error: unrecognized arguments: --x"),
        (1, "Traceback (most recent call last):\n  ...\nModuleNotFoundError: No module named 'jax'\n", repro.FAILED,
         "exit status 1: ModuleNotFoundError: No module named 'jax'"),
        (3, "Traceback (most recent call last):\n  ...\nValueError: shapes\n", repro.FAILED,
         "exit status 3: ValueError: shapes"),
        (-9, "", repro.FAILED, "exit status -9"),
        (None, "", repro.FAILED, f"ran past {repro.TIMEOUT_S} s"),
    ],
    ids=["1-diverges", "0-fixed", "3-not-applicable", "2-usage-error", "traceback", "traceback-exit-3", "killed",
         "timeout"],
)
def test_exit_statuses_read_as_outcomes(status, stderr, outcome, why):
    """0, 1 and 3 are a reproducer's outcomes; any other status, or a traceback, fails to run (stderr's last line)."""
    stdout = "Keras 3.15.1, jax backend\nNeeds jax (KERAS_BACKEND=jax), which is not installed here.\n"
    result = repro.result_of(status, stdout if status == 3 else "", stderr)
    assert (result.outcome, result.why) == (outcome, why)
    assert repro.described(result) == (f"{outcome} ({why})" if why else outcome)


def test_the_help_and_the_docstring_state_the_exit_statuses(capsys):
    """`--help` and the module's docstring state what each exit status of a reproducer says, 2 being none of them."""
    with pytest.raises(SystemExit) as stopped:
        repro.main(["--help"])
    assert stopped.value.code == 0
    helped = " ".join(capsys.readouterr().out.split())
    documented = " ".join(repro.__doc__.split())
    for status, outcome in repro.OUTCOME_OF_EXIT.items():
        assert f"{status} {outcome}" in helped and f"{status} {outcome}" in documented
    assert f"any other status (2 included), or a traceback: {repro.FAILED}" in helped
    assert "No reproducer exits 2" in documented
    command = helped.split("This command's exit status:")[1]
    assert all(said in command for said in ("0 when", "1 when", "2 for a mistaken command"))


ON_EVERY_KERAS_3 = {"zero_output_for_mask_without_return_sequences", "feature_size_not_checked",
                    "mask_shape_not_checked", "initial_state_not_checked", "stacked_cells_nest_a_state_eagerly",
                    "cell_that_is_not_a_layer", "unit_forget_bias_keeps_the_bias_initializer", "use_cudnn_not_in_config",
                    "simple_rnn_seed_not_in_config", "simple_rnn_drops_activity_regularizer", "reset_state_takes_no_states",
                    "model_has_no_reset_state", "bidirectional_ignores_weights", "stateful_bidirectional_with_return_state",
                    "rnn_takes_no_constants", "time_distributed_mask_of_slices_fails",
                    "masked_float16_step_gives_nan_gradients"}
EXPORTS = {"exported_recurrent_layer_not_run_as_in_keras"}


@pytest.mark.parametrize(
    "here, applying",
    [
        (keras_on("tensorflow"), ON_EVERY_KERAS_3 | EXPORTS | {"nested_outputs_not_exported"} | {
            "time_distributed_passes_on_the_mask_of_steps", "tensorflow_unrolled_backwards_zeros_valid_outputs",
            "tensorflow_unrolled_training_after_an_eager_gradient",
        }),
        (keras_on("jax"), ON_EVERY_KERAS_3 | EXPORTS | {"nested_outputs_not_exported"} | {
            "jax_masked_steps_output_the_initial_state", "jax_predict_forgets_stateful_states",
            "use_cudnn_true_without_cudnn", "jax_masked_custom_cell_of_wide_output", "jax_gru_without_cudnn",
            "jax_conv_lstm_mask_fails", "jax_unrolled_layer_ignores_zero_output_for_mask",
            "jax_gru_without_bias_under_mixed_precision_fails", "jax_gru_stateless_call_under_mixed_precision_fails",
        }),
        (keras_on("torch"), ON_EVERY_KERAS_3 | EXPORTS | {
            "use_cudnn_true_without_cudnn", "torch_float64_simple_rnn_in_float32", "torch_stateful_mixed_precision",
            "time_distributed_passes_on_the_mask_of_steps",
            "torch_layer_built_inside_keras_device", "torch_stateful_training_fails", "torch_unrolled_backwards_mask_fails",
            "torch_float64_masked_layer_in_float32", "torch_float64_gru_reset_before_in_float32",
        }),
        (keras_on("tensorflow", "tf_keras"), {"zero_output_for_mask_without_return_sequences",
                                              "mask_shape_not_checked", "tf_keras_initial_state_batch_not_checked",
                                              "tf_keras_input_dropout_redrawn_per_step",
                                              "tf_keras_masked_stack_with_initial_state",
                                              "time_distributed_mask_of_slices_fails",
                                              "tf_keras_unrolled_backwards_zeros_valid_outputs",
                                              "masked_float16_step_gives_nan_gradients"}),
    ],
    ids=["tensorflow", "jax", "torch", "tf_keras"],
)
def test_a_reproducer_applies_where_the_installation_does_not_rule_its_rows_out(here, applying):
    """Rows on the case (a cell, a dtype, a benchmark's target) apply wherever some case could meet them."""
    assert {reproducer.name for reproducer in repro.REPRODUCERS if reproducer.applies_to(here)} == applying


def test_one_that_needs_a_gpu_is_not_applicable_without_one_and_is_not_run():
    needing = [reproducer for reproducer in repro.REPRODUCERS if reproducer.needs_gpu]
    assert needing, "the cuDNN GRU on JAX needs a GPU"
    results = repro.survey(keras_on("jax"), needing)  # runs nothing: no GPU here
    assert {result.outcome for result in results.values()} == {repro.NOT_APPLICABLE}
    assert {result.why for result in results.values()} == {"needs a GPU"}
    assert all(reproducer.cannot_run_on(keras_on("jax", gpus=("H100",))) is None for reproducer in needing)


def test_one_written_for_another_keras_or_a_framework_not_installed_cannot_run():
    by_name = {reproducer.name: reproducer for reproducer in repro.REPRODUCERS}
    assert by_name["tf_keras_initial_state_batch_not_checked"].cannot_run_on(keras_on("tensorflow")) == (
        "written for tf_keras"
    )
    tf_keras = keras_on("tensorflow", "tf_keras")
    assert by_name["feature_size_not_checked"].cannot_run_on(tf_keras) == "written for Keras 3"
    jax_not_installed = replace(keras_on("tensorflow", gpus=("H100",)), framework_versions={"tensorflow": "2.21.0"})
    assert by_name["jax_gru_without_cudnn"].cannot_run_on(jax_not_installed) == "needs jax"


def test_the_command_line_lists_prints_and_writes_them(tmp_path):
    listed = io.StringIO()
    with redirect_stdout(listed):
        assert repro.main(["--list"]) == 0
    assert all(name in listed.getvalue() for name in NAMES)
    printed = io.StringIO()
    with redirect_stdout(printed):
        repro.main([NAMES[0]])
    assert printed.getvalue() == repro.REPRODUCERS[0].source()
    repro.main([NAMES[0], "-o", str(tmp_path / "repro.py")])
    assert (tmp_path / "repro.py").read_text() == repro.REPRODUCERS[0].source()


@pytest.fixture(scope="module")
def results_here(request):
    """Every reproducer that applies to the installation under test and can run on it, each in its own process,
    started as collection ended (rnnspec.plugin). (One whose row does not apply here is left out: its process would
    cost seconds to show, each time, what `python -m rnnspec.divergences.repro --run` on that installation shows.)"""
    return reproducer_results(request.config)


@pytest.mark.parametrize("reproducer", repro.REPRODUCERS, ids=NAMES)
def test_a_reproducer_still_diverges_where_its_row_applies(reproducer, results_here):
    """The reproducer and the strict xfail state one fact: where the table applies the row, the script exits 1
    (still diverges). Once Keras is fixed, the strict xfail passes and fails the run, and so does this."""
    here = installation.current()
    if reason := reproducer.cannot_run_on(here):
        pytest.skip(f"a reproducer that cannot run here: {reason}")  # the case's id names the reproducer
    if not reproducer.applies_to(here):
        pytest.skip("a reproducer whose row does not apply here (`rnnspec repro --list` says where)")
    result = results_here[reproducer.name]
    if result.outcome == repro.NOT_APPLICABLE:
        pytest.skip(f"a reproducer that cannot show it here: {result.why}")
    assert result.outcome != repro.FAILED, f"{reproducer.name} failed to run: {result.output}"
    assert result.outcome == repro.DIVERGES, (
        f"{reproducer.name} says {result.outcome!r} on {here.describe()}, where the table applies its row "
        f"({reproducer.where()}); it printed:\n{result.output}"
    )
