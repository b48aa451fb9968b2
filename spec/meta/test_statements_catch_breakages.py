"""Each statement of the spec fails against a layer broken the way it speaks of, and holds for the real one; no
statement of a chapter goes without such a breakage. The chapters and their catches: spec/meta/chapters.py."""

import pytest

from spec.meta.catching import assert_caught, assert_every_statement_caught
from spec.meta.chapters import CHAPTERS

pytestmark = [
    pytest.mark.meta,
    # What Keras and TensorFlow warn of under the breakages that make a compiled call path run otherwise: the
    # breakage's own doing, which the statement catches.
    pytest.mark.filterwarnings("ignore:Even though the `tf.config.experimental_run_functions_eagerly`:UserWarning"),
    pytest.mark.filterwarnings("ignore:Model doesn't support `jit_compile=True`:UserWarning"),
]


@pytest.mark.parametrize(
    "catch", [pytest.param(catch, id=f"{chapter.name}-{catch.id}") for chapter in CHAPTERS for catch in chapter.catches]
)
def test_statement_catches_the_broken_layer(catch, monkeypatch, observation_cache, request):
    assert_caught(catch, monkeypatch, observation_cache, request)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda chapter: chapter.name)
def test_every_statement_of_the_chapter_has_a_breakage_it_catches(chapter):
    assert_every_statement_caught(chapter)
