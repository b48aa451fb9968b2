"""The version matrix report: outcomes counted per statement and environment, failures linked to their messages."""

import re

import pytest

from rnnspec.tools import version_matrix

pytestmark = pytest.mark.meta

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest"><properties>
<property name="rnnspec.installation" value="Keras 9.9 on tensorflow | tensorflow 9.9"/></properties>
<testcase classname="spec.test_masking" name="test_a[one]"/>
<testcase classname="spec.test_masking" name="test_a[two]"><failure message="AssertionError: h differs">details</failure></testcase>
<testcase classname="spec.test_masking" name="test_a[three]"><skipped type="pytest.skip" message="no GPU"/></testcase>
<testcase classname="spec.test_masking" name="test_b[one]"><skipped type="pytest.xfail" message="known"/></testcase>
</testsuite></testsuites>"""


@pytest.fixture
def environment(tmp_path):
    path = tmp_path / "keras-9.9.xml"
    path.write_text(JUNIT)
    return version_matrix.read(path)


def test_outcomes_are_counted_per_statement(environment):
    assert environment.installation == "Keras 9.9 on tensorflow | tensorflow 9.9"
    assert version_matrix.cell(environment.counts["test_masking::test_a"]) == "1 passed, 1 failed, 1 skipped"
    assert version_matrix.cell(environment.counts["test_masking::test_b"]) == "1 xfailed"


def test_a_failure_links_to_its_message_in_both_pages(environment):
    target = version_matrix.anchor("test_masking::test_a")
    markdown, page = version_matrix.markdown([environment]), version_matrix.html_page([environment])
    assert f"(#{target})" in markdown and f'<a id="{target}"></a>' in markdown and "h differs" in markdown
    assert f'href="#{target}"' in page and f'id="{target}"' in page and "h differs" in page


def test_a_failure_s_message_is_written_the_same_way_in_every_run():
    """What differs between two runs of one failure (an address, pytest's temporary folder, a symbolic tensor's
    number) is written one way, so that a rerun of the matrix changes the page only where a result changed."""
    run = ("build = <function build.<locals>.built_for at 0x7f4835a1c540>\n"
           "tmp_path = PosixPath('/tmp/pytest-of-root/pytest-405/test_a0')\n"
           "args=('<KerasTensor shape=(None, 6, 5), name=keras_tensor_735>',)")
    rerun = run.replace("0x7f4835a1c540", "0x7feba2b9f560").replace("405", "456").replace("735", "94")
    assert version_matrix.excerpt(run) == version_matrix.excerpt(rerun)
    assert "0x7f48" not in version_matrix.excerpt(run) and "shape=(None, 6, 5)" in version_matrix.excerpt(run)


def test_environments_are_ordered_by_version(tmp_path):
    names = ["keras-3.10", "keras-3.5", "tf-keras-2.21", "keras-3.0"]
    ordered = sorted((tmp_path / f"{n}.xml" for n in names), key=version_matrix.natural_order)
    assert [p.stem for p in ordered] == ["keras-3.0", "keras-3.5", "keras-3.10", "tf-keras-2.21"]


# What `python -m rnnspec.divergences.repro --run --record` wrote on Keras 3.15.1 with JAX (four of its reproducers).
REPRODUCERS_ON_JAX = """{
 "installation": "Keras 3.15.1 on jax | tensorflow 2.21.0, jax 0.10.2, torch 2.13.0+cpu | devices: cpu",
 "reproducers": [
  {"name": "zero_output_for_mask_without_return_sequences",
   "divergences": ["`zero_output_for_mask` also zeros the last output without `return_sequences`"],
   "applies to": "every Keras", "outcome": "still diverges", "why": ""},
  {"name": "jax_predict_forgets_stateful_states",
   "divergences": ["`model.predict` does not keep a stateful layer's states between calls"],
   "applies to": "the JAX backend", "outcome": "still diverges", "why": ""},
  {"name": "torch_layer_built_inside_keras_device",
   "divergences": ["A recurrent layer cannot be built inside `keras.device`", "A benchmark cannot place its layer"],
   "applies to": "the PyTorch backend", "outcome": "not applicable here", "why": ""},
  {"name": "jax_gru_without_cudnn",
   "divergences": ["There is no cuDNN GRU: the GRU runs as a scan where cuDNN would run"],
   "applies to": "the JAX backend and `cell=GRU` and a cuDNN benchmark", "outcome": "not applicable here",
   "why": "needs a GPU"}
 ]
}"""


@pytest.fixture
def with_and_without_reproducers(tmp_path):
    """keras-9.9 with the recorded reproducers beside its JUnit file, tf-keras-9.9 with none."""
    for name in ("keras-9.9", "tf-keras-9.9"):
        (tmp_path / f"{name}.xml").write_text(JUNIT)
    (tmp_path / f"keras-9.9{version_matrix.REPRODUCERS_RECORD}").write_text(REPRODUCERS_ON_JAX)
    return [version_matrix.read(tmp_path / f"{name}.xml") for name in ("keras-9.9", "tf-keras-9.9")]


def test_each_divergence_shows_what_its_reproducer_said_in_each_environment_that_ran_it(with_and_without_reproducers):
    """An environment that did not run the reproducers (the noxfile runs them in some) is left out of the table."""
    markdown = version_matrix.markdown(with_and_without_reproducers)
    assert "| divergence | reproducer | said: where |" in markdown
    assert (
        "| `model.predict` does not keep a stateful layer's states between calls | "
        "`jax_predict_forgets_stateful_states` | still diverges: keras-9.9 |"
    ) in markdown
    assert (
        "| A recurrent layer cannot be built inside `keras.device`; A benchmark cannot place its layer | "
        "`torch_layer_built_inside_keras_device` | –: keras-9.9 |"
    ) in markdown
    assert "| `jax_gru_without_cudnn` | – (needs a GPU): keras-9.9 |" in markdown
    assert "no record" not in markdown


def test_the_html_page_is_the_markdown_rendered(with_and_without_reproducers):
    """One model, two formats: the HTML is the Markdown through markdown-it, its tables and folds as tables and
    folds, and its contents' links to anchors that are there."""
    page = version_matrix.html_page(with_and_without_reproducers)
    assert "<table>" in page and "<code>jax_predict_forgets_stateful_states</code>" in page
    assert "still diverges: keras-9.9" in page and "no record" not in page
    for target in re.findall(r'href="#([^"]+)"', page):
        assert f'id="{target}"' in page, target


def test_without_records_the_report_has_no_table_of_divergences(environment):
    assert "Known divergences" not in version_matrix.markdown([environment])
    assert "Known divergences" not in version_matrix.html_page([environment])


def junit(version: str, cases: str, tf_keras: bool = False, backend: str = "tensorflow", selection: str = "") -> str:
    keras = f"Keras {version}" + (" (tf_keras)" if tf_keras else "")
    chosen = f'<property name="rnnspec.cases" value="{selection}"/>' if selection else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest"><properties><property '
            f'name="rnnspec.installation" value="{keras} on {backend} | {backend} 9.9 | devices: cpu"/>{chosen}'
            f"</properties>{cases}</testsuite></testsuites>")


PASSES = '<testcase classname="spec.test_masking" name="test_a[one]"/>'
FAILS = ('<testcase classname="spec.test_masking" name="test_a[one]"><failure message="AssertionError: h differs">'
         "details</failure></testcase>")
SAME = '<testcase classname="spec.test_masking" name="test_same[one]"/>'
RELEASES = {  # name -> (Keras version, test_a's outcome): fails up to 3.1, passes from 3.10, and on the nightly
    "keras-3.1.0-tensorflow": ("3.1.0", FAILS), "keras-3.10.0-tensorflow": ("3.10.0", PASSES),
    "keras-3.2.0-tensorflow": ("3.2.0", PASSES), "keras-nightly-tensorflow": ("3.11.0.dev2026", PASSES),
    "keras-3.0.0-tensorflow": ("3.0.0", FAILS),
}


@pytest.fixture
def releases(tmp_path):
    for name, (version, case) in RELEASES.items():
        (tmp_path / f"{name}.xml").write_text(junit(version, case + SAME))
    (tmp_path / "tf-keras-2.21.xml").write_text(junit("2.21.0", PASSES + SAME, tf_keras=True, selection="each-choice"))
    return tmp_path


def test_environments_are_ordered_by_line_then_release(releases):
    names = [e.name for e in version_matrix.read_all(releases)]
    assert names == ["keras-3.0.0-tensorflow", "keras-3.1.0-tensorflow", "keras-3.2.0-tensorflow",
                     "keras-3.10.0-tensorflow", "keras-nightly-tensorflow", "tf-keras-2.21"]


def test_the_page_leads_with_what_changed(releases):
    """Contents, then the compatibility grid, then what changed release by release, then each failure once; the
    environments' totals come after, folded, and what never changed is folded last."""
    markdown = version_matrix.markdown(version_matrix.read_all(releases))
    order = ["[Compatibility](#compatibility)", "## Compatibility", "## What changed", "## Failures",
             "## Environments", "<details><summary>", "| environment | installation |", "</details>",
             "## One outcome everywhere", "<details><summary>1 statements"]
    assert [markdown.index(heading) for heading in order] == sorted(markdown.index(heading) for heading in order)
    assert "| keras-3.0.0-tensorflow | tensorflow 9.9 | all | 1 | 1 | 0 | 0 |" in markdown
    assert "| tf-keras-2.21 | tensorflow 9.9 | each-choice | 2 | 0 | 0 | 0 |" in markdown  # which cases ran


def test_the_grid_has_a_row_per_differing_statement_and_a_column_per_release(releases):
    """Each line its table: a symbol per release (✗ failed, ✓ passed), and the first release where it changed."""
    environments = version_matrix.read_all(releases)
    markdown = version_matrix.markdown(environments)
    assert version_matrix.differing(environments) == ["test_masking::test_a"]
    assert "| statement | first change | 3.0.0 | 3.1.0 | 3.2.0 | 3.10.0 | nightly |" in markdown
    link = version_matrix.anchor("test_masking::test_a")
    assert f"| [`test_masking::test_a`](#{link}) | 3.2.0: ✗ → ✓ | ✗ | ✗ | ✓ | ✓ | ✓ |" in markdown
    assert "### tf_keras on TensorFlow" in markdown  # a line of its own, where the statement holds: no row
    assert "| `test_masking::test_a` | ✓ |" not in markdown


def test_statements_with_one_outcome_everywhere_are_folded(releases):
    environments = version_matrix.read_all(releases)
    markdown, page = version_matrix.markdown(environments), version_matrix.html_page(environments)
    folded = markdown[markdown.index("## One outcome everywhere (1)"):]
    assert "<details>" in folded and "| `test_masking::test_same` | 1 passed: all 6 |" in folded
    assert "`test_masking::test_same`" not in markdown[:markdown.index("## One outcome everywhere")]
    assert "<details><summary>1 statements: each case has one outcome wherever it ran" in page


def test_each_failure_is_told_once_with_the_environments_it_shows_in(tmp_path):
    """The same failure in many releases is one entry: its message once, the environments named (the largest group
    of many by its number)."""
    for minor in range(8):
        (tmp_path / f"keras-3.{minor}.0.xml").write_text(junit(f"3.{minor}.0", FAILS if minor else PASSES))
    markdown = version_matrix.markdown(version_matrix.read_all(tmp_path))
    failures = markdown[markdown.index("## Failures"):markdown.index("## Environments")]
    assert failures.count("AssertionError: h differs") == 1
    releases = ", ".join(f"3.{minor}.0" for minor in range(1, 8))
    assert f"**`test_masking::test_a`**\n\n7 cases in Keras 3 on TensorFlow {releases}:" in failures


def test_failures_that_differ_in_numbers_and_configuration_alone_are_one_entry():
    """Cases of one statement whose messages differ only in the numbers, the configuration and the installation
    are one failure: the first message shown, the cases counted; another message is another entry."""
    environment = version_matrix.Environment("keras-3.0.0")
    installation = "Keras 3.0.0 on jax | jax 0.4.23"
    for case, message in (("one", f"h differs by 0.25 at (0, 1)\n  configuration: LSTM() on cpu, {installation}"),
                          ("two", f"h differs by 0.5 at (2, 0)\n  configuration: GRU() on cpu, {installation}"),
                          ("three", "c is missing")):
        environment.failures.append(("test_state::test_h", case, message))
    found = version_matrix.failure_groups([environment])["test_state::test_h"]
    assert [(shown, cases) for shown, cases, _ in found] == [
        ("c is missing", 1), ("h differs by 0.25 at (0, 1)\n  configuration: LSTM() on cpu", 2)]


def test_the_changelog_names_what_changed_between_consecutive_releases_of_a_line(releases):
    environments = version_matrix.read_all(releases)
    log = version_matrix.changelog(environments)
    assert [(str(pair.before.release), str(pair.after.release), pair.changed) for pair in log] == [
        ("3.0.0", "3.1.0", {}),
        ("3.1.0", "3.2.0", {"test_masking::test_a": {("failed", "passed"): 1}}),
        ("3.2.0", "3.10.0", {}),
        ("3.10.0", "3.11.0.dev2026", {}),
    ]  # tf_keras is a line of its own, of one release
    markdown = version_matrix.markdown(environments)
    assert ("- **Keras 3 on TensorFlow: 3.1.0 → 3.2.0** (Keras moved):\n"
            "  - fix: `test_masking::test_a`: 1 failed → passed") in markdown
    assert "- **Keras 3 on TensorFlow: 3.0.0 → 3.1.0** (Keras moved): no change\n" in markdown


def case(name: str, outcome: str = "passed") -> str:
    """A JUnit test case of the masking chapter with that outcome."""
    inner = {"passed": "", "failed": '<failure message="AssertionError: h differs">details</failure>',
             "xfailed": '<skipped type="pytest.xfail" message="known"/>',
             "skipped": '<skipped type="pytest.skip" message="needs keras.ops.x"/>'}[outcome]
    return f'<testcase classname="spec.test_masking" name="{name}">{inner}</testcase>'


@pytest.fixture
def two_releases(tmp_path):
    """3.1.0 → 3.2.0: test_a's [two] and [three] fail then pass, and [four] passes then fails; test_grows passes
    everywhere and states a third case from 3.2.0 (an API the suite needs is new); test_runs could not run on 3.1.0
    (skipped) and passes on 3.2.0."""
    before = [case("test_a[one]"), case("test_a[two]", "failed"), case("test_a[three]", "failed"),
              case("test_a[four]"), case("test_grows[one]"), case("test_grows[two]"),
              case("test_runs[one]", "skipped"), case("test_runs[two]", "skipped")]
    after = [case("test_a[one]"), case("test_a[two]"), case("test_a[three]"), case("test_a[four]", "failed"),
             case("test_grows[one]"), case("test_grows[two]"), case("test_grows[three]"),
             case("test_runs[one]"), case("test_runs[two]")]
    for version, cases in (("3.1.0", before), ("3.2.0", after)):
        (tmp_path / f"keras-{version}.xml").write_text(junit(version, "".join(cases)))
    return version_matrix.read_all(tmp_path)


def test_the_changelog_compares_case_by_case_regressions_first(two_releases):
    [pair] = version_matrix.changelog(two_releases)
    assert pair.behaviour == {"test_masking::test_a": {("failed", "passed"): 2, ("passed", "failed"): 1}}
    markdown, page = version_matrix.markdown(two_releases), version_matrix.html_page(two_releases)
    assert ("  - regression: `test_masking::test_a`: 1 passed → failed\n"
            "  - fix: `test_masking::test_a`: 2 failed → passed\n") in markdown
    assert "regression: <code>test_masking::test_a</code>: 1 passed → failed" in page


def test_a_statement_that_only_states_more_cases_is_counted_not_listed_as_a_change(two_releases):
    [pair] = version_matrix.changelog(two_releases)
    assert "test_masking::test_grows" not in pair.changed
    markdown = version_matrix.markdown(two_releases)
    log = markdown[markdown.index("## What changed"):markdown.index("## Failures")]
    assert "`test_masking::test_grows`" not in log
    assert "  - 1 statement states more cases here than in 3.1.0" in log


def test_a_case_that_could_not_run_before_and_runs_now_is_worded_apart(two_releases):
    [pair] = version_matrix.changelog(two_releases)
    assert pair.runs_now == {"test_masking::test_runs": {("skipped", "passed"): 2}}
    assert "test_masking::test_runs" not in pair.behaviour
    markdown = version_matrix.markdown(two_releases)
    assert "  - runs now, skipped before: `test_masking::test_runs`: 2 skipped → passed\n" in markdown
    assert "fix: `test_masking::test_runs`" not in markdown


def test_a_statement_differs_only_where_one_of_its_cases_ran_with_two_outcomes(tmp_path):
    """Skipped cases and cases stated in one environment only make no difference; a case with two outcomes does."""
    environments = {
        "keras-3.1.0": [case("test_a[one]"), case("test_skipped[one]"), case("test_grows[one]"),
                        case("test_xfails[one]", "xfailed")],
        "keras-3.2.0": [case("test_a[one]", "failed"), case("test_skipped[one]", "skipped"), case("test_grows[one]"),
                        case("test_grows[two]"), case("test_xfails[one]", "xfailed"), case("test_xfails[two]")],
    }
    for name, cases in environments.items():
        (tmp_path / f"{name}.xml").write_text(junit(name.split("-")[1], "".join(cases)))
    found = version_matrix.read_all(tmp_path)
    assert version_matrix.differing(found) == ["test_masking::test_a"]
    markdown = version_matrix.markdown(found)
    assert "## Compatibility: the 1 statements whose cases differ or fail (4 in all)" in markdown
    assert "| `test_masking::test_skipped` | 1 passed: keras-3.1.0; 1 skipped: keras-3.2.0 |" in markdown
    assert "| `test_masking::test_xfails` | 1 xfailed: keras-3.1.0; 1 passed, 1 xfailed: keras-3.2.0 |" in markdown


def test_the_page_grows_with_what_changed_not_with_how_often(tmp_path):
    """Thirty releases failing alike write their failure once: the page grows by a grid column per release, not by
    a section per failing environment."""
    sizes = {}
    for releases in (10, 30):
        folder = tmp_path / str(releases)
        folder.mkdir()
        for minor in range(releases):
            (folder / f"keras-3.{minor}.0.xml").write_text(junit(f"3.{minor}.0", FAILS if minor % 2 else PASSES))
        markdown = version_matrix.markdown(version_matrix.read_all(folder))
        sizes[releases] = len(markdown[markdown.index("## Failures"):markdown.index("## Environments")])
    assert sizes[30] - sizes[10] < 400  # the list of environments, not the message again


def test_a_cell_shows_its_worst_outcome():
    environment = version_matrix.Environment("e")
    for statement, outcomes in (("a", {"passed": 1, "failed": 1}), ("b", {"passed": 3, "xfailed": 3}),
                                ("c", {"passed": 2}), ("d", {"skipped": 3})):
        environment.counts[statement].update(outcomes)
    assert [version_matrix.symbol(environment, s) for s in "abcde"] == ["✗", "◐", "✓", "–", ""]


def test_an_environment_with_extras_beside_a_release_is_not_a_release_of_the_changelog(tmp_path):
    """The export environment installs Keras 3.15.1 with runtimes beside it: the changelog goes from 3.15.1 to the
    next release, not from 3.15.1 to 3.15.1."""
    case = '<testcase classname="spec.test_x" name="test_x[a]"/>'
    for name, version in (("keras-3.15.1-tensorflow", "3.15.1"), ("keras-3.15.1-tensorflow-export", "3.15.1"),
                          ("keras-3.14.1-tensorflow", "3.14.1")):
        (tmp_path / f"{name}.xml").write_text(junit(version, case))
    pairs = version_matrix.changelog(version_matrix.read_all(tmp_path))
    assert [(p.before.name, p.after.name) for p in pairs] == [("keras-3.14.1-tensorflow", "keras-3.15.1-tensorflow")]


def test_the_shards_of_a_matrix_merged_give_the_page_one_run_gives(releases, tmp_path_factory):
    """Results gathered from several folders (one CI job per environment, or several machines) make the page the
    same results in one folder make, Markdown and HTML; where two folders hold one environment, the later wins."""
    shards = [tmp_path_factory.mktemp("shard") for _ in range(2)]
    for index, path in enumerate(sorted(releases.glob("*.xml"))):
        (shards[index % 2] / path.name).write_text(path.read_text())
    whole, merged = version_matrix.read_all(releases), version_matrix.read_all(*shards)
    assert version_matrix.markdown(merged) == version_matrix.markdown(whole)
    assert version_matrix.html_page(merged) == version_matrix.html_page(whole)
    rerun = tmp_path_factory.mktemp("rerun")
    (rerun / "keras-3.1.0-tensorflow.xml").write_text(junit("3.1.0", PASSES + SAME))
    again = {e.name: e for e in version_matrix.read_all(*shards, rerun)}
    assert again["keras-3.1.0-tensorflow"].counts["test_masking::test_a"] == {"passed": 1}


def test_what_the_matrix_costs_on_n_runners_comes_from_the_recorded_times():
    """Run N at a time, the longest first, the environments take the longest runner's load; the total is their sum."""
    environments = [version_matrix.Environment(name, seconds=seconds)
                    for name, seconds in (("a", 300.0), ("b", 200.0), ("c", 100.0), ("d", 100.0))]
    assert version_matrix.runners_needed(environments, 2) == (400.0, 700.0)  # 300 + 100 beside 200 + 100
    assert version_matrix.runners_needed(environments, 4) == (300.0, 700.0)
    assert version_matrix.runners_needed(environments, 1) == (700.0, 700.0)
