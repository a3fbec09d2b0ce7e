"""Small text utilities shared by chunking, retrieval and answering.

Sentence splitting returns spans, never rewritten strings, so whatever is cut out of a
passage can still be quoted character for character.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "no", "vs", "etc", "e.g", "i.e",
    "gen", "gov", "sen", "rep", "col", "lt", "capt", "inc", "ltd", "co", "corp", "fig", "approx",
}
# A sentence ends at . ! ? or an ellipsis, optionally followed by closing quotes/brackets,
# then whitespace and something that can start a sentence.
_BOUNDARY = re.compile(r"(?<=[.!?…])(?P<close>[\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9À-ÖØ-ÞА-ЯЁ])")
_WORD = re.compile(r"\w+", re.UNICODE)

# Split like words() below ("aren't" -> "aren", "t"), or a listed word could never match.
STOPWORDS = frozenset(_WORD.findall(
    """a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    tell say said says please give show explain describe according article text document author
    writer corpus source sources passage question answer did does do know"""
))


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentence spans (absolute offsets, whitespace trimmed)."""
    end = len(text) if end is None else end
    segment = text[start:end]
    spans: list[tuple[int, int]] = []
    cursor = 0
    for match in _BOUNDARY.finditer(segment):
        cut = match.start() + len(match.group("close"))  # closing quotes stay with their sentence
        if _is_abbreviation(segment, cut):
            continue
        spans.append((cursor, cut))
        cursor = match.end()
    spans.append((cursor, len(segment)))
    result = []
    for s, e in spans:
        s, e = _trim(segment, s, e)
        if e > s:
            result.append((start + s, start + e))
    return result


def _is_abbreviation(segment: str, cut: int) -> bool:
    """True when the full stop before ``cut`` belongs to an abbreviation such as U.S. or Dr."""
    head = segment[:cut].rstrip("\"'”’)]")
    if not head.endswith("."):
        return False
    token = re.search(r"([\w.]+)\.$", head)
    if not token:
        return False
    if token.start() and head[token.start() - 1] in "&/-" and "." not in token.group(1):
        return False  # the end of an acronym ("RDT&E."), not an initial ("Australia-U.S.")
    word = token.group(1).lower()
    if word in _ABBREVIATIONS:
        return True
    # Initialisms (U.S., U.K., E.U.) and single initials (J. Smith) do not end sentences
    # when the next word is capitalised as a name; "U.S. will" is the common case here.
    return bool(re.fullmatch(r"(?:\w\.)*\w", word)) and len(word.replace(".", "")) <= 3 and (
        "." in word or len(word) == 1
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span so it neither starts nor ends with whitespace (NBSP included)."""
    return _trim(text, start, end)


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching (keeps Cyrillic and other scripts)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return (
        text.casefold()
        .replace("’", "'")
        .replace("‘", "'")
        .replace("“", '"')
        .replace("”", '"')
        .replace("—", " ")
        .replace("–", " ")
    )


#: A dotted initialism ("U.S.", "e.g."): one word, not single letters that would be dropped.
_DOTTED = re.compile(r"\b(?:[^\W\d_]\.){2,}")
#: Two or more capitalised words in a row: a name whose initials a text may use instead.
_NAME_RUN = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w’'-]*)+")


def words(text: str) -> list[str]:
    """Folded word tokens, including digits and non-Latin scripts; "U.S." is the word "us"."""
    folded = _DOTTED.sub(lambda m: m.group(0).replace(".", "") + " ", fold(text))
    return [w for w in _WORD.findall(folded) if w != "_"]


def initialisms(text: str) -> list[str]:
    """Initials of the multi-word names in ``text`` ("United States" -> "us"), so a query that
    spells a name out also finds a text that abbreviates it."""
    out = []
    for match in _NAME_RUN.finditer(text):
        parts = [w for w in match.group(0).split() if w[:1].isupper()]
        if len(parts) > 1:
            out.append("".join(w[0] for w in parts).casefold())
    return out


def content_words(text: str) -> list[str]:
    """Words that carry meaning: no stopwords, no single letters (keeps numbers like 2000)."""
    return [w for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def iter_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, line)`` for each line, ``end`` excluding the line break."""
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        yield pos, pos + len(stripped), stripped
        pos += len(line)


#: Contractions that open a question ("What's", "Who're"): spelt out, so the question's type
#: reads the same either way. "'s" only after a question word, "it", "that" or "there", where
#: it is "is" rather than a possessive.
_CONTRACTIONS = (
    (re.compile(r"\b(what|who|where|when|why|how|it|that|there)['’]s\b", re.I), r"\1 is"),
    (re.compile(r"\b(what|who|where|when|why|how)['’]re\b", re.I), r"\1 are"),
)


def expand_contractions(text: str) -> str:
    """ "What's the population?" -> "What is the population?"."""
    for pattern, spelt in _CONTRACTIONS:
        text = pattern.sub(spelt, text)
    return text


#: A polite frame around a question ("Can you tell me who ...", "I'd like to know how many ...",
#: "Do you know when ..."): what follows the frame is the question.
_REQUEST_FRAME = re.compile(
    r"^\s*(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?)?(?:tell|show)\s+me\s+|"
    r"^\s*(?:do|does)\s+(?:you|anyone)\s+know\s+|"
    r"^\s*i(?:['’]d|\s+would)?\s+(?:like|want|need)\s+to\s+know\s+|^\s*i\s+wonder\s+",
    re.I,
)
#: A question word.
WH_WORD = re.compile(r"\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.I)


def unframed(question: str) -> str:
    """ "Can you tell me who leads the service?" -> "Who leads the service?"; a question with no
    frame, or a frame around no question word ("Tell me about the pact"), is returned as it is."""
    frame = _REQUEST_FRAME.match(question)
    if not frame or not WH_WORD.match(question, frame.end()):
        return question
    rest = question[frame.end():]
    return rest[:1].upper() + rest[1:]
