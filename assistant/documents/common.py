"""Reading files safely and building blocks with exact spans.

Every file is read through :func:`read_bytes` and, for text formats, :func:`decode_text`
(see :func:`assistant.documents.load_document`), so empty, binary and undecodable files fail
the same way, with the file named, before any parsing starts.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from datetime import datetime
from pathlib import Path

from ..errors import DocumentError
from ..schema import Block, BlockKind
from ..text import trim_span

MAX_FILE_BYTES = 50 * 1024 * 1024


def read_bytes(path: Path) -> bytes:
    """Read a file, rejecting missing, empty, oversized and linked files with a clear message.

    A symbolic link is never followed (``O_NOFOLLOW``, so not even a link swapped in after the
    check): the corpus walk hands over a link only when it leads out of its folder, and the
    message names the link, not where it points. Size and type come from the open file itself.
    """
    if path.is_symlink():
        raise DocumentError(
            path, "is a symbolic link that leads outside the corpus folder (or to a hidden file); "
            "links are not followed. Copy the file into the corpus instead"
        )
    if not path.exists():
        raise DocumentError(path, "file not found")
    if not path.is_file():
        raise DocumentError(path, "not a regular file")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DocumentError(path, "is a symbolic link; links are not followed") from None
        raise DocumentError(path, f"cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(path, "not a regular file")
        size = info.st_size
        if size == 0:
            raise DocumentError(path, "the file is empty; add text to it or remove it")
        if size > MAX_FILE_BYTES:
            raise DocumentError(path, f"the file is {size} bytes; the limit is {MAX_FILE_BYTES}")
        try:
            return handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise DocumentError(path, f"cannot be read ({exc.strerror})") from None


def decode_text(data: bytes, path: Path) -> str:
    """Decode UTF-8 (or BOM-marked UTF-16) text; refuse binary data instead of guessing."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise DocumentError(path, "looks like a binary file, not text; convert it to .txt/.md/.html/.pdf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            path, f"is not valid UTF-8 (byte {exc.start}); save it as UTF-8 and ingest again"
        ) from None
    control = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if control > 0.01 * min(len(text), 8192) + 2:
        raise DocumentError(path, "contains control characters; it looks like a binary file")
    if not text.strip():
        raise DocumentError(path, "contains only whitespace; add text to it or remove it")
    return text


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_block(
    text: str,
    start: int,
    end: int,
    kind: BlockKind,
    section: tuple[str, ...] = (),
    level: int = 0,
    page: int | None = None,
) -> Block | None:
    """A block over ``text[start:end]`` with surrounding whitespace trimmed off the span."""
    start, end = trim_span(text, start, end)
    if end <= start:
        return None
    return Block(kind, text[start:end], start, end, section, level, page)


_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%d/%m/%Y")


def parse_date(value: str | None) -> str | None:
    """ISO date from the common ways articles print one; None when it is not a date."""
    if not value:
        return None
    value = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", value.strip())
    match = re.match(r"\d{4}-\d{2}-\d{2}", value)
    if match:
        value = match.group(0)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def title_from_path(path: Path) -> str:
    return path.stem.replace("_", " ").replace("-", " ").strip() or path.name
