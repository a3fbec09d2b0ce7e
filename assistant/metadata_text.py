"""How a metadata line (title, byline, date line, publisher, number, another header field) and an
image caption are worded.

Two wordings live here side by side: the *statement* a metadata passage is embedded and scored
as ("The article was written by ... (author, writer, who wrote it)"), because a bare "Jane Roe |
5 March 2024" says nothing a question could match; and the *sentence* an answer shows around the
line's exact text ("The article is by Jane Roe, dated 5 March 2024."), which the citation quotes
character for character. Nothing here reads a document's vocabulary.
"""

from __future__ import annotations

import re
from datetime import date

#: Passage kinds that are lines about the document itself rather than its content.
METADATA_KINDS = ("publisher", "title", "byline", "dateline", "identifier", "field")

#: The label of an author line ("Authors:", "Author(s):", "By").
_AUTHOR_LABEL = re.compile(r"^\s*(?:authors?|author\(s\)|written\s+by|by)\s*:?\s*", re.I)


def statement(
    kind: str, text: str, author: str | None, date: str | None, publisher: str | None, title: str
) -> str:
    """A plain sentence for a metadata line, embedded and scored in its place (never shown)."""
    if kind == "byline":
        who = f"written by {author}" if author else "byline"
        if "|" in text:
            when = f", published on {text.split('|', 1)[1].strip()}"
        else:  # an author line of its own ("Authors: ..."): the date comes from the metadata
            when = f", published on {date}" if date else ""
        return f"The article was {who} (author, writer, who wrote it){when} (publication date, when)."
    if kind == "publisher":
        return f"The article was published by {text} (publisher, institute, organisation, think tank)."
    if kind == "dateline":  # "Updated April 10, 2026", "Publication Date: 04/10/2026"
        return f"The article was published or last updated on {date or text} (publication date, when, updated, released)."
    if kind == "identifier":  # "Report No.: IF12610"
        return f"The report number of “{title}” is {text} (product number, report number, document number, identifier)."
    if kind == "field":  # another header line: "Version: 6", "Topics: Farming & Fisheries"
        key, _, value = text.partition(":")
        return f"The {key.strip().lower()} of the document “{title}” is {value.strip()} ({key.strip().lower()})."
    return f"The article is titled “{text}” (title, headline)."


def shown_sentence(kind: str, text: str, iso_date: str | None = None) -> str:
    """The answer's sentence for a metadata line or a caption, around its exact ``text``."""
    if kind == "byline":
        author, _, when = text.partition("|")
        if when:
            return f"The article is by {author.strip()}, dated {when.strip()}."
        return f"By {_AUTHOR_LABEL.sub('', text)}."  # "Authors: Roe, Jane; ..." -> "By Roe, Jane; ..."
    if kind == "publisher":
        return f"It was published by {text}."
    if kind == "dateline":  # "Updated April 10, 2026", "Publication Date: 04/10/2026": it says itself
        line = text.rstrip(".")
        numeric = re.search(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b", line)  # "04/17/2026" reads two ways
        spelled = _spelled_date(iso_date)
        if numeric and spelled and iso_date:  # say which way, when the document's date agrees with it
            year, month, day = iso_date.split("-")
            if numeric.group(3) == year and {int(numeric.group(1)), int(numeric.group(2))} == {int(month), int(day)}:
                return f"{line} ({spelled})."
        return f"{line}."
    if kind in ("identifier", "field"):  # "Report No.: IF12610", "Version: 6": each says itself
        return text if text.endswith(".") else f"{text}."
    if kind == "title":
        return f"The article is titled \u201c{text}\u201d."
    if kind == "caption":
        return f"An image in the article carries the caption or credit \u201c{text}\u201d."
    return text


def _spelled_date(iso: str | None) -> str | None:
    """An ISO date as words ("2026-04-17" -> "April 17, 2026"), or None."""
    try:
        return date.fromisoformat(iso or "").strftime("%B %-d, %Y")
    except ValueError:
        return None
