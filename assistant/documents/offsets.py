"""An offset map from a document's canonical (displayed) text back to the raw file text.

Markdown is shown and quoted as the text a reader sees (link text without its URL, no
emphasis markers, no table pipes), yet a citation must still point at the author's own
characters. The parser records, for every displayed character copied from the file, where it
came from; :func:`source_span` turns any span of the canonical text into the raw-file span
that holds exactly those characters.

The map is stored as runs ``(text_start, raw_start, length)``: within a run, displayed
character ``text_start + k`` is raw character ``raw_start + k``. Characters the parser
synthesised (the blank line between two blocks) belong to no run.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from ..schema import Document

Run = tuple[int, int, int]


class OffsetMapBuilder:
    """Accumulates displayed characters and their raw positions, then compresses them to runs."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.raw: list[int] = []  # raw index of each displayed character; -1 when synthesised

    def __len__(self) -> int:
        return len(self.chars)

    def add(self, chars: Sequence[str], raw: Sequence[int]) -> None:
        self.chars.extend(chars)
        self.raw.extend(raw)

    def synthesise(self, text: str) -> None:
        self.chars.extend(text)
        self.raw.extend([-1] * len(text))

    def text(self) -> str:
        return "".join(self.chars)

    def runs(self) -> tuple[Run, ...]:
        runs: list[Run] = []
        start = raw_start = length = -1
        for i, r in enumerate(self.raw):
            if r >= 0 and length > 0 and r == raw_start + length and i == start + length:
                length += 1
                continue
            if length > 0:
                runs.append((start, raw_start, length))
            start, raw_start, length = (i, r, 1) if r >= 0 else (-1, -1, -1)
        if length > 0:
            runs.append((start, raw_start, length))
        return tuple(runs)


def _raw_of(runs: tuple[Run, ...], position: int, *, forward: bool) -> int | None:
    """Raw index of the first mapped character at or after (forward) / at or before ``position``."""
    i = bisect_right(runs, position, key=lambda run: run[0]) - 1
    if i >= 0:
        t, raw, n = runs[i]
        if position < t + n:
            return raw + position - t
        if not forward:
            return raw + n - 1
    if forward:
        if i + 1 < len(runs):
            return runs[i + 1][1]
        return None
    return None


def source_span(document: Document, start: int, end: int) -> tuple[int, int]:
    """The raw-file span holding the displayed characters ``document.text[start:end]``.

    Offsets count characters of the decoded file (what the Markdown parser read). For formats
    whose canonical text is the file itself, or whose raw form is markup or binary (HTML,
    PDF), the span is returned unchanged: there is no finer source to point at.
    """
    if not 0 <= start <= end <= len(document.text):
        raise ValueError(f"span {start}:{end} is outside the document text (0:{len(document.text)})")
    runs = document.source_offsets
    if runs is None:
        return start, end
    if start == end:
        raw = _raw_of(runs, start, forward=True)
        raw = raw if raw is not None else (_raw_of(runs, start, forward=False) or -1) + 1
        return raw, raw
    first = _raw_of(runs, start, forward=True)
    last = _raw_of(runs, end - 1, forward=False)
    if first is None or last is None or last < first:  # only synthesised characters
        anchor = first if first is not None else (last + 1 if last is not None else 0)
        return anchor, anchor
    return first, last + 1
