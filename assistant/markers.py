"""Citation markers: the ``[n]`` in an answer's text that points at shown passage ``n``.

Parsing, removal and the validation every answer goes through live here, so the composers,
the web page and the test helpers agree on what a marker is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .schema import Answer, Citation

#: ``[n]`` with one to three digits; the group is the passage number.
MARKER = re.compile(r"\[(\d{1,3})\]")
_MARKER_AND_BLANKS_BEFORE = re.compile(r"[ \t]*" + MARKER.pattern)
_RUNS_OF_BLANKS = re.compile(r"[ \t]{2,}")


def parse_markers(text: str) -> list[int]:
    """The passage numbers cited in ``text``, in order of appearance (repeats kept)."""
    return [int(number) for number in MARKER.findall(text)]


def strip_markers(text: str, keep: Callable[[int], bool] = lambda number: False) -> tuple[str, list[int]]:
    """``text`` without the markers ``keep`` rejects (all of them by default), and those numbers.

    A removed marker takes the blanks before it along ("signed [9]." becomes "signed."), runs
    of blanks are collapsed and the ends trimmed; text with nothing removed is returned as is.
    """
    removed: list[int] = []

    def drop(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if keep(number):
            return match.group(0)
        removed.append(number)
        return ""

    stripped = _MARKER_AND_BLANKS_BEFORE.sub(drop, text)
    if removed:
        stripped = _RUNS_OF_BLANKS.sub(" ", stripped).strip()
    return stripped, removed


def quote_is_exact(answer: Answer, citation: Citation) -> bool:
    """The citation's marker is a shown passage, the same chunk, and its quote is the exact
    text at its span inside that passage."""
    passage = next((p for p in answer.passages if p.number == citation.marker), None)
    return (
        passage is not None
        and passage.chunk_id == citation.chunk_id
        and passage.start <= citation.start <= citation.end <= passage.end
        and passage.text[citation.start - passage.start : citation.end - passage.start] == citation.quote
    )


def validate_citations(answer: Answer) -> Answer:
    """Remove markers and citations that point at nothing shown or quote inexactly; flag them.

    The last step for every backend: whatever a composer wrote, a marker that survives points
    at a shown passage and a citation that survives quotes it character for character.
    """
    warnings = list(answer.warnings)
    valid: list[Citation] = []
    for citation in answer.citations:
        if quote_is_exact(answer, citation):
            valid.append(citation)
        else:
            warnings.append(f"citation [{citation.marker}] removed: its quote is not in the shown passage")
    shown = {p.number for p in answer.passages}
    text, removed = strip_markers(answer.text, keep=shown.__contains__)
    warnings.extend(f"marker [{number}] removed: no passage has that number" for number in removed)
    return answer.model_copy(update={"citations": valid, "warnings": warnings, "text": text})
