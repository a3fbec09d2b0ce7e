"""Format-independent heuristics for real documents: metadata lines, boilerplate, headings.

Scraped pages and exported PDFs carry more than the article: navigation, version lists,
"Key: value" header lines, running headers, legal notices. These rules recognise them by
their shape (link density, repetition, position, a line's length and punctuation) and by
generic vocabulary (what a date, an author role or a legal notice looks like), never by the
wording of one site, so they hold for documents nobody tuned them on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date as Date
from functools import lru_cache
from typing import Any

from ..schema import Document
from .common import make_block, parse_date


@dataclass(frozen=True)
class LayoutRules:
    """The thresholds of the shape heuristics, taken from the settings (``parse_*``, ``pdf_*``).

    :func:`assistant.documents.load_document` makes them the active rules while it parses, so
    the heuristics read them with :func:`rules` instead of every helper taking a parameter.
    """

    link_density: float  # a line mostly link text (navigation, link lists) is boilerplate
    heading_max_words: int  # headings are short: a sentence-long line is a paragraph
    heading_max_chars: int
    legal_notice_tail: float  # legal notices are boilerplate only near the end
    pdf_zone_lines: int
    pdf_repeat_share: float
    pdf_prefix_chars: int
    pdf_short_line: float
    pdf_heading_width: float
    pdf_heading_width_after_full_line: float
    field_words: int = 12  # a header field worth answering from has at most this many words

    @classmethod
    def from_settings(cls, settings: Any) -> LayoutRules:
        return cls(
            settings.parse_link_density, settings.parse_heading_max_words, settings.parse_heading_max_chars,
            settings.parse_legal_notice_tail, settings.pdf_furniture_zone_lines,
            settings.pdf_furniture_repeat_share, settings.pdf_furniture_prefix_chars, settings.pdf_short_line,
            settings.pdf_heading_width, settings.pdf_heading_width_after_full_line, settings.parse_field_words,
        )


_ACTIVE: ContextVar[LayoutRules | None] = ContextVar("layout_rules", default=None)


@lru_cache(maxsize=1)
def _configured() -> LayoutRules:
    from ..config import load_settings

    return LayoutRules.from_settings(load_settings())


def rules() -> LayoutRules:
    """The rules of the parse in progress (the configured ones outside :func:`using`)."""
    return _ACTIVE.get() or _configured()


@contextmanager
def using(active: LayoutRules | None) -> Iterator[None]:
    """Parse with ``active`` (None: the configured rules) in this thread until the block ends."""
    token = _ACTIVE.set(active or _configured())
    try:
        yield
    finally:
        _ACTIVE.reset(token)


_KEY_VALUE = re.compile(r"^(?P<key>[A-Z][A-Za-z0-9()/&.' -]{0,38}?)\s*:\s+(?P<value>\S.*)$")
_AUTHOR_KEYS = re.compile(r"^(?:authors?|authors?\(s\)|by|byline|writers?|written by|creators?)$", re.I)
_DATE_KEYS = re.compile(
    r"^(?:(?:publication|published|release|issue|cover|report)\s+date|date|published|"
    r"updated|last updated|issued|released)$",
    re.I,
)
_TITLE_KEYS = re.compile(r"^(?:title|headline)$", re.I)
_PUBLISHER_KEYS = re.compile(r"^(?:publisher|published by|publishing organi[sz]ation)$", re.I)
#: A document's own number ("Report No.", "CRS Product Number", "Document ID", "DOI").
_IDENTIFIER_KEYS = re.compile(
    r"^(?:[A-Z]{2,5}\s+)?(?:report|product|document|publication|paper|reference|serial|catalog(?:ue)?)\s*"
    r"(?:no\.?|number|num\.?|#|id)$|^ref(?:erence)?\.?\s*no\.?$|^doi$|^isbn$|^issn$", re.I)

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
TEXT_DATE = re.compile(
    rf"\b(?:{_MONTHS}\.? \d{{1,2}}(?:st|nd|rd|th)?, \d{{4}}|\d{{1,2}}(?:st|nd|rd|th)? {_MONTHS} \d{{4}})\b"
)
_UPDATED_DATE = re.compile(
    rf"\b(?:Updated|Revised|Published|Last updated)\s*:?\s*(?P<date>{TEXT_DATE.pattern})"
)
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")

_LEGAL = re.compile(
    r"\b(copyright(?:ed)?|all rights reserved|disclaimers?|terms of (?:use|service)|privacy policy|"
    r"trademarks?|liabilit(?:y|ies)|permission|reproduced|relied upon|warrant(?:y|ies)|"
    r"endorse(?:ment)?|licen[cs]e[ds]?)\b",
    re.I,
)
_CAPTION = re.compile(
    r"^(?:Figure|Fig\.|Table|Chart|Map|Exhibit|Graphic|Photo|Image|Sources?|Notes?)\b[\s\d.:-]"
)
_ROLE = re.compile(
    r"\b(?:Analyst|Specialist|Professor|Lecturer|Director|Fellow|Researcher|Editor|Reporter|"
    r"Correspondent|Associate|Scientist|Economist|Attorney|Coordinator|Manager|Officer|"
    r"Consultant|Adviser|Advisor|Chair|Head|Writer)\b"
)
_NAME = re.compile(r"^(?:[A-Z][A-Za-z'’-]+|[A-Z]\.)(?: (?:[A-Z][A-Za-z'’-]+|[A-Z]\.)){1,4}$")
_END_PUNCT = re.compile(r"[.!;:,]['\"”’)\]]*$")
_IDENTIFIER = re.compile(r"^[A-Z]{1,5}[- ]?\d{2,8}(?:\.\d+)?$")
_PAGE_NUMBER = re.compile(r"^(?:(?:page|p\.)\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_URL_LINE = re.compile(r"^(?:(?:https?|ftp)://|www\.)\S+(?:\s+\|.*)?$")


def key_value(text: str) -> tuple[str, str] | None:
    """("Author(s)", "Sayler, Kelley M.") for a ``Key: value`` header line, else None."""
    match = _KEY_VALUE.match(text.strip())
    if not match:
        return None
    key = match.group("key").strip()
    if len(key.split()) > 4:
        return None
    return key, match.group("value").strip()


def key_role(key: str) -> str | None:
    """Which metadata field a header key names: 'author', 'date', 'title', 'publisher',
    'identifier' (the document's own number) or None."""
    if _AUTHOR_KEYS.match(key):
        return "author"
    if _DATE_KEYS.match(key):
        return "date"
    if _TITLE_KEYS.match(key):
        return "title"
    if _PUBLISHER_KEYS.match(key):
        return "publisher"
    if _IDENTIFIER_KEYS.match(key):
        return "identifier"
    return None


def is_field_value(value: str) -> bool:
    """True for the value of a header field worth answering from: a few words, not a web address
    or a link ("Version: 6", "Topics: Farming & Fisheries"; not "Source: https://...")."""
    return 0 < len(value.split()) <= rules().field_words and not _URL_LINE.match(value.strip()) \
        and "://" not in value


def normalise_authors(value: str) -> str:
    """"Frittelli, John; Goldman, Ben" -> "John Frittelli, Ben Goldman" (catalogue order undone).

    A single "Surname, Given" pair is inverted too; a list of full names is left alone.
    """
    parts = [p.strip() for p in re.split(r";|\s+and\s+|&", value) if p.strip()]
    names = []
    for part in parts:
        surname, comma, given = part.partition(",")
        if comma and " " not in surname.strip() and given.strip() and "," not in given:
            names.append(f"{given.strip()} {surname.strip()}")
        else:
            names.append(part)
    return ", ".join(names)


def text_dates(text: str) -> list[str]:
    """ISO dates written out in words ("April 10, 2026", "10 April 2026") in ``text``."""
    found = []
    for match in TEXT_DATE.finditer(text):
        iso = parse_date(match.group(0).replace(".", ""))
        if iso:
            found.append(iso)
    return found


def updated_date(text: str) -> str | None:
    """The date of an "Updated <date>" (or Revised/Published) mention in ``text``."""
    match = _UPDATED_DATE.search(text)
    return parse_date(match.group("date").replace(".", "")) if match else None


def resolve_date(value: str, evidence: list[str]) -> str | None:
    """ISO date of a header value; a numeric date that reads both ways (04/10/2026) takes the
    reading that another date written out in words in the same document confirms."""
    value = value.strip()
    numeric = _NUMERIC_DATE.match(value)
    if not numeric:
        return parse_date(value) or (text_dates(value) or [None])[0]
    a, b, year = (int(g) for g in numeric.groups())
    readings = []
    for month, day in ((a, b), (b, a)):  # month-first first: it is the only reading of 04/16
        try:
            readings.append(Date(year, month, day).isoformat())
        except ValueError:
            continue
    for reading in readings:
        if reading in evidence:
            return reading
    if len(readings) == 1:
        return readings[0]
    return parse_date(value)


#: "This document was prepared by the Example Policy Institute (EPI).": who stands
#: behind a document, as its end matter says. The name is two or more capitalised words
#: (joined by "of", "for", "and", "on", "the" or "&"), with its abbreviation in brackets.
_PREPARED_BY = re.compile(
    r"\b(?:was|were|is|are|has been|have been)\s+(?:prepared|published|produced|issued|compiled)\s+by\s+"
    r"(?:the\s+)?(?P<name>[A-Z][\w'’&-]*(?:\s+(?:(?:of|for|and|on|the|&)\s+)?[A-Z][\w'’&-]*)+"
    r"(?:\s+\([A-Z][A-Za-z&.]{1,12}\))?)"
)


def preparer_span(text: str) -> tuple[int, int] | None:
    """The span in ``text`` of the organisation a notice says prepared or published the
    document ("... was prepared by the Example Policy Institute (EPI)."), or None."""
    match = _PREPARED_BY.search(text)
    return match.span("name") if match else None


def is_legal_notice(text: str) -> bool:
    """Two or more distinct legal-notice terms (copyright, permission, reproduced, ...)."""
    terms = {m.group(1).lower().rstrip("s") for m in _LEGAL.finditer(text)}
    return len(terms) >= 2


def is_caption(text: str) -> bool:
    """Figure/table titles, "Source:"/"Note:" lines under a figure."""
    return bool(_CAPTION.match(text))


def looks_like_heading(text: str) -> bool:
    """A short line that is not a sentence: few words, no closing punctuation (a question
    mark is allowed: "How is it used?" headings are common), starts with a capital or digit."""
    text = text.strip()
    limits = rules()
    if not text or len(text) > limits.heading_max_chars or len(text.split()) > limits.heading_max_words:
        return False
    if _END_PUNCT.search(text) or not (text[0].isupper() or text[0].isdigit()):
        return False
    return any(ch.isalpha() for ch in text) and not is_page_furniture(text)


def is_page_furniture(text: str) -> bool:
    """A page number, a bare URL (optionally with a trailing "| ..." tag), or a lone
    document identifier such as "R12345": things printed on a page, not written in it."""
    text = text.strip()
    return bool(_PAGE_NUMBER.match(text) or _URL_LINE.match(text) or is_identifier(text))


def is_identifier(text: str) -> bool:
    """A lone document code such as "R12345" or "IF10491"."""
    return bool(_IDENTIFIER.match(text.strip()))


def author_line(text: str) -> str | None:
    """The name in an author line such as "Jane Q. Roe, Senior Analyst in Trade Policy"."""
    name, comma, role = text.strip().partition(",")
    if comma and _NAME.match(name.strip()) and _ROLE.search(role) and len(role.split()) <= 12:
        return name.strip()
    return None


def is_role_line(text: str) -> bool:
    """"Specialist in Transportation Policy": a job title under a name in an author block."""
    text = text.strip()
    return bool(_ROLE.match(text) or re.match(r"^(?:Senior|Principal|Acting|Deputy|Chief|Lead) ", text)
                and _ROLE.search(text)) and len(text.split()) <= 10 and not _END_PUNCT.search(text)


def is_name(text: str) -> bool:
    return bool(_NAME.match(text.strip()))


def contains_title(text: str, title: str) -> bool:
    """A short line that repeats the title (a page's own title banner, a running header)."""
    squeeze = re.sub(r"\s+", "", text)
    wanted = re.sub(r"\s+", "", title)
    return len(wanted) >= 8 and wanted in squeeze and len(squeeze) <= len(wanted) + 60


def with_notice_publisher(document: Document) -> Document:
    """``document`` with the organisation its end matter names as having prepared it ("This
    document was prepared by the Example Policy Institute (EPI).") as its publisher, when
    it has no publisher line of its own.

    Many reports say who stands behind them only in a notice that is otherwise boilerplate, so
    "Which organisation published it?" had nothing to cite. The name becomes a publisher block
    over its exact span inside the notice; the rest of the notice stays boilerplate (never
    chunked). A notice in the body text is left alone: only boilerplate blocks are read.
    """
    if document.publisher:
        return document
    for n, block in enumerate(document.blocks):
        if block.kind != "boilerplate" or (span := preparer_span(block.text)) is None:
            continue
        start, end = block.start + span[0], block.start + span[1]
        pieces = [
            make_block(document.text, block.start, start, "boilerplate", block.section, block.level, block.page),
            make_block(document.text, start, end, "publisher", (), 0, block.page),  # about the document, in no section
            make_block(document.text, end, block.end, "boilerplate", block.section, block.level, block.page),
        ]
        blocks = document.blocks[:n] + tuple(p for p in pieces if p is not None) + document.blocks[n + 1 :]
        return replace(document, blocks=blocks, publisher=document.text[start:end])
    return document
