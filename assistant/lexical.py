"""BM25 over the stored chunks, robust to exact names, other scripts and typos.

Tokens are Unicode words (so the Russian song title is searchable), English-stemmed, with
stopwords dropped. A query word the corpus never uses is mapped to the closest vocabulary
word when one is close enough: "sumit" finds "summit", "contry" finds "country".
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
import math
import re
from collections import Counter
from functools import lru_cache

import numpy as np

from .schema import Chunk
from .text import STOPWORDS, content_words


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    try:
        import Stemmer

        return Stemmer.Stemmer("english")
    except ImportError:  # pragma: no cover - PyStemmer is a core dependency
        return None


def stem_all(tokens: Sequence[str]) -> list[str]:
    stemmer = _stemmer()
    return list(stemmer.stemWords(list(tokens))) if stemmer else list(tokens)


def tokenize(text: str) -> list[str]:
    return stem_all(content_words(text))


class LexicalIndex:
    """A BM25 index over chunks; built in memory from the store, rebuilt when it changes."""

    def __init__(self, chunks: Sequence[Chunk], fingerprint: str = "") -> None:
        import bm25s

        self.chunks = list(chunks)
        self.fingerprint = fingerprint
        self._surface_vocab: set[str] = set()
        corpus_tokens = []
        for chunk in self.chunks:
            surface = content_words(chunk.text + " " + chunk.title + " " + " ".join(chunk.section))
            self._surface_vocab.update(surface)
            corpus_tokens.append(stem_all(surface) or ["_empty_"])
        self._vocab_sorted = sorted(self._surface_vocab)
        self._doc_freq = Counter(t for tokens in corpus_tokens for t in set(tokens))
        self._bm25 = bm25s.BM25()
        if self.chunks:
            self._bm25.index(corpus_tokens, show_progress=False)

    def correct(self, words: Sequence[str]) -> list[str]:
        """Replace words the corpus does not contain by a close vocabulary word, if any."""
        fixed = []
        for word in words:
            known = word in self._surface_vocab or stem_all([word])[0] in self._doc_freq
            if known or len(word) < 4 or word.isdigit():
                fixed.append(word)
                continue
            match = difflib.get_close_matches(word, self._vocab_sorted, n=1, cutoff=0.84)
            fixed.append(match[0] if match else word)
        return fixed

    def correct_text(self, text: str) -> str:
        """The text with misspelled words replaced in place (for dense search and display)."""
        def fix(match: re.Match[str]) -> str:
            word = match.group(0)
            folded = word.casefold()
            if folded in STOPWORDS:
                return word
            fixed = self.correct([folded])[0]
            return word if fixed == folded else fixed

        return re.sub(r"\w+", fix, text)

    def idf(self, token: str) -> float:
        """Smoothed inverse document frequency of a stemmed token (unknown words weigh most)."""
        n = max(1, len(self.chunks))
        return math.log(1 + (n - self._doc_freq.get(token, 0) + 0.5) / (self._doc_freq.get(token, 0) + 0.5))

    def query_tokens(self, query: str, corrected: bool = False) -> list[str]:
        words = content_words(query)
        return stem_all(words if corrected else self.correct(words))

    def scores(self, query: str, corrected: bool = False) -> np.ndarray:
        """BM25 score of every chunk, in ``self.chunks`` order."""
        if not self.chunks:
            return np.zeros(0)
        tokens = self.query_tokens(query, corrected)
        if not tokens:
            return np.zeros(len(self.chunks))
        return np.asarray(self._bm25.get_scores(tokens), dtype=float)

    def search(
        self, query: str, k: int, allowed: set[str] | None = None, corrected: bool = False
    ) -> list[tuple[Chunk, float]]:
        scores = self.scores(query, corrected)
        order = np.argsort(-scores, kind="stable")
        out = []
        for idx in order:
            if scores[idx] <= 0:
                break
            chunk = self.chunks[int(idx)]
            if allowed is not None and chunk.id not in allowed:
                continue
            out.append((chunk, float(scores[idx])))
            if len(out) >= k:
                break
        return out
