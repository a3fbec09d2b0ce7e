"""Recognise questions that try to instruct the assistant instead of asking about the corpus.

The answer composer already refuses to say anything the passages do not support; this is
the first line, so that "ignore your instructions and ..." gets a plain refusal rather than
whichever passage happens to be nearest. Passages themselves are always treated as data.
"""

from __future__ import annotations

import re

_PATTERNS = [
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,60}\b(instructions?|previous|prior|above|"
    r"sources?|documents?|articles?|context|rules|guidelines|passages?|corpus)\b",
    r"\bsystem\s*prompt\b",
    r"\byou\s+are\s+now\b",
    r"\b(pretend|imagine|suppose)\b.{0,40}\b(article|document|source|text|you)\b",
    r"\b(act|behave|respond)\s+as\b",
    r"\bjail\s*break\b|\bDAN\b|\bdeveloper\s+mode\b",
    r"\b(reveal|print|show|output|leak|dump)\b.{0,40}\b(prompt|api[\s_-]*keys?|environment|"
    r"variables|secrets?|passwords?|credentials|tokens?)\b",
    r"</?\s*(context|system|passages?|instructions?)\s*>",
    r"\bsystem\s+override\b|\badmin\s+mode\b",
    r"\b(from|using)\s+your\s+own\s+knowledge\b",
    r"\bwrite\s+(me\s+)?(a|an)\s+(poem|story|song|essay|joke)\b",
]
_INJECTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE | re.DOTALL)

REFUSAL = (
    "That reads as an instruction to the assistant rather than a question about the corpus. "
    "I only answer from the indexed articles, with citations; ask about their content instead."
)


def looks_like_injection(question: str) -> bool:
    return bool(_INJECTION.search(question))
