"""Markdown: headings give the section path; paragraphs, list items and table rows are blocks.

The canonical text is what a reader sees: link text without its URL, no emphasis markers,
code ticks or table pipes, each block on one line (hard wraps joined), blocks separated by a
blank line. ``Document.source_offsets`` maps every displayed character back to the raw file
(see :mod:`.offsets`), so a quote is still checkable against the author's own characters.

Real scraped pages carry more than the article; by shape alone (see :mod:`.layout`):

- ``Key: value`` header lines (``**Author(s):** ...``, a table row ``| Publication Date: |``)
  become metadata, not paragraphs; the first author line is the byline.
- Lines that are mostly links (navigation, version lists, share widgets), a repeat of the
  title, and a legal notice near the end are boilerplate; a heading whose section opens with
  boilerplate is navigation and names no section.
- A short one-line paragraph without closing punctuation, followed by text, is a heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

from ..schema import Block, BlockKind, Document
from . import layout
from .inline import Cleaned, clean_inline
from .common import parse_date, title_from_path
from .offsets import OffsetMapBuilder

_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<body>.*?)\n---\s*\n", re.DOTALL)
_LIST_MARK = re.compile(r"[ \t]*(?:[*+-]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_HEADING_MARK = re.compile(r"^[ \t]*#{1,6}[ \t]*|[ \t]+#+[ \t]*$")
_TABLE_ROW = re.compile(r"^[ \t]*\|")
_TABLE_RULE = re.compile(r"^[ \t|:\-]*$")
_FOOTNOTE_CELL = re.compile(r"^\d{1,3}\.?\s")
_RAW_KEY_VALUE = re.compile(  # "**Key:** value" or "**Key**: value"
    r"^[ \t]*(?:\*\*|__)[^*_\n]{1,40}:[ \t]*(?:\*\*|__)|^[ \t]*(?:\*\*|__)[^*_\n]{1,40}(?:\*\*|__)[ \t]*:"
)
#: Headings found by shape (no ``#``) sit below every marked heading level.
_SHAPE_HEADING_LEVEL = 7


@dataclass
class _Unit:
    """One candidate block before classification: its raw span and its displayed text."""

    hint: str  # heading, paragraph, bullet, row, code
    start: int
    end: int
    clean: Cleaned
    level: int = 0  # heading level, or list depth for bullets
    single_line: bool = True
    key_value: bool = False
    kind: BlockKind = "paragraph"

    @property
    def text(self) -> str:
        return self.clean.text


def _line_offsets(text: str) -> list[int]:
    """Start offset of each line as markdown-it counts lines (only CR, LF and CRLF break them)."""
    offsets = [0] + [m.end() for m in re.finditer(r"\r\n?|\n", text)]
    return offsets + [len(text)]


def parse_markdown(path: Path, text: str, sha: str) -> Document:
    meta: dict[str, str] = {}
    if front := _FRONT_MATTER.match(text):
        for line in front.group("body").splitlines():
            key, _, value = line.partition(":")
            if value.strip():
                meta[key.strip().lower()] = value.strip().strip("\"'")
    source = text
    if front:  # blank the front matter out (keeping offsets) so it is not parsed as a heading
        source = re.sub(r"[^\r\n]", " ", text[: front.end()]) + text[front.end():]
    units = [u for u in _units(text, source) if u.text]
    title = meta.get("title") or _first_title(units)
    found = _classify(units, title, len(text))
    builder = OffsetMapBuilder()
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    title_seen = False
    for unit in units:
        kind = unit.kind
        if kind == "heading" and title and unit.text == title and not title_seen:
            kind = "title"
        if kind == "title":
            title_seen = True
        elif kind == "heading":
            headings = [h for h in headings if h[0] < unit.level] + [(unit.level, unit.text)]
        elif kind == "boilerplate" and unit.hint == "heading":  # navigation: closes, names nothing
            headings = [h for h in headings if h[0] < unit.level]
        if builder.chars:
            builder.synthesise("\n\n")
        start = len(builder)
        builder.add(unit.clean.chars, unit.clean.raw)
        if kind in ("heading", "title"):
            section: tuple[str, ...] = ()
            level = 0
        else:
            section = tuple(h for _, h in headings if h != title)
            level = unit.level if unit.hint == "bullet" else 0
        blocks.append(Block(kind, unit.text, start, len(builder), section, level))
    canonical = builder.text()
    return Document(
        str(path),
        "markdown",
        canonical,
        sha,
        title or title_from_path(path),
        tuple(blocks),
        author=meta.get("author") or found.get("author"),
        date=parse_date(meta.get("date")) or found.get("date"),
        publisher=meta.get("publisher") or found.get("publisher"),
        source_offsets=builder.runs(),
    )


def _units(text: str, source: str) -> list[_Unit]:
    """Walk markdown-it's block tokens and cut each into units with their raw spans."""
    offsets = _line_offsets(text)
    tokens = MarkdownIt("commonmark").parse(source)
    units: list[_Unit] = []
    list_depth = 0
    quote_depth = 0
    for i, tok in enumerate(tokens):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif tok.type == "blockquote_open":
            quote_depth += 1
        elif tok.type == "blockquote_close":
            quote_depth -= 1
        elif tok.type == "heading_open" and tok.map:
            s, e = offsets[tok.map[0]], offsets[tok.map[0] + 1]
            line = text[s:e].rstrip("\r\n")
            if re.match(r"^[ \t]*#", line):
                inner = _HEADING_MARK.sub("", line)
                s = s + line.find(inner) if inner else s
                e = s + len(inner)
            else:  # setext heading: the text line above the underline
                e = s + len(line)
            units.append(_Unit("heading", s, e, clean_inline(text, s, e), level=int(tok.tag[1])))
        elif tok.type == "fence" and tok.map:
            s, e = offsets[tok.map[0] + 1], offsets[max(tok.map[0] + 1, tok.map[1] - 1)]
            units.append(_code_unit(text, s, e))
        elif tok.type in ("paragraph_open", "code_block") and tok.map:
            s, e = offsets[tok.map[0]], offsets[tok.map[1]]
            first_line_end = offsets[tok.map[0] + 1]
            in_item = list_depth > 0 and i > 0 and tokens[i - 1].type == "list_item_open"
            if in_item and (mark := _LIST_MARK.match(text, s, first_line_end)):
                s = mark.end()
            hint = "bullet" if list_depth > 0 else "paragraph"
            units.extend(_paragraph_units(text, s, e, hint, list_depth, quote_depth > 0))
    return units


def _code_unit(text: str, s: int, e: int) -> _Unit:
    """Fenced code keeps its characters (only surrounding whitespace trimmed)."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    clean = Cleaned(list(text[s:e]), list(range(s, e)))
    return _Unit("code", s, e, clean, single_line="\n" not in text[s:e])


def _paragraph_units(text: str, s: int, e: int, hint: str, depth: int, quote: bool) -> list[_Unit]:
    """One unit per paragraph, except that table rows and runs of ``Key: value`` header
    lines (or of link-only lines) are one unit per line: each line is its own item."""
    lines = [(m.start() + s, m.end() + s) for m in re.finditer(r"[^\r\n]+", text[s:e])]
    if not lines:
        return []
    raw_lines = [text[a:b] for a, b in lines]
    per_line = (
        _TABLE_ROW.match(raw_lines[0]) is not None
        or (len(lines) > 1 and all(_RAW_KEY_VALUE.match(r) for r in raw_lines))
    )
    if not per_line and len(lines) > 1:
        cleaned = [clean_inline(text, a, b, quote=quote) for a, b in lines]
        per_line = any(c.text and c.link_density() >= 0.99 for c in cleaned)
    if not per_line:
        cut = _label_line(text, lines, quote)
        if cut is not None:  # "...? / Disclaimer: / text": the label opens a block of its own
            label_start, label_end = lines[cut]
            label = clean_inline(text, label_start, label_end, quote=quote)
            rest = lines[cut + 1][0] if cut + 1 < len(lines) else e
            return [
                *_paragraph_units(text, s, lines[cut - 1][1], hint, depth, quote),
                _Unit("paragraph", label_start, label_end, label),
                *_paragraph_units(text, rest, e, "paragraph", 0, quote),
            ]
        return [_Unit(hint, s, e, clean_inline(text, s, e, quote=quote), depth,
                      single_line=len(lines) == 1,
                      key_value=len(lines) == 1 and bool(_RAW_KEY_VALUE.match(raw_lines[0])))]
    units = []
    for (a, b), raw_line in zip(lines, raw_lines):
        is_row = _TABLE_ROW.match(raw_line) is not None
        if is_row and _TABLE_RULE.match(raw_line):
            continue  # a table's |---|---| delimiter row
        clean = clean_inline(text, a, b, quote=quote)
        unit = _Unit("row" if is_row else hint, a, b, clean, depth)
        unit.key_value = is_row or bool(_RAW_KEY_VALUE.match(raw_line))
        units.append(unit)
    return units


def _label_line(text: str, lines: list[tuple[int, int]], quote: bool) -> int | None:
    """Index of a line inside a paragraph that is only a short label ("Notes:") right after a
    finished sentence: lazy continuation glued two blocks together there."""
    for i in range(1, len(lines)):
        label = clean_inline(text, *lines[i], quote=quote).text
        before = clean_inline(text, *lines[i - 1], quote=quote).text
        if (
            label.endswith(":") and 0 < len(label.split()) <= 4 and label[0].isupper()
            and before.endswith((".", "!", "?", ".\"", "?\"", ".\u201d", "?\u201d"))
        ):
            return i
    return None


def _first_title(units: list[_Unit]) -> str | None:
    """The first level-1 heading, else the first level-2 heading when it opens the document."""
    for level in (1, 2):
        for unit in units:
            if unit.hint == "heading" and unit.level == level:
                if unit.clean.link_density() < layout.rules().link_density:
                    return unit.text
    return None


def _classify(units: list[_Unit], title: str | None, raw_length: int) -> dict[str, str]:
    """Give every unit its kind; return the metadata (author, date) the header lines gave."""
    meta_lines: list[tuple[_Unit, str, str]] = []
    # The header is what comes before the first real paragraph (a dozen words of prose): a
    # "Key: value" line there is a header line; later, only a known metadata key makes it one
    # ("**Note:** the figures are preliminary" in the body stays text).
    header_end = next(
        (n for n, u in enumerate(units) if u.hint in ("paragraph", "bullet") and not u.key_value
         and len(u.text.split()) >= 12 and u.clean.link_density() < layout.rules().link_density),
        len(units),
    )
    for n, unit in enumerate(units):
        unit.kind = unit.hint if unit.hint in ("heading", "bullet") else "paragraph"
        kv = layout.key_value(unit.text) if unit.key_value else None
        if unit.hint == "row" and _FOOTNOTE_CELL.match(unit.text):
            unit.kind = "footnote"
        elif layout.is_caption(unit.text) and (
            unit.hint == "row" or (unit.hint == "paragraph" and not unit.key_value)
        ):
            unit.kind = "caption"
        elif unit.hint != "heading" and unit.clean.link_density() >= layout.rules().link_density:
            unit.kind = "boilerplate"
        elif kv is not None and (layout.key_role(kv[0]) or (n < header_end and len(kv[1].split()) <= 8)):
            unit.kind = "boilerplate"
            meta_lines.append((unit, *kv))
        elif title and unit.hint != "heading" and layout.contains_title(unit.text, title):
            unit.kind = "boilerplate"  # the page repeating its own title (a banner line)
        elif title and unit.hint == "heading" and unit.text == title:
            unit.kind = "heading"  # the first becomes the title block; repeats are boilerplate
        elif unit.start >= layout.rules().legal_notice_tail * raw_length and layout.is_legal_notice(unit.text):
            unit.kind = "boilerplate"
    _mark_repeated_titles(units, title)
    _mark_labels_of_boilerplate(units)
    _mark_shape_headings(units)
    _mark_navigation_headings(units, title)
    return _metadata(units, meta_lines)


def _mark_repeated_titles(units: list[_Unit], title: str | None) -> None:
    seen = False
    for unit in units:
        if unit.hint == "heading" and title and unit.text == title:
            if seen:
                unit.kind = "boilerplate"
            seen = True


def _mark_labels_of_boilerplate(units: list[_Unit]) -> None:
    """A short label right before a legal notice or link list ("Disclaimer:") goes with it."""
    for prev, unit in zip(units, units[1:]):
        if (
            unit.kind == "boilerplate" and prev.kind == "paragraph" and prev.single_line
            and len(prev.text.split()) <= 4 and not prev.text.endswith((".", "!", "?"))
        ):
            prev.kind = "boilerplate"


def _mark_shape_headings(units: list[_Unit]) -> None:
    """One-line paragraphs shaped like a heading and followed by content are headings."""
    for unit, nxt in zip(units, units[1:]):
        if (
            unit.kind == "paragraph" and unit.hint == "paragraph" and unit.single_line
            and layout.looks_like_heading(unit.text)
            and nxt.kind in ("paragraph", "bullet", "caption", "footnote")
        ):
            unit.kind = "heading"
            unit.level = _SHAPE_HEADING_LEVEL


def _mark_navigation_headings(units: list[_Unit], title: str | None) -> None:
    """A marked heading whose section opens with boilerplate (a link list, header lines) is
    navigation ("Contents", a site's product banner): it must not name the passages after it."""
    for i, unit in enumerate(units):
        if unit.kind != "heading" or unit.hint != "heading" or unit.text == title:
            continue
        following = units[i + 1] if i + 1 < len(units) else None
        if following is not None and following.kind == "boilerplate":
            unit.kind = "boilerplate"


def _metadata(units: list[_Unit], meta_lines: list[tuple[_Unit, str, str]]) -> dict[str, str]:
    """Author and date from ``Key: value`` header lines; "Updated <date>" lines as a fallback.
    The first author line is kept as the byline block and the date line as the dateline block
    (who wrote it and when are answerable facts)."""
    evidence: list[str] = []
    updated = None
    header_end = next((i for i, u in enumerate(units) if u.kind in ("paragraph", "bullet")), len(units))
    for unit in units[:header_end] + [u for u, _, _ in meta_lines]:
        evidence.extend(layout.text_dates(unit.text))
        updated = updated or layout.updated_date(unit.text)
    found: dict[str, str] = {}
    fields: set[str] = set()
    header_end_at = units[header_end].start if header_end < len(units) else float("inf")
    for unit, key, value in meta_lines:
        role = layout.key_role(key)
        if role == "author" and "author" not in found:
            found["author"] = layout.normalise_authors(value)
            unit.kind = "byline"
        elif role == "publisher" and "publisher" not in found:
            found["publisher"] = value
        elif role == "identifier" and "identifier" not in found:
            found["identifier"] = value
            unit.kind = "identifier"  # the product's number is how analysts name it
        elif role == "date" and "date" not in found:
            resolved = layout.resolve_date(value, evidence)
            if resolved:
                found["date"] = resolved
                unit.kind = "dateline"  # when it was published is an answerable fact
        elif role is None and unit.start < header_end_at and layout.is_field_value(value) and value.casefold() not in fields:
            # "Version: 6", "Topics: Farming & Fisheries": what the header says of the document is
            # answerable too (once: a page that repeats its header in a table does not say it twice)
            fields.add(value.casefold())
            unit.kind = "field"
    if "date" not in found and updated:
        found["date"] = updated
    return found
