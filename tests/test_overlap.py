"""Word overlap alone: bags of content words, Jaccard and containment."""

from __future__ import annotations

import pytest

from assistant.overlap import containment, jaccard, word_bag


def test_word_bag_keeps_content_words_folded() -> None:
    assert word_bag("The Pact, the PACT and the pacts of 2000!") == {"pact", "pacts", "2000"}
    assert word_bag("Café in Zürich") == {"cafe", "zurich"}
    assert word_bag("the and of") == frozenset()


def test_jaccard() -> None:
    a, b = word_bag("Russia signed the pact"), word_bag("the pact Russia ratified")
    assert jaccard(a, b) == pytest.approx(2 / 4)
    assert jaccard(a, a) == 1.0
    assert jaccard(a, word_bag("kimchi recipe")) == 0.0
    assert jaccard(frozenset(), frozenset()) == 1.0, "two empty texts are the same text"
    assert jaccard(a, frozenset()) == 0.0


def test_containment_is_not_symmetric() -> None:
    short, long = word_bag("pact signed"), word_bag("the pact was signed in Moscow in June")
    assert containment(short, long) == 1.0
    assert containment(long, short) == pytest.approx(2 / 4)  # pact, signed of pact, signed, moscow, june
    assert containment(frozenset(), long) == 0.0
