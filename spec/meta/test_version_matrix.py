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
