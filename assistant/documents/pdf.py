"""PDF: the text a reader sees, re-flowed, with the page number kept on every block.

pypdf gives hard-wrapped lines. The canonical text joins each block's lines (a word
hyphenated across lines is re-joined; a real hyphen such as "AI-enabled" stays), drops
footnote reference numbers glued to words ("day.1 As" -> "day. As") when those numbers open
footnotes, and separates blocks by a blank line and pages by a form feed.

Structure comes from the shape of the lines, never from fonts or from one publisher's words
(see :mod:`.layout`):

- running headers and footers are lines repeated near the top or bottom of most pages (digits
  ignored, so "Page 3" repeats), plus page numbers, lone identifiers and bare URLs there; the
  first lone code the file is named by ("IF10491" in IF10491.14.pdf) is the document's number;
- the title is the PDF's /Title (or the first line of page 1), an "Updated <date>" or bare
  date line near the top gives the date, "Name, Analyst in ..." lines give the author;
- a short line without closing punctuation, after a finished sentence and before text, is a
  heading; numbered notes at the foot of a page are footnotes; dot-leader lines (a table of
  contents) and a legal notice near the end are boilerplate.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DocumentError
from ..schema import Block, BlockKind, Document
from . import layout
from .common import parse_date, title_from_path

# The thresholds (zone lines, repeat share, prefix length, short line, heading widths, legal
# notice tail) are settings: see layout.LayoutRules.

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\d{0,3}$")
_CLOSED = re.compile(r"[.!:;,…][\"'”’)\]]*\d{0,3}$")  # ends like a sentence or clause (not "?")
_BULLET = re.compile(r"^[•●▪◦‣○■□·]\s*")
_DOT_LEADER = re.compile(r"(?:\.\s?){6,}\s*\d*$")
_FOOTNOTE = re.compile(r"^(\d{1,3})\s+\S")
_DATE_LINE = re.compile(
    rf"^(?:(?:Updated|Revised|Published|Last updated)\s*:?\s*)?{layout.TEXT_DATE.pattern}$"
)


@dataclass
class _Line:
    text: str  # stripped
    trail: int  # trailing spaces pypdf left (two or more often mark a paragraph's last line)
    page: int
    zone: bool = False  # near the top or bottom of its page


@dataclass
class _Raw:
    kind: BlockKind
    lines: list[_Line] = field(default_factory=list)

    @property
    def page(self) -> int:
        return self.lines[0].page

    @property
    def joined(self) -> str:
        return " ".join(line.text for line in self.lines)


def parse_pdf(path: Path, data: bytes, sha: str) -> Document:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a core dependency
        raise DocumentError(path, "reading PDF needs pypdf: pip install pypdf") from None
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(page.extract_text() or "") for page in reader.pages]
        info = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError(path, f"is not a readable PDF ({exc})") from None
    if not any(p.strip() for p in pages):
        raise DocumentError(path, "has no extractable text (a scanned PDF needs OCR first)")
    lines = _lines(pages)
    running = _running_lines(lines, len(pages))
    meta_title = str(info.get("/Title") or "").strip() or None
    title_lines = _title_lines(lines, meta_title, running)
    title = meta_title or (" ".join(line.text for line in title_lines) if title_lines else None)
    raws = _join_across_pages(_blocks(lines, running, title_lines))
    _mark_tail(raws)
    _mark_identifier(raws, path)
    footnotes = {
        int(m.group(1)) for r in raws if r.kind == "footnote" and (m := _FOOTNOTE.match(r.lines[0].text))
    }
    text, blocks = _canonical(raws, footnotes)
    date = None
    for raw in raws[:12]:
        if raw.kind == "dateline":
            date = layout.updated_date(raw.joined) or (layout.text_dates(raw.joined) or [None])[0]
            break
    author = str(info.get("/Author") or "").strip() or None
    if author is None:
        names = [n for r in raws if r.kind == "byline" and (n := layout.author_line(r.joined))]
        author = ", ".join(dict.fromkeys(names)) or None
    return Document(
        str(path),
        "pdf",
        text,
        sha,
        title or title_from_path(path),
        tuple(blocks),
        author=author,
        date=date or _pdf_date(info.get("/CreationDate")),
    )


def _lines(pages: list[str]) -> list[_Line]:
    out: list[_Line] = []
    for number, page_text in enumerate(pages, start=1):
        page_lines = []
        for raw in page_text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            body = raw.rstrip()
            page_lines.append(_Line(body.strip(), len(raw) - len(body), number))
        content = [line for line in page_lines if line.text]
        for line in content[: layout.rules().pdf_zone_lines] + content[-layout.rules().pdf_zone_lines :]:
            line.zone = True
        out.extend(page_lines)
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text)).strip().lower()


def _running_lines(lines: list[_Line], page_count: int) -> set[str]:
    """Normalised lines found in the header/footer zone of most pages."""
    if page_count < 2:
        return set()
    pages_of: dict[str, set[int]] = {}
    for line in lines:
        if line.zone:
            pages_of.setdefault(_norm(line.text), set()).add(line.page)
    need = max(2, math.ceil(layout.rules().pdf_repeat_share * page_count))
    return {norm for norm, pages in pages_of.items() if len(pages) >= need}


def _is_running(line: _Line, running: set[str]) -> bool:
    norm = _norm(line.text)
    if norm in running:
        return True
    # A variant of a running line ("Site name 3" on most pages, "Site name R12 · v3" on one):
    # it begins with the running line's words (its numbers aside).
    return any(
        len(stem) >= layout.rules().pdf_prefix_chars and norm.startswith(stem)
        for stem in (r.rstrip(" #") for r in running)
    )


def _title_lines(lines: list[_Line], meta_title: str | None, running: set[str]) -> list[_Line]:
    """The lines of page 1 that spell the title (the /Title, else the first real line)."""
    first_page = [line for line in lines if line.page == 1 and line.text]
    squeeze = lambda s: re.sub(r"\s+", "", s)  # noqa: E731 - local helper
    if meta_title:
        wanted = squeeze(meta_title)
        for i, line in enumerate(first_page):
            joined = ""
            for j in range(i, min(i + 4, len(first_page))):
                joined += squeeze(first_page[j].text)
                if joined == wanted:
                    return first_page[i : j + 1]
                if not wanted.startswith(joined):
                    break
        return []
    candidates = [
        line for line in first_page
        if not layout.is_page_furniture(line.text) and not _DATE_LINE.match(line.text)
    ]
    while len(candidates) > 1 and _is_running(candidates[0], running) and _same_place_as_elsewhere(
        candidates[0], lines
    ):
        # A running header printed on page 1 where it is printed on every page (a journal's
        # name) is furniture; a title repeated as the header of later pages sits elsewhere
        # on page 1 (below the date line, say), and stays the title.
        candidates = candidates[1:]
    widths = sorted(len(x.text) for x in first_page if not x.zone) or sorted(len(x.text) for x in first_page)
    typical = widths[int(len(widths) * 0.8)] if widths else 0
    for line in candidates[:1]:
        i = next(k for k, x in enumerate(first_page) if x is line)
        runs_on = len(line.text) >= layout.rules().pdf_short_line * typical and not _CLOSED.search(line.text)
        if len(line.text) >= 150 or runs_on:
            return []  # a full line running on into the next is body text, not a title
        chosen = [line]
        for nxt in first_page[i + 1 : i + 4]:  # extend while a running header spells it out
            candidate = _norm(" ".join(c.text for c in chosen + [nxt]))
            if any(r.startswith(candidate) for r in running):
                chosen.append(nxt)
            else:
                break
        return chosen
    return []


def _same_place_as_elsewhere(line: _Line, lines: list[_Line]) -> bool:
    """True when ``line`` (on page 1) has the same rank from the top as its repeats elsewhere."""
    rank: dict[int, int] = {}
    counter: dict[int, int] = {}
    for x in lines:
        if x.text:
            rank[id(x)] = counter.get(x.page, 0)
            counter[x.page] = rank[id(x)] + 1
    norm = _norm(line.text)
    ranks = [rank[id(x)] for x in lines if x.page != line.page and x.zone and _norm(x.text) == norm]
    return bool(ranks) and max(set(ranks), key=ranks.count) == rank[id(line)]


def _typical_width(lines: list[_Line]) -> dict[int, int]:
    widths: dict[int, list[int]] = {}
    for line in lines:
        if line.text and not line.zone:
            widths.setdefault(line.page, []).append(len(line.text))
    return {page: sorted(w)[int(len(w) * 0.8)] for page, w in widths.items() if w}


def _ends_paragraph(line: _Line, typical: int) -> bool:
    short = len(line.text) < layout.rules().pdf_short_line * typical
    return bool(_SENTENCE_END.search(line.text)) and (line.trail >= 2 or short)


def _starts_text(text: str) -> bool:
    return bool(text) and (
        text[0].isupper() or text[0].isdigit() or bool(_BULLET.match(text)) or text[0] in "“\"("
    )


def _blocks(lines: list[_Line], running: set[str], title_lines: list[_Line]) -> list[_Raw]:
    typical = _typical_width(lines)
    title_ids = {id(line) for line in title_lines}
    raws: list[_Raw] = []
    current: _Raw | None = None
    footnote_mode_page = 0
    next_footnote = 1

    def close() -> None:
        nonlocal current
        if current is not None and current.lines:
            raws.append(current)
        current = None

    content = lines
    page_start = 0
    i = 0
    while i < len(content):
        line = content[i]
        width = typical.get(line.page, 80) or 80
        if not line.text:
            if current is not None and current.kind != "title":
                close()
            i += 1
            continue
        if current is not None and current.lines and current.lines[-1].page != line.page:
            close()
        if i == 0 or content[i - 1].page != line.page:
            page_start = i
        following = [c for c in content[i + 1 : i + 4] if c.text and c.page == line.page]
        nxt = following[0] if following else None
        # Page furniture, the title and the date line first: they are not text.
        if id(line) in title_ids:
            if current is None or current.kind != "title":
                close()
                current = _Raw("title")
            current.lines.append(line)
            i += 1
            continue
        if current is not None and current.kind == "title":
            close()
        if line.zone and (
            _is_running(line, running)
            or (layout.is_page_furniture(line.text) and line.page != footnote_mode_page)
        ):
            close()
            raws.append(_Raw("boilerplate", [line]))
            i += 1
            continue
        if line.page == 1 and _DATE_LINE.match(line.text) and len(raws) < 12:
            close()
            raws.append(_Raw("dateline", [line]))
            i += 1
            continue
        if _DOT_LEADER.search(line.text):
            close()
            raws.append(_Raw("boilerplate", [line]))
            i += 1
            continue
        # Footnotes: numbered notes in sequence at the foot of the page.
        # A note is numbered next in sequence and follows its reference in the page's text
        # ("day.1 As"), or a blank separator line.
        note = _FOOTNOTE.match(line.text)
        if note and int(note.group(1)) == next_footnote and (
            footnote_mode_page == line.page
            or not content[i - 1].text
            or _referenced(next_footnote, [x.text for x in content[page_start:i] if x.page == line.page])
        ):
            close()
            footnote_mode_page = line.page
            next_footnote += 1
            current = _Raw("footnote", [line])
            i += 1
            continue
        if footnote_mode_page == line.page and current is not None and current.kind == "footnote":
            current.lines.append(line)
            i += 1
            continue
        # Author lines: "Name, Analyst in ..." or a name over a job title.
        name = layout.author_line(line.text)
        if name or (layout.is_name(line.text) and nxt is not None and layout.is_role_line(nxt.text)):
            close()
            block = _Raw("byline", [line])
            j = i + 1
            while j < len(content) and not content[j].text and content[j].page == line.page:
                j += 1
            if j < len(content) and content[j].page == line.page and (
                (not name and layout.is_role_line(content[j].text))
                or (name and not _SENTENCE_END.search(line.text) and len(content[j].text.split()) <= 6
                    and not _SENTENCE_END.search(content[j].text)
                    and not layout.is_page_furniture(content[j].text))
            ):
                block.lines.append(content[j])
                i = j
            raws.append(block)
            i += 1
            continue
        previous_done = (
            current is None or _ends_paragraph(current.lines[-1], width) or current.kind == "heading"
        )
        after_sentence = previous_done or bool(_SENTENCE_END.search(current.lines[-1].text))
        heading = _heading_length(line, following, width, previous_done) if after_sentence else 0
        if heading:
            close()
            raws.append(_Raw("heading", [line, *following[: heading - 1]]))
            i = next(k for k in range(i, len(content)) if content[k] is ([line, *following][heading - 1])) + 1
            continue
        if _BULLET.match(line.text):
            close()
            current = _Raw("bullet", [line])
        elif current is None or previous_done or (after_sentence and layout.is_caption(line.text)):
            close()
            current = _Raw("caption" if layout.is_caption(line.text) else "paragraph", [line])
        else:
            current.lines.append(line)
        if _ends_paragraph(line, width):
            close()
        i += 1
    close()
    return raws


def _heading_length(line: _Line, following: list[_Line], width: int, previous_done: bool) -> int:
    """How many lines (0, 1 or 2) starting at ``line`` form a heading: short, no closing
    punctuation (a question mark is fine), followed by a line that starts text. After a
    full-width line the heading must be clearly short (``pdf_heading_width_after_full_line``: a
    paragraph's first line is short only when a long word wrapped, which rarely costs more than
    a quarter of the width)."""
    limits = layout.rules()
    limit = (limits.pdf_heading_width if previous_done else limits.pdf_heading_width_after_full_line) * width
    if not following or len(line.text) >= limit or layout.is_caption(line.text):
        return 0
    if _CLOSED.search(line.text) or _SENTENCE_END.search(line.text) and not line.text.endswith("?"):
        return 0
    nxt = following[0]
    if layout.looks_like_heading(line.text) and _starts_text(nxt.text):
        return 1
    two = following[1] if len(following) > 1 else None
    if (
        two is not None and not nxt.text[0].isupper() and len(nxt.text) < limits.pdf_heading_width * width
        and not line.text.endswith("?") and layout.looks_like_heading(f"{line.text} {nxt.text}")
        and _starts_text(two.text)
    ):
        return 2
    return 0


def _referenced(number: int, page_lines: list[str]) -> bool:
    """True when the page's text so far carries ``number`` glued on as a note reference."""
    text = " ".join(page_lines)
    return any(int(m.group(1)) == number for m in _REF_AFTER_WORD.finditer(text)) or any(
        int(m.group(1)) == number for m in _REF_AFTER_NUMBER.finditer(text)
    )


def _join_across_pages(raws: list[_Raw]) -> list[_Raw]:
    """A paragraph cut by a page break (its last line ends mid-sentence) continues in the next
    paragraph after the page's footnotes and the next page's header: join the two, so no
    passage starts or stops mid-sentence. The footnotes and furniture in between keep their
    own blocks, after the joined paragraph; the block keeps the page it starts on."""
    out: list[_Raw] = []
    skip: set[int] = set()
    for n, raw in enumerate(raws):
        if n in skip:
            continue
        out.append(raw)
        if raw.kind not in ("paragraph", "bullet") or _SENTENCE_END.search(raw.lines[-1].text):
            continue
        if raw.lines[-1].text.endswith(":"):
            continue
        for m in range(n + 1, len(raws)):
            after = raws[m]
            if after.kind in ("boilerplate", "footnote"):
                continue
            if after.kind == "paragraph" and after.page > raw.page and m not in skip:
                raw.lines.extend(after.lines)
                skip.add(m)
            break
    return out


def _mark_tail(raws: list[_Raw]) -> None:
    """Legal notices near the end, and headings that only introduce boilerplate, are boilerplate."""
    total = len(raws)
    for n, raw in enumerate(raws):
        in_tail = n >= layout.rules().legal_notice_tail * total
        if raw.kind in ("paragraph", "caption") and in_tail and layout.is_legal_notice(raw.joined):
            raw.kind = "boilerplate"
    for n, raw in enumerate(raws):
        if raw.kind == "heading":
            after = next((r for r in raws[n + 1 :] if r.kind != "heading"), None)
            if after is None or after.kind == "boilerplate":
                raw.kind = "boilerplate"


def _join_lines(lines: list[str], vocabulary: set[str]) -> str:
    """Re-flow hard-wrapped lines: a space between them, except after a hyphen or dash that
    broke a word (the hyphen goes when the unbroken word is used elsewhere in the document)
    or inside a URL broken after a slash."""
    out = lines[0]
    for line in lines[1:]:
        head = re.search(r"(\S+)$", out)
        last = head.group(1) if head else ""
        if last.endswith("-") and len(last) > 1 and last[-2].isalnum() and line[:1].isalnum():
            first = re.match(r"[\w’']+", line)
            joined = (last[:-1] + (first.group(0) if first else "")).lower()
            hyphenated = (last + (first.group(0) if first else "")).lower()
            if joined in vocabulary and hyphenated not in vocabulary:
                out = out[:-1] + line
            else:
                out = out + line
        elif last.endswith(("—", "/")) and ("://" in last or last.endswith("—")):
            out = out + line
        elif line.startswith("—"):
            out = out + line
        else:
            out = out + " " + line
    return out


_REF_AFTER_WORD = re.compile(
    r"(?:(?<=[A-Za-z])|(?<=[A-Za-z%][.,;:!?)\]”’\"]))(\d{1,3})(?=[\s.,;:)\]”’\"]|$)"
)
#: After a number and a full stop ("in 2025.40 The"), only the next reference in sequence
#: counts, and only before a new sentence or the end: "50.3 billion" is a number.
_REF_AFTER_NUMBER = re.compile(r"(?<=\d[.)”’\"])(\d{1,3})(?=\s+[A-Z“\"(]|$)")


class _References:
    """Strips footnote reference numbers glued to the text before them ("day.1 As"), given
    the numbers that open footnotes; references come in order, which settles doubtful cases."""

    def __init__(self, footnotes: set[int]) -> None:
        self.footnotes = footnotes
        self.last = 0

    def strip(self, text: str) -> str:
        spans = []
        for match in _REF_AFTER_WORD.finditer(text):
            if int(match.group(1)) in self.footnotes:
                spans.append(match.span(1))
        for match in _REF_AFTER_NUMBER.finditer(text):
            spans.append(match.span(1))
        kept = []
        for s, e in sorted(set(spans)):
            number = int(text[s:e])
            after_number = s > 1 and text[s - 2].isdigit()
            if after_number and number != self.last + 1:
                continue
            if number in self.footnotes:
                kept.append((s, e))
                self.last = max(self.last, number)
        for s, e in reversed(kept):
            text = text[:s] + text[e:]
        return text


def _canonical(raws: list[_Raw], footnotes: set[int]) -> tuple[str, list[Block]]:
    references = _References(footnotes)
    words = set()
    for raw in raws:
        for line in raw.lines:
            words.update(w.lower() for w in re.findall(r"[\w’'-]+", line.text))
    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    page = None
    headings: list[str] = []
    title = next((r.joined for r in raws if r.kind == "title"), None)
    for raw in raws:
        text = _join_lines([line.text for line in raw.lines], words)
        if raw.kind in ("paragraph", "bullet", "heading", "caption"):
            text = references.strip(text)
        if raw.kind == "bullet":
            text = _BULLET.sub("", text)
        text = text.strip()
        if not text:
            continue
        if parts:
            separator = "\n\f\n" if raw.page != page else "\n\n"
            parts.append(separator)
            offset += len(separator)
        page = raw.page
        if raw.kind == "heading":
            headings = [text]
            section: tuple[str, ...] = ()
        else:
            shown = raw.kind not in ("title", "boilerplate")
            section = tuple(h for h in headings if h != title) if shown else ()
        level = 1 if raw.kind == "bullet" else 0
        blocks.append(Block(raw.kind, text, offset, offset + len(text), section, level, raw.page))
        parts.append(text)
        offset += len(text)
    return "".join(parts), blocks


def _mark_identifier(raws: list[_Raw], path: Path) -> None:
    """A lone code printed on the page ("IF10491") that the file is also named by
    ("IF10491.14.pdf") is the document's own number: metadata, not furniture. The first one
    only; the same code in a running footer stays furniture."""
    stem = path.stem.casefold()
    for raw in raws:
        text = raw.joined.strip()
        if raw.kind == "boilerplate" and len(raw.lines) == 1 and layout.is_identifier(text) \
                and re.match(rf"{re.escape(re.sub(r'[- ]', '', text).casefold())}(?![a-z0-9])", stem):
            raw.kind = "identifier"
            return


def _pdf_date(value: object) -> str | None:
    """PDF dates look like D:20240711093000Z; keep the calendar date."""
    match = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", str(value or ""))
    return parse_date("-".join(match.groups())) if match else None
