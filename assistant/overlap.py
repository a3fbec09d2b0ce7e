"""How much two texts share, in content words (stopwords and case ignored).

One home for word overlap: retrieval drops near-duplicate passages with it, the extractive
composer avoids repeating itself with it, and the LLM backend checks that a sentence is
supported by the passage it cites with it.
"""

from __future__ import annotations

from collections.abc import Set

from .text import content_words


def word_bag(text: str) -> frozenset[str]:
    """The distinct content words of ``text`` (folded: case and accents ignored)."""
    return frozenset(content_words(text))


def jaccard(a: Set[str], b: Set[str]) -> float:
    """Shared words over all words; two empty bags count as identical (1.0)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def containment(part: Set[str], whole: Set[str]) -> float:
    """The share of ``part``'s words that ``whole`` contains (0.0 when ``part`` is empty)."""
    return len(part & whole) / len(part) if part else 0.0
