"""Turn files into :class:`~assistant.schema.Document` objects, one parser per format.

The registry maps file extensions to parsers; a plain-text file laid out like a BISI article
gets the BISI parser. Every failure is a :class:`~assistant.errors.DocumentError` naming the
file, so a batch can report it and go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..errors import DocumentError, UnsupportedFormatError
from ..schema import Document
from .bisi import looks_like_bisi, parse_bisi
from .common import decode_text, read_bytes, sha256_bytes
from .html import parse_html
from .layout import LayoutRules, using, with_notice_publisher
from .markdown import parse_markdown
from .pdf import parse_pdf
from .plaintext import parse_text

TextParser = Callable[[Path, str, str], Document]

_TEXT_PARSERS: dict[str, TextParser] = {
    ".txt": parse_text,
    ".text": parse_text,
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".html": parse_html,
    ".htm": parse_html,
}
SUPPORTED_EXTENSIONS: tuple[str, ...] = (*_TEXT_PARSERS, ".pdf")


def load_document(path: str | Path, rules: LayoutRules | None = None) -> Document:
    """Parse one file; raise DocumentError with the file named when it cannot be used.

    ``rules``: the thresholds of the shape heuristics (None: those of the configured settings).
    """
    with using(rules):
        return _load(Path(path))


def _load(path: Path) -> Document:
    path = Path(path).resolve()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise UnsupportedFormatError(
            path,
            f"unsupported format '{suffix or '(no extension)'}'; "
            f"supported: {', '.join(SUPPORTED_EXTENSIONS)}",
        )
    data = read_bytes(path)
    sha = sha256_bytes(data)
    if suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise DocumentError(path, "has a .pdf name but is not a PDF file")
        document = parse_pdf(path, data, sha)
    else:
        text = decode_text(data, path)
        parser = _TEXT_PARSERS[suffix]
        if parser is parse_text and looks_like_bisi(text):
            parser = parse_bisi
        document = parser(path, text, sha)
    if not any(block.kind in ("paragraph", "bullet") for block in document.blocks):
        raise DocumentError(path, "no paragraphs of text were found in it")
    return with_notice_publisher(document)


def same_format(suffix_a: str, suffix_b: str) -> bool:
    """True when files with these two extensions get the same parser (.htm and .html do)."""
    a, b = suffix_a.lower(), suffix_b.lower()
    if ".pdf" in (a, b) or a not in _TEXT_PARSERS or b not in _TEXT_PARSERS:
        return a == b
    return _TEXT_PARSERS[a] is _TEXT_PARSERS[b]


def discover(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand folders into the supported files under them (sorted, hidden files skipped).

    Files named explicitly are yielded whatever their extension, so that an unsupported one
    is reported rather than silently ignored.

    A folder's files stay inside the folder: a symbolic link is never followed. A link whose
    target is itself a visible file of the folder adds nothing (the target is found on its
    own); any other link (one that leads out of the folder, or to a hidden file) is yielded as
    the link itself, unresolved, and :func:`~assistant.documents.common.read_bytes` refuses it
    with a message that names the link, never its target. Nothing outside is opened.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            root = path.resolve()
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if any(p.startswith(".") for p in rel.parts):
                    continue
                if child.is_symlink():
                    if child.suffix.lower() in SUPPORTED_EXTENSIONS and not _found_on_its_own(child, root):
                        yield root / rel  # refused when read, by its own name
                    continue
                if child.is_file() and child.suffix.lower() in SUPPORTED_EXTENSIONS:
                    yield child.resolve()
        else:
            yield path.resolve()


def _found_on_its_own(link: Path, root: Path) -> bool:
    """True when ``link`` points at a visible, supported, regular file inside ``root``."""
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):  # broken link or a loop
        return False
    if not target.is_relative_to(root) or target.is_symlink() or not target.is_file():
        return False
    rel = target.relative_to(root)
    return not any(p.startswith(".") for p in rel.parts) and target.suffix.lower() in SUPPORTED_EXTENSIONS


__all__ = ["SUPPORTED_EXTENSIONS", "discover", "load_document", "same_format"]
