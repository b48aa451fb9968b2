"""The version matrix report: outcomes counted per statement and environment, failures linked to their messages."""

import pytest

from rnnspec import version_matrix

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
    target = version_matrix.anchor("keras-9.9", "test_masking::test_a")
    markdown, page = version_matrix.markdown([environment]), version_matrix.html_page([environment])
    assert f"(#{target})" in markdown and f'<a id="{target}"></a>' in markdown and "h differs" in markdown
    assert f'href="#{target}"' in page and f'id="{target}"' in page and "h differs" in page


def test_environments_are_ordered_by_version(tmp_path):
    names = ["keras-3.10", "keras-3.5", "tf-keras-2.21", "keras-3.0"]
    ordered = sorted((tmp_path / f"{n}.xml" for n in names), key=version_matrix.natural_order)
    assert [p.stem for p in ordered] == ["keras-3.0", "keras-3.5", "keras-3.10", "tf-keras-2.21"]


# What `python -m rnnspec.repro --run --record` wrote on Keras 3.15.1 with JAX (four of its reproducers).
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


def test_each_divergence_shows_what_its_reproducer_said_in_each_environment(with_and_without_reproducers):
    markdown = version_matrix.markdown(with_and_without_reproducers)
    assert "| divergence | reproducer | keras-9.9 | tf-keras-9.9 |" in markdown
    assert (
        "| `model.predict` does not keep a stateful layer's states between calls | "
        "`jax_predict_forgets_stateful_states` | still diverges | no record |"
    ) in markdown
    assert (
        "| A recurrent layer cannot be built inside `keras.device`; A benchmark cannot place its layer | "
        "`torch_layer_built_inside_keras_device` | – | no record |"
    ) in markdown
    assert "| `jax_gru_without_cudnn` | – (needs a GPU) | no record |" in markdown


def test_the_page_colours_a_diverging_reproducer_as_a_known_divergence(with_and_without_reproducers):
    page = version_matrix.html_page(with_and_without_reproducers)
    assert '<td class="xfailed">still diverges</td>' in page and '<td class="skipped">no record</td>' in page
    assert "<code>jax_predict_forgets_stateful_states</code>" in page


def test_without_records_the_report_has_no_table_of_divergences(environment):
    assert "Known divergences" not in version_matrix.markdown([environment])
    assert "Known divergences" not in version_matrix.html_page([environment])
