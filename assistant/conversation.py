"""Follow-up questions, rewritten into standalone questions without an LLM.

"And Japan?" or "Who signed it?" mean nothing on their own. Appending the previous question
("Who signed it? (context: ...)") leaves the old topic in the query, so retrieval answers the
old question again. Instead the previous question is *rewritten*:

* an elliptical follow-up naming something new ("And Mexico?", "What about the ceremony?")
  substitutes it for the matching slot of the previous question (a name for a name, a number
  for a number, a noun phrase for a noun phrase): "How did Canada vote?" + "And Mexico?" ->
  "How did Mexico vote?";
* a bare question word ("Why?", "When?", "How many?") replaces the previous question's
  question word, keeping the rest: "Which law does the bill amend?" + "Why?" ->
  "Why does the bill amend the law?";
* a pronoun ("it", "they", "he") is replaced by what the previous turn was about: the name
  in the previous answer that the previous question asked for (a quoted title, a capitalised
  name), else the previous question's own noun phrase;
* a question of its own joined by "and" but with no subject matter ("And what do critics
  argue?") is asked about the previous question's subject.

The rules use word shapes only (capitals, digits, quotes, question words), never a document's
vocabulary, and fall back to the question as asked when nothing fits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .question_types import SOURCE_NOUNS
from .schema import Turn
from .text import STOPWORDS, content_words, words

_ANAPHORA = {
    "it", "its", "it's", "they", "them", "their", "theirs", "he", "him", "his", "she", "her",
    "this", "that", "these", "those", "there", "then", "such", "former", "latter", "same",
}
_ELLIPTICAL = re.compile(
    r"^\s*(and|also|but|so|what about|how about|why|how so|what else|anything else|"
    r"who else|when|where)\b",
    re.IGNORECASE,
)
_WH = r"(?:what|which|who|whom|whose|when|where|why|how)"
_AUX = (
    r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|shall|may|might|must)"
)
# "And Japan?", "What about the United States?", "How about in 2025?", "Japan too?"
_SUBSTITUTE = re.compile(
    r"^\s*(?:and|also|but|so|then)?\s*(?:what|how)\s+about\s+(?P<a>.+?)\s*[?.!]*\s*$|"
    r"^\s*(?:and|also|but|then)\s+(?:for\s+|in\s+|of\s+|with\s+)?(?P<b>.+?)\s*[?.!]*\s*$|"
    r"^\s*(?P<c>.+?)\s*,?\s+(?:too|as\s+well)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# "Why?", "And when?", "How many?", "Why not?"
_BARE_WH = re.compile(
    rf"^\s*(?:and|so|but)?\s*(?P<wh>{_WH}(?:\s+(?:much|many|long|old|far|often|exactly|so))?)"
    r"(?:\s+not)?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# "For what purposes, exactly?": a why-question
_FOR_WHAT = re.compile(r"^\s*(?:and|so|but)?\s*for\s+what\s+(?:purpose|reason|end)s?\s*,?\s*(?:exactly)?\s*[?.!]*\s*$",
                       re.IGNORECASE)
# "when it comes to", "it is likely that": an "it" that points at nothing
_EXPLETIVE_IT = re.compile(
    r"\s+(?:comes?|came)\s+to\b|\s+(?:is|was|be|seems?|seemed|appears?|appeared)\s+(?:likely|unlikely|possible|clear|"
    r"unclear|true|important|necessary|that|hard|easy|difficult|impossible|worth)\b",
    re.IGNORECASE,
)
# A previous question led by a question word: "Which law does ...", "How long did ...".
_LEADING_WH = re.compile(
    rf"^\s*(?P<wh>{_WH}(?:\s+(?:much|many|long|old|far|often))?)"
    rf"(?:\s+(?P<noun>(?!{_AUX}\b)[\w’'\-]+(?:\s+(?!{_AUX}\b)[\w’'\-]+){{0,3}}))?"
    rf"\s+(?P<aux>{_AUX})\b\s*(?P<rest>.*?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_YES_NO = re.compile(rf"^\s*(?P<aux>{_AUX})\b\s*(?P<rest>.*?)\s*[?.!]*\s*$", re.IGNORECASE)
_PREPOSITION = r"(?:to|for|of|with|about|on|in|at|from|by|into|over|against)"
# Capitalised names, with inner connectors: "the United States", "Friendship, Cooperation and ...",
# initialisms ("U.S.") and a leading year ("the 1990 Act").
_CAP = r"(?:[A-Z](?:\.[A-Z])+\.?|[A-Z]\.(?=\s+[A-Z][a-z])|[A-Z][\w’'\-]*)"  # "B." of "Chance B. Saltzman"
_NAME = re.compile(
    rf"(?:\b[Tt]he\s+)?(?:\d{{4}}\s+)?{_CAP}(?:(?:,\s+|\s+(?:and|of|for|the|de|du|von)\s+|\s+){_CAP})*"
    r"(?:\s+\d+[A-Za-z]?\b)?"  # "Pillar 2", "Section 5104"
)
_QUOTED = re.compile(r"[“\"]([^”\"]{2,80})[”\"]")
_CODE = re.compile(r"\b[A-Z]{1,6}\d[\w-]*\b")  # "FY2026", "H.R." aside: letters then digits
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_NOUN_PHRASE = re.compile(
    r"\b(?:the|this|that|these|those|its|their|his|her)\s+(?:[a-z][\w\-]*\s+){0,2}?[a-z][\w\-]*",
)
#: The same, as long as it goes on in content words ("their defence pact", "the corn oil"): what a
#: pronoun stands for is the whole phrase, not its first word.
_CONTENT = r"(?!(?:%s)\b)[a-z][\w\-]*" % "|".join(sorted(STOPWORDS, key=len, reverse=True))
_WHOLE_NOUN_PHRASE = re.compile(  # several words, the last not before a preposition ("the envoy meet in")
    rf"\b(?:the|this|that|these|those|its|their|his|her)\s+"
    rf"(?:(?:{_CONTENT}\s+){{1,2}}{_CONTENT}\b(?!\s+{_PREPOSITION}\b)|{_CONTENT}\b)"
)
# "Who wrote <the work>?", "Who are the authors of <the work>?"
_AUTHORED = re.compile(
    r"^\s*(?:and\s+)?who\s+(?:wrote|authored|published|edited|produced|compiled|(?:is|are|was|were)\s+the\s+"
    r"(?:authors?|writers?|publishers?|editors?)\s+of)\s+(?P<work>(?:the|this|that)\s+.+?)\s*[?.!]*\s*$|"
    # "When was <the work> published?"
    r"^\s*(?:and\s+)?when\s+(?:was|were|is)\s+(?P<dated>(?:the|this|that)\s+.+?)\s+(?:last\s+)?"
    r"(?:published|updated|written|released|issued)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_PERSONAL = {"he", "him", "his", "she", "her"}
_PLURAL = {"they", "them", "their", "theirs"}


def needs_context(question: str) -> bool:
    tokens = words(question)
    if any(t in _ANAPHORA for t in tokens):
        return True
    if _ELLIPTICAL.match(question) and len(content_words(question)) <= 3 or _FOR_WHAT.match(question):
        return True
    # "How many personnel?", "Which year?": a question word and a noun, no verb of its own
    if len(tokens) <= 4 and re.match(rf"\s*(?:and\s+)?{_WH}\b", question, re.IGNORECASE) and not any(
        re.fullmatch(_AUX, t) for t in tokens
    ):
        return True
    return len(content_words(question)) <= 1


def refers_back(question: str) -> bool:
    """True for a follow-up about the previous turn's own subject: a pronoun or "that ..." points
    back ("Who signed it?", "What drives that assessment?"), or a bare question word asks more
    of it ("Why?"); not one that brings in something new ("What about Iran?")."""
    return any(t in _ANAPHORA for t in words(question)) or bool(_BARE_WH.match(question) or _FOR_WHAT.match(question))


def resolve_followup(question: str, history: Sequence[Turn]) -> str:
    """The question as retrieval should see it: itself, or rewritten from the previous turn."""
    if not history or not needs_context(question):
        return question
    previous = history[-1]
    topic = (previous.standalone_question or previous.question).strip()
    rewritten = (
        _bare_question_word(question, topic)
        or _new_wh_noun(question, topic)
        or _substitution(question, topic)
        or _pronouns(question, topic, previous.answer or "")
        or _same_topic(question, topic)
    )
    return rewritten or question


# -- a question of its own that continues the topic -----------------------------------------------
_CONTINUES = re.compile(r"^\s*(?:and|but|so|also)\s*,?\s+(?P<q>.+?)\s*[?.!]*\s*$", re.IGNORECASE)


def _same_topic(question: str, topic: str) -> str | None:
    """ "And what do critics argue?" after "What does the government claim the system is for?":
    a question with its own verb but no subject matter, joined to the previous one by "and",
    asks about the previous question's subject: "What do critics argue about the government
    claim the system is for?" (the previous question's words after its question word)."""
    match = _CONTINUES.match(question)
    if not match or _names(question) or not re.match(rf"{_WH}\b", match.group("q"), re.IGNORECASE):
        return None
    body = _strip_end(topic[_question_body_start(topic):])
    body = re.sub(rf"\s+{_PREPOSITION}$", "", body)
    if not content_words(body):
        return None
    return _sentence(f"{match.group('q')} about {body}")


# -- bare question words ---------------------------------------------------------------------
def _bare_question_word(question: str, topic: str) -> str | None:
    match = _BARE_WH.match(question)
    if not match and not _FOR_WHAT.match(question):
        return None
    wh = match.group("wh").strip().lower() if match else "why"  # "For what purpose?" asks why
    wh = {"how so": "why", "why so": "why", "how exactly": "how"}.get(wh, wh)
    negated = bool(re.search(r"\bnot\s*[?.!]*\s*$", question, re.IGNORECASE))
    lead = _LEADING_WH.match(topic)
    if lead:
        rest = lead.group("rest")
        noun = lead.group("noun")
        if noun and lead.group("wh").lower() in {"what", "which", "whose"}:
            # the question's object moves to its place in the clause: "... amend the law"
            rest = f"{rest} the {noun}"
        else:
            rest = re.sub(rf"\s+{_PREPOSITION}$", "", rest)
        aux = _negate(lead.group("aux").lower(), negated)
        return _sentence(f"{wh} {aux} {rest}")
    yes_no = _YES_NO.match(topic)
    if yes_no:
        aux = _negate(yes_no.group("aux").lower(), negated)
        return _sentence(f"{wh} {aux} {yes_no.group('rest')}")
    return _sentence(f"{wh} {_strip_end(topic)}")


def _new_wh_noun(question: str, topic: str) -> str | None:
    """ "How many personnel?" after "How many satellites does ...?": the asked-for noun changes."""
    match = re.match(rf"^\s*(?:and\s+)?(?P<wh>{_WH}(?:\s+(?:much|many))?)\s+(?P<noun>[\w’'\- ]{{1,40}}?)\s*[?.!]*\s*$",
                     question, re.IGNORECASE)
    lead = _LEADING_WH.match(topic)
    if not match or not lead or not lead.group("noun") or len(match.group("noun").split()) > 3:
        return None
    if re.search(rf"\b(?:{_AUX}|it|they|he|she)\b", match.group("noun"), re.IGNORECASE):
        return None
    if match.group("wh").lower() != lead.group("wh").lower():
        return None
    return _sentence(topic[: lead.start("noun")] + match.group("noun") + topic[lead.end("noun"):])


# -- substitution -----------------------------------------------------------------------------
def _substitution(question: str, topic: str) -> str | None:
    match = _SUBSTITUTE.match(question)
    if not match:
        return None
    new = next(g for g in match.groups() if g)
    new = re.sub(r"^(?:for|in|of|with|about)\s+", "", new.strip(), flags=re.IGNORECASE)
    if not new or len(content_words(new)) == 0 or len(new.split()) > 8:
        return None
    if re.match(rf"(?:{_WH}|{_AUX})\b", new, re.IGNORECASE):
        return None  # "And what did X say?" is a question of its own
    slot = _slot_for(new, topic)
    if slot is None:
        return None
    start, end = slot
    return _sentence(topic[:start] + new + topic[end:])


def _slot_for(new: str, topic: str) -> tuple[int, int] | None:
    """The span of ``topic`` that ``new`` stands in for: same shape, the first such span."""
    body_start = _question_body_start(topic)
    names = [s for s in _names(topic) if s[0] >= body_start]
    phrases = [m.span() for m in _NOUN_PHRASE.finditer(topic) if m.start() >= body_start]
    if _NUMBER.fullmatch(new.strip()):
        spans = [m.span() for m in _NUMBER.finditer(topic) if m.start() >= body_start]
    elif _CODE.fullmatch(new.strip()):  # "FY2027" or "2027" for the question's "FY2026"
        spans = [m.span() for m in _CODE.finditer(topic) if m.start() >= body_start] or names or phrases
    elif re.match(r"(?:the|this|that|these|those|its|their|his|her)\s+[a-z]", new):
        spans = phrases or names  # "the ceremony" stands in for "the summit"
    else:
        spans = names or phrases  # "Japan" or "oil" stand in for a name
        first = new.split()[0] if new.split() else ""
        for s, e in names if first[:1].isupper() else []:
            # "Pillar 2" after "AUKUS Pillar 1": the name from the shared word on is replaced
            if at := re.search(rf"\b{re.escape(first)}\b", topic[s:e]):
                return s + at.start(), e
    return spans[0] if spans else None


def _question_body_start(topic: str) -> int:
    """Where the question's own words begin, after a leading question word and auxiliary."""
    lead = re.match(rf"\s*{_WH}(?:\s+\w+)?\s+{_AUX}\b\s*|\s*{_AUX}\b\s*|\s*{_WH}\b\s*", topic, re.IGNORECASE)
    return lead.end() if lead else 0


def _names(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _NAME.finditer(text):
        s, e = m.span()
        name = text[s:e]
        if re.fullmatch(rf"(?:{_WH}|{_AUX}|the|this|that|it|they|he|she|a|an|in|on|at|and|but)", name, re.IGNORECASE):
            continue
        if lead := re.match(rf"{_AUX}\s+", name, re.IGNORECASE):
            s += lead.end()  # "Is China ...?": the name after the auxiliary opening a question
            spans.append((s, e))
            continue
        if re.match(rf"{_WH}\s", name, re.IGNORECASE):
            continue  # "Which Space Force command ...": part of what is asked for, not its subject
        if (s == 0 or text[:s].rstrip().endswith((".", "?", "!"))) and " " not in name:
            continue  # one capitalised word opening a sentence is the sentence's capital, not a name
        spans.append((s, e))
    return spans


# -- pronouns ---------------------------------------------------------------------------------
def _pronouns(question: str, topic: str, answer: str) -> str | None:
    pronoun = None
    lead = _LEADING_WH.match(topic)
    asked_head = (lead.group("noun") or "").split()[-1].lower().rstrip("s") if lead and lead.group("noun") else ""
    for m in re.finditer(r"\b(it|its|they|them|their|he|him|his|she|her|this|that)\b", question, re.IGNORECASE):
        after = question[m.end():]
        if m.group(1).lower() in {"this", "that"} and not re.match(rf"\s*(?:[?.!,]|$|{_AUX}\b)", after, re.IGNORECASE):
            noun = re.match(r"\s+([a-z][\w\-]*)", after)
            if asked_head and noun and noun.group(1).lower().rstrip("s") == asked_head:
                # "What does that command do?" after "Which ... command is based at ...?": the
                # phrase points at the previous answer, like a pronoun
                referent = _referent(topic, answer, personal=False, plural=False)
                if referent:
                    return question[: m.start()] + referent + question[m.end() + noun.end():]
            continue  # "that law": a determiner, not a pronoun
        if m.group(1).lower() == "it" and _EXPLETIVE_IT.match(after):
            continue  # "when it came to Ukraine"
        pronoun = m.group(1).lower()
        break
    if pronoun is None:
        return None
    referent = _referent(topic, answer, personal=pronoun in _PERSONAL, plural=pronoun in _PLURAL,
                         demonstrative=pronoun in {"this", "that"})
    if not referent:
        return None
    possessive = pronoun in {"its", "their", "his"} or (pronoun == "her" and not re.search(r"\bher\s*[?.!]*$", question))
    replacement = f"{referent}’s" if possessive else referent
    rewritten = re.sub(rf"\b{re.escape(pronoun)}\b", lambda _: replacement, question, count=1, flags=re.IGNORECASE)
    return rewritten if rewritten != question else None


def _referent(topic: str, answer: str, personal: bool, plural: bool, demonstrative: bool = False) -> str | None:
    """What a pronoun in the follow-up points at: the previous answer's subject."""
    answer = re.sub(r"\s*\[\d+\]", "", answer)
    lead = _LEADING_WH.match(topic)
    wh = lead.group("wh").lower() if lead else ""
    noun = (lead.group("noun") or "") if lead else ""
    if plural and not noun.endswith("s"):
        # "them" after "Which country supplies soybeans?": a plural noun of the question, not its answer
        body = topic[_question_body_start(topic):]
        for m in re.finditer(r"\b(?:([a-z][a-z\-]+)\s+)?([a-z][a-z\-]+s)\b", body):
            modifier, noun_ = m.group(1), m.group(2)
            if noun_.endswith("ss") or len(noun_) <= 3 or noun_ in _NOT_PLURAL:
                continue
            if m.start() == 0 and not modifier and not lead and re.match(rf"\s*{_WH}\b", topic, re.IGNORECASE):
                continue  # "Who leads the Space Force?": the verb right after "who", not a plural noun
            keep = modifier and modifier in content_words(modifier) and not re.fullmatch(rf"{_AUX}|{_PREPOSITION}", modifier)
            return f"{modifier} {noun_}" if keep else noun_
        if not lead and re.match(r"\s*who\b", topic, re.IGNORECASE):
            # "they" after "Who leads the Space Force?": the person the answer names (a singular "they")
            named = [answer[s:e] for s, e in _names(answer)]
            if named:
                return named[0]
        if wh in {"who", "whom"} and (subject := _subject(topic, plural=False)):
            # "they" after "Who did the envoy meet?" answered "... met with Jane Roe": both of them
            met = [answer[s:e] for s, e in _names(answer) if not set(words(answer[s:e])) & set(words(subject))]
            if met:
                return f"{subject} and {met[0]}"
    work = _AUTHORED.match(topic)
    if work and not personal and not plural:
        # "Who wrote the report on X?" + "When was it published?": "it" is the whole work
        return _strip_end(work.group("work") or work.group("dated"))
    if wh in {"who", "whom"} and not personal and not plural:
        # "Who wrote this article?" + "When was it published?": "it" is the article, not the person
        phrase = _NOUN_PHRASE.search(topic)
        return phrase.group(0) if phrase else None
    if wh in {"how many", "how much"} and noun and demonstrative:
        # "Which law authorized that?" after "How many submarines could Australia buy ...?": the
        # things counted, as the previous question describes them ("it" stays its subject)
        return f"the {noun} that {_clause(lead.group('aux'), _strip_end(lead.group('rest')))}"
    if wh == "how many" and noun and plural:
        # "What are they paid?" after "How many vessels are enrolled ...?": the things counted
        return f"the {noun}"
    if wh == "how much" and not noun and demonstrative:
        # "How much of that was for procurement?" after "How much did Congress appropriate for
        # X?": the amount asked about, in the previous question's words
        aux = lead.group("aux").lower()
        rest = _strip_end(lead.group("rest"))
        if aux in {"is", "are", "was", "were"}:
            return f"the {rest}" if not re.match(r"(?i)(?:the|a|an|this|that|its|their)\b", rest) else rest
        clause = _clause(aux, rest, keep_do=True)  # "the amount that Congress did appropriate ..."
        return f"the amount that {clause}" if clause != rest else None
    if wh in {"what", "which"} and noun and not (noun.endswith("s") and not plural and not noun.endswith("ss")):
        # ("it" after "Which countries are partners in AUKUS?" is not the countries)
        head = noun.split()[-1].lower().rstrip("s")
        quoted = _QUOTED.search(answer)
        for s, e in _names(answer):
            name = answer[s:e]
            if head in name.lower():
                return name
        if quoted:
            return quoted.group(0)
        # "CFC is based at ...": the answer's subject (a name or an acronym opening it) answers "which X"
        first = _names(answer)
        if first and first[0][0] == 0:
            return answer[first[0][0]:first[0][1]]
        acronym = re.match(r"[A-Z]{2,}s?\b", answer.strip())
        if acronym:
            return acronym.group(0)
        # "the alliance that Chile and Peru have": the previous question as a clause
        if lead.group("aux").lower() in {"do", "is", "are", "was", "were", "has", "have", "had"}:
            aux = "" if lead.group("aux").lower() == "do" else lead.group("aux").lower() + " "
            return f"the {noun} that {aux}{_strip_end(lead.group('rest'))}"
        return f"the {noun}"
    if personal:
        names = [answer[s:e] for s, e in _names(answer)] or [topic[s:e] for s, e in _names(topic)]
        # "The current CSO, General Chance B. Saltzman, ...": the part of a name list that is a full name
        parts = [p for n in names[:1] for p in n.split(", ") if " " in p]
        return parts[0] if parts else (names[0] if names else None)
    return _subject(topic, plural)  # otherwise the subject of the previous question


def _subject(topic: str, plural: bool) -> str | None:
    """The first name or noun phrase of the question's body; for a singular pronoun, never a
    pair ("When did China and North Korea sign their pact?": "it" is the pact)."""
    names = [(s, _extend_source_noun(topic, s, _extend_possessive(topic, s, e))) for s, e in _names(topic)]
    phrase = _WHOLE_NOUN_PHRASE.search(topic, _question_body_start(topic))
    candidates = [(s, topic[s:e]) for s, e in names if plural or not re.search(r"\s(?:and|&)\s", topic[s:e])]
    if phrase:
        candidates.append((phrase.start(), phrase.group(0)))
    candidates.sort()
    return candidates[0][1] if candidates else None


def _clause(aux: str, rest: str, keep_do: bool = False) -> str:
    """The previous question's body as a clause: "Australia could buy ..." from ("could",
    "Australia buy ..."); do-support is dropped ("did Congress appropriate" -> "Congress
    appropriate") unless ``keep_do`` ("Congress did appropriate"), and any auxiliary is when
    the subject is not a name."""
    subject = _NAME.match(rest)
    if (aux.lower() in {"do", "does", "did"} and not keep_do) or not subject or subject.end() >= len(rest):
        return rest
    return f"{subject.group(0)} {aux.lower()} {rest[subject.end():].strip()}"


def _negate(aux: str, negated: bool) -> str:
    """ "Why not?" keeps the auxiliary in front: "is" -> "isn't"."""
    if not negated:
        return aux
    return {"will": "won't", "can": "can't", "shall": "shan't"}.get(aux, f"{aux}n't")


_PARTICIPLES = {
    "held", "made", "built", "won", "led", "paid", "sent", "told", "sold", "kept", "left", "met", "set",
    "put", "run", "done", "seen", "given", "taken", "written", "known", "shown", "chosen", "begun",
    "spoken", "broken", "drawn", "grown", "thrown", "brought", "bought", "fought", "found", "taught",
}
_NOT_PLURAL = {"does", "was", "has", "is", "its", "this", "his", "was", "whereas", "thus", "always", "perhaps"}


def _extend_possessive(text: str, start: int, end: int) -> int:
    """ "Australia's most recent general election": a possessive name takes the noun it owns."""
    if not re.search(r"[’']s$", text[start:end]):
        return end
    tail = re.match(rf"(?:\s+(?!{_AUX}\b|{_PREPOSITION}\b)[a-z][\w\-]*)+", text[end:])
    if not tail:
        return end
    words_ = tail.group(0).split()
    while words_ and (words_[-1].endswith("ed") or words_[-1] in _PARTICIPLES):  # "... election held"
        words_.pop()
    return end + len(tail.group(0)[: tail.group(0).find(words_[-1]) + len(words_[-1])]) if words_ else end


def _extend_source_noun(text: str, start: int, end: int) -> int:
    """ "the Harbour Authority report": a name that says which document takes the document's noun."""
    noun = re.match(rf"\s+(?:{SOURCE_NOUNS})\b", text[end:], re.IGNORECASE)
    return end + noun.end() if noun else end


def _strip_end(text: str) -> str:
    return re.sub(r"\s*[?.!]+\s*$", "", text.strip())


def _sentence(text: str) -> str:
    text = " ".join(_strip_end(text).split())
    return text[:1].upper() + text[1:] + "?"
