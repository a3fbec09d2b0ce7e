"""Markdown inline markup -> the text a reader sees, each character tied to its raw offset.

Link syntax keeps its text and loses the URL; images, emphasis markers, code ticks, inline
HTML tags and table pipes go; escapes and entities become the character they stand for;
whitespace (line breaks included) collapses to single spaces, so a hard-wrapped paragraph
reads as one line. A character the reader sees always comes with the index of the raw
character it was copied from, which is what lets citations map back to the file.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

_ESCAPABLE = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+|[^<>\s@]+@[^<>\s@]+\.[A-Za-z]{2,})>")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>", re.DOTALL)
_QUOTE_MARKS = re.compile(r"[ \t]*(?:>[ \t]?)+")
#: Footnote markers, which the PDF parser drops too: "[^2]", a link whose text is only a
#: number ("[3](#fn3)", "[[3]](#fn3)"), and "<sup>3</sup>".
_NOTE_REF = re.compile(r"\[\^[^\]\s]{1,20}\](?!:)|\[\[?\d{1,3}\]?\]\([^()\s]*\)")
_SUP_NOTE = re.compile(r"<sup>\s*\[?\d{1,3}\]?\s*</sup>", re.I)
_BARE_URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+\.\S+")


@dataclass
class Cleaned:
    """Displayed characters, the raw index of each, and how many of them are link text."""

    chars: list[str] = field(default_factory=list)
    raw: list[int] = field(default_factory=list)
    link_chars: int = 0

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def link_density(self) -> float:
        """Share of the visible (non-space) characters that are link text or bare URLs."""
        text = self.text
        visible = sum(1 for ch in text if not ch.isspace())
        if not visible:
            return 0.0
        bare = sum(len(m.group(0)) for m in _BARE_URL.finditer(text))
        return min(1.0, (self.link_chars + bare) / visible)


def clean_inline(raw: str, start: int, end: int, *, quote: bool = False) -> Cleaned:
    """The displayed text of ``raw[start:end]`` with whitespace collapsed and ends trimmed."""
    out = Cleaned()
    _clean(raw, start, end, out, quote=quote, in_link=False)
    return _collapse(out)


def _emit(out: Cleaned, ch: str, index: int, in_link: bool) -> None:
    out.chars.append(ch)
    out.raw.append(index)
    if in_link and not ch.isspace():
        out.link_chars += 1


def _clean(raw: str, start: int, end: int, out: Cleaned, *, quote: bool, in_link: bool) -> None:
    i = start
    line_start = True
    lone_star = raw.count("*", start, end) == 1
    while i < end:
        if line_start and quote:
            mark = _QUOTE_MARKS.match(raw, i, end)
            if mark and mark.end() > i:
                i = mark.end()
                line_start = False
                continue
        line_start = False
        ch = raw[i]
        if ch == "\\" and i + 1 < end:
            nxt = raw[i + 1]
            if nxt in _ESCAPABLE:
                _emit(out, nxt, i + 1, in_link)
                i += 2
                continue
            if nxt == "\n":  # a backslash hard break is a line break, i.e. a space
                _emit(out, " ", i, in_link)
                i += 1
                continue
        if ch == "`":
            j = i
            while j < end and raw[j] == "`":
                j += 1
            ticks = raw[i:j]
            close = raw.find(ticks, j, end)
            while close != -1 and close + len(ticks) < end and raw[close + len(ticks)] == "`":
                close = raw.find(ticks, close + len(ticks) + 1, end)
            if close != -1:
                for k in range(j, close):  # code keeps its characters; only the ticks go
                    _emit(out, raw[k], k, in_link)
                i = close + len(ticks)
            else:
                i = j  # an unmatched tick run is markup residue, not text
            continue
        if ch == "!" and i + 1 < end and raw[i + 1] == "[":
            link = _match_link(raw, i + 1, end)
            if link is not None:
                i = link[2]  # images (alt text and URL) are not text
                continue
        if ch == "[":
            note = _NOTE_REF.match(raw, i, end)
            if note:  # a footnote marker ([^2], [3](#fn3), [[3]](#fn3)) is not text
                i = note.end()
                continue
            link = _match_link(raw, i, end)
            if link is not None:
                _clean(raw, link[0], link[1], out, quote=False, in_link=True)
                i = link[2]
                continue
        if ch == "<":
            auto = _AUTOLINK.match(raw, i, end)
            if auto:
                for k in range(auto.start(1), auto.end(1)):
                    _emit(out, raw[k], k, True)
                i = auto.end()
                continue
            sup = _SUP_NOTE.match(raw, i, end)
            if sup:  # <sup>3</sup>: a footnote marker
                i = sup.end()
                continue
            tag = _TAG.match(raw, i, end)
            if tag:
                i = tag.end()
                continue
        if ch == "&":
            entity = _ENTITY.match(raw, i, end)
            if entity:
                value = html.unescape(entity.group(0))
                if value != entity.group(0):
                    for c in value:
                        _emit(out, c, i, in_link)
                    i = entity.end()
                    continue
        if ch in "*_~":
            mixed = i
            while mixed < end and raw[mixed] in "*_":
                mixed += 1
            left = raw[i - 1] if i > start else " "
            right = raw[mixed] if mixed < end else " "
            if mixed - i >= 4 and left.isalnum() and right.isalnum():
                # an empty emphasis pair glued between two words ("Force****is****soliciting",
                # "From**__****_**space"): scrapers leave it where the page had a space, so it reads
                # as one; but a lone letter that is no word ("**s****pace**") is part of the next
                word = re.search(r"[^\W_]+$", raw[start:i])
                if not (word and len(word.group(0)) == 1 and word.group(0) not in "aAI"):
                    _emit(out, " ", i, False)
                i = mixed
                continue
            j = i
            while j < end and raw[j] == ch:
                j += 1
            right = raw[j] if j < end else " "
            literal = (
                (ch == "_" and j - i == 1 and left.isalnum() and right.isalnum())  # snake_case
                or (ch == "*" and left.isspace() and right.isspace())  # 2 * 3
                or (ch == "*" and lone_star)  # "2*3", "estimate*": nothing to pair with
                or (ch == "~" and j - i == 1)
            )
            if literal:
                for k in range(i, j):
                    _emit(out, raw[k], k, in_link)
            i = j
            continue
        if ch == "|":
            left = raw[i - 1] if i > start else "\n"
            right = raw[i + 1] if i + 1 < end else "\n"
            if left.isspace() or right.isspace():  # a table cell separator
                _emit(out, " ", i, False)
                i += 1
                continue
        if ch in "\r\n":
            line_start = True
            _emit(out, " ", i, False)
            i += 1
            continue
        _emit(out, ch, i, in_link)
        i += 1


def _match_link(raw: str, i: int, end: int) -> tuple[int, int, int] | None:
    """For ``[label](url)`` or ``[label][ref]`` at ``i``: (label start, label end, end)."""
    depth = 0
    j = i
    while j < end:
        c = raw[j]
        if c == "\\":
            j += 2
            continue
        if c == "\n" and raw.startswith("\n", j + 1):
            return None  # a link never spans a blank line
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                break
        j += 1
    else:
        return None
    label_end = j
    if j + 1 >= end:
        return None
    opener = raw[j + 1]
    if opener == "(":
        close = _matching(raw, j + 1, end, "(", ")")
    elif opener == "[" and label_end > i + 1:
        close = _matching(raw, j + 1, end, "[", "]")
    else:
        return None  # "[text]" alone is literal (an editorial bracket in a quote)
    if close is None:
        return None
    return i + 1, label_end, close + 1


def _matching(raw: str, i: int, end: int, open_ch: str, close_ch: str) -> int | None:
    depth = 0
    for j in range(i, end):
        c = raw[j]
        if c == open_ch:
            depth += 1
        elif c == close_ch:
            depth -= 1
            if depth == 0:
                return j
        elif c == "\n" and open_ch == "(" and raw.startswith("\n", j + 1):
            return None
    return None


def _collapse(out: Cleaned) -> Cleaned:
    """Whitespace runs -> one space (mapped to the run's first raw character); ends trimmed."""
    result = Cleaned(link_chars=out.link_chars)
    for ch, index in zip(out.chars, out.raw):
        if ch.isspace():
            if not result.chars or result.chars[-1] == " ":
                continue
            ch = " "
        result.chars.append(ch)
        result.raw.append(index)
    while result.chars and result.chars[-1] == " ":
        result.chars.pop()
        result.raw.pop()
    return result
