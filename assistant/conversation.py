"""Follow-up questions, resolved against the conversation without an LLM.

"Who signed it?" means nothing on its own. When a question leans on earlier turns (a
pronoun, an elliptical opener, or almost no content words of its own), the standalone
question used for retrieval carries the previous standalone question along, so "it" finds
the treaty the analyst was just asking about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .schema import Turn
from .text import content_words, words

_ANAPHORA = {
    "it", "its", "it's", "they", "them", "their", "theirs", "he", "him", "his", "she", "her",
    "this", "that", "these", "those", "there", "then", "such", "former", "latter", "same",
}
_ELLIPTICAL = re.compile(
    r"^\s*(and|also|but|so|what about|how about|why|how so|what else|anything else|"
    r"who else|when|where)\b",
    re.IGNORECASE,
)


def needs_context(question: str) -> bool:
    tokens = words(question)
    if any(t in _ANAPHORA for t in tokens):
        return True
    if _ELLIPTICAL.match(question) and len(content_words(question)) <= 3:
        return True
    return len(content_words(question)) <= 1


def resolve_followup(question: str, history: Sequence[Turn]) -> str:
    """The question as retrieval should see it: itself, or itself plus the topic so far."""
    if not history or not needs_context(question):
        return question
    previous = history[-1]
    topic = previous.standalone_question or previous.question
    return f"{question.strip()} (context: {topic.strip()})"
