"""Every item of the recurrent layers' API (rnnspec.statements.coverage: each public recurrent class's constructor and `call`
arguments and its methods, read from the installed Keras) is documented by a statement or listed out of scope with
its reason, and every declaration and entry names an item that exists."""

from pathlib import Path

import pytest

from rnnspec import installation
from rnnspec.statements import coverage

pytestmark = pytest.mark.meta


@pytest.fixture(scope="module")
def measured():
    if installation.is_keras_2():
        pytest.skip("the items are those of Keras 3's classes; the meta-tests run on Keras 3")
    return coverage.measure()


def test_every_item_has_a_statement_or_a_reason_to_have_none(measured):
    assert not measured.missing, (
        f"{len(measured.missing)} items have neither a statement (@documents) nor an entry in "
        f"rnnspec.statements.coverage.OUT_OF_SCOPE: {measured.missing}"
    )


def test_every_declaration_names_an_item(measured):
    assert not measured.unknown_declarations, f"@documents names no item of Keras: {measured.unknown_declarations}"


def test_every_out_of_scope_entry_names_an_item(measured):
    assert not measured.unknown_exclusions, f"OUT_OF_SCOPE patterns that match no item: {measured.unknown_exclusions}"


def test_the_coverage_page_reports_the_coverage_measured(measured):
    page = (Path(__file__).resolve().parents[2] / "docs" / "coverage.md").read_text()
    start = page.index(coverage.PAGE_START) + len(coverage.PAGE_START)
    assert page[start : page.index(coverage.PAGE_END)].strip() == coverage.markdown_table(measured), (
        "docs/coverage.md's table is stale: run `rnnspec coverage --update docs/coverage.md`"
    )
