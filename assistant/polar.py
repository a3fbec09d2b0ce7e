"""Yes-or-no questions, and whether a sentence takes a position on one.

"Has China lifted the restrictions?" is answered by a sentence that says it did, or did not,
or might: one that states the asked-for predicate ("China lifted ...") or takes a stance on it
("has not been lifted", "is likely to", "it is disputed whether"). A sentence that only
describes the situation the question starts from ("China restricted some imports in 2020")
says neither yes nor no, however close its words are: the question asks what happened next,
and the document does not tell.
"""

from __future__ import annotations

import re

from .lexical import stem_all
from .text import WH_WORD, content_words

_POLAR = re.compile(
    r"^\s*(?:and\s+|so\s+|but\s+|then\s+)?(?:did|does|do|has|have|had|is|are|was|were|can|could|will|would|should|"
    r"may|might|must)\b", re.I)
#: A negation, a hedge or an open question in the sentence: a position on whether.
_STANCE = re.compile(
    r"\b(?:not|no|never|neither|nor|none|nothing|without|yet|likely|unlikely|may|might|could|would|possibl[ey]|"
    r"potentially|whether|disputed|unclear|uncertain|unknown|reportedly|denied|denies|refused|refuses|declined)\b|n[’']t\b",
    re.I)
#: The author's view is asked of the text as a whole ("Does the author think ...?").
_VIEW = re.compile(r"\b(?:authors?|writers?|analysts?|article|piece|report|brief)\b[^?]*\b(?:think|thinks|believe|believes|"
                   r"expect|expects|argue|argues|see|sees|consider|considers|suggest|suggests|say|says)\b", re.I)


#: A second yes-or-no question joined to the first ("... only for the military, and does it work
#: in any weather?"): its parts are answered by different sentences.
_SECOND = re.compile(r"\band\s+(?:did|does|do|has|have|had|is|are|was|were|can|could|will|would)\s+(?:it|they|he|she|the|this|that|there)\b", re.I)


def is_polar(question: str) -> bool:
    """A plain yes-or-no question: an auxiliary first, no alternatives ("... or is it shut?"),
    no second question of another kind ("..., and where can I see it?"), not the author's view."""
    return bool(_POLAR.search(question)) and not re.search(r"\bor\b", question, re.I) and not (
        WH_WORD.search(question) or _VIEW.search(question) or _SECOND.search(question))


#: Words that ask nothing of the sentence: indefinites ("Did he thank them for anything?") and
#: adverbs of time or emphasis ("Has it ever / actually / yet ...?").
_FILLER = frozenset(
    """anything something nothing everything anyone someone anybody somebody everyone everybody any
    ever yet already actually really still also indeed even end ended up""".split()
)


def _plain_words(question: str) -> set[str]:
    """The question's content words that are not names (stemmed), less its opening auxiliary
    and the words that ask nothing of the sentence."""
    lowered = " ".join(w for i, w in enumerate(question.split()) if i == 0 or not w[:1].isupper())
    return set(stem_all([w for w in content_words(lowered) if w not in _FILLER]))


#: A plain no: negation or refusal, not a mere hedge.
_DENIAL = re.compile(r"\b(?:not|no|never|neither|nor|none|denied|denies|refused|refuses|declined)\b|n[’']t\b", re.I)


def says_no(sentence: str) -> bool:
    """True when ``sentence`` plainly negates something ("which has not been published to date"):
    stricter than :func:`takes_a_position`, which a hedge satisfies."""
    return bool(_DENIAL.search(sentence))


def takes_a_position(sentence: str, question: str, paraphrase_below: float = 0.3) -> bool:
    """True when ``sentence`` could answer the yes-or-no ``question``: it states every plain word
    of the question (in any form: "restrict" / "restricted"), or it negates, hedges or weighs
    something ("not", "likely", "whether"), or it shares fewer than ``paraphrase_below`` of the
    question's plain words. A sentence chosen though it shares so few words matched by meaning
    ("Have any seafarers lost their lives?" and "... with several crew members killed"): that its
    words differ says nothing. One that repeats most of the question but not what it asks
    happened ("China restricted some imports in 2020" for "Has China lifted the restrictions it
    put on imports in 2020?") only describes the starting point."""
    if _STANCE.search(sentence):
        return True
    modal = re.match(r"\s*(?:and\s+|so\s+|but\s+|then\s+)?(will|would|can|could|should|may|might|must)\b", question, re.I)
    if modal and re.search(rf"\b{modal.group(1)}\b", sentence, re.I):
        return True  # "Will the election affect it?" and "The election will impact this": the same modal says so
    plain = _plain_words(question)
    said = plain & set(stem_all(content_words(sentence)))
    return said == plain or len(said) < paraphrase_below * len(plain)
