"""What a "how many" question counts, and whether a sentence gives that count.

"How many crew members were killed?" counts crew members. A sentence that speaks of crew
members but puts no number on them ("17 attacks ..., with several crew members killed") does
not answer it, however well it matches the rest of the question: the count the user asked for
is exactly what it leaves out. A sentence that never uses the counted word says nothing either
way ("800 vessels" may answer "how many ships"), so the check only declines when the word is
there and uncounted.
"""

from __future__ import annotations

import re

#: Words that end the counted phrase: "how many attacks on vessels" counts attacks,
#: "how many ships have ..." counts ships.
_PHRASE_END = frozenset(
    """are is were was be been being did do does have has had will would can could should might may
    must remain remained went got on in of at by for from to with since during under over into
    across per a an the and or but that which who whom whose this these those it its their
    there here than as""".split()
)
#: Words that stand for the counted thing without naming it ("how many of them").
_NOT_A_THING = frozenset("them they those these ones one it more fewer there".split())
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"hundred|thousand|million|billion|dozen|dozens|hundreds|thousands|millions|billions|"
    r"single|double|triple|twice|pair|couple|both"
)
_A_COUNT = re.compile(rf"(?:\d[\d.,]*\d|\d)(?:[-–]\d[\d.,]*)?%?|(?:{_NUMBER_WORDS})(?:-\w+)?", re.I)
_YEAR = re.compile(r"(?:1[5-9]|20)\d\ds?")
_TOKEN = re.compile(r"[\w$%’'.-]+|[,;:()—–]")
#: Between a number and the word it counts stand only modifiers ("3-5 U.S. Ohio-class
#: nuclear-powered attack submarines"), never a clause break or a function word ("1, 2026,
#: with several crew members": the year does not count the crew).
_BREAKS = frozenset(",;:()—–") | _PHRASE_END - {"of", "a"}
_WINDOW = 5


def counted_noun(question: str) -> str | None:
    """The word a "how many" question counts ("How many dry bulk ships were held?" -> "ships"),
    or None when it counts nothing nameable ("how many of them", "how many times higher")."""
    match = re.search(r"\bhow\s+many\s+(of\s+(?:the|these|those|its|their)\s+)?(.*)", question, re.I)
    if not match:
        return None
    of_the, rest = match.group(1), match.group(2)
    if re.match(r"\s*times\b", rest, re.I):
        return None  # "how many times higher": a ratio, not a count of things
    last = None
    for token in _TOKEN.findall(rest):
        word = token.casefold().strip(".")
        if not word or word in _PHRASE_END or not re.match(r"[\w$]", word) or word.endswith("?"):
            break
        if _A_COUNT.fullmatch(word) or word.startswith("$"):
            continue  # "how many of the 800 ships": the whole, not the thing
        if _plural(word):  # what is counted is plural: "How many leaders met?" counts leaders, not "met"
            last = word
    whole = of_the or re.match(r"(?:the\s+)?(?:roughly\s+|about\s+|some\s+)?\d", rest)
    if last is None or whole:
        # "Of the 800 ships, how many are oil or chemical tankers?", "How many of the 60 vessels
        # enrolled ... are container ships?": what follows the copula is counted, not the whole
        after = re.search(r"(?:^|\s)(?:are|were)\s+([\w\s,-]+?)\s*(?:\?|$|\b(?:in|on|at|from|to|of|for|with|that|which)\b)",
                          rest, re.I)
        part = after.group(1).split()[-1].casefold() if after and after.group(1).split() else None
        last = part if part and _plural(part) else None if not whole else last
    if last is None or last in _NOT_A_THING or len(last) < 3:
        return None
    return last


#: Plurals without an -s: the nouns a count may name.
_PLURALS = frozenset(
    """people children men women personnel staff crew police cattle aircraft sheep fish deer troops
    media data criteria phenomena""".split()
)


def _plural(word: str) -> bool:
    """True for a word shaped like a plural noun ("ships", "countries", "people"), not a verb
    ("met", "died") or a singular ("class")."""
    return word in _PLURALS or (word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3)


def _stem(word: str) -> str:
    word = word.casefold().strip(".’'")
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _counts(token: str, whole: float | None) -> bool:
    """A number that can count (not a year), and, for a part of a whole, smaller than the whole."""
    word = token.casefold().strip(".")
    if not _A_COUNT.fullmatch(word) or _YEAR.fullmatch(word):
        return False
    if whole is not None:
        try:
            return float(re.sub(r"[^\d.]", "", word.split("-")[0]) or "nan") < whole
        except ValueError:
            return True
    return True


def gives_count(sentence: str, noun: str, whole: float | None = None) -> bool | None:
    """Whether ``sentence`` puts a number on ``noun``: True when a number stands before it with
    only modifiers between ("five U.S.-flagged ships") or right after it ("ships: 800"); False
    when the sentence uses the word and counts it nowhere; None when it never uses the word. For
    a part of a ``whole`` ("how many of the 60 vessels ..."), no number as large as it counts."""
    tokens = _TOKEN.findall(sentence)
    target = _stem(noun)
    # a capitalised word inside the sentence is part of a name or title ("Grand Duke Otto"), not
    # a mention of the things counted ("How many leaders met?")
    places = [i for i, t in enumerate(tokens) if _stem(t) == target and not (i and t[:1].isupper() and not noun[:1].isupper())]
    if not places:
        return None
    for i in places:
        for j in range(i - 1, max(-1, i - 1 - _WINDOW), -1):
            word = tokens[j].casefold().strip(".")
            if _counts(tokens[j], whole):
                return True
            if word in _BREAKS:
                break
        if [t.casefold() for t in tokens[max(0, i - 2):i]] in (["number", "of"], ["total", "of"], ["numbers", "of"]) and any(
                _counts(t, whole) for t in tokens[i + 1:]):
            return True  # "the average number of ships ... was about 130 each day"
        if i + 1 < len(tokens) and tokens[i + 1] == ":" and tokens[i + 2:].count(",") >= 1:
            return True  # "... performative moments: a car ride, singing children, ...": a list to count
        after = [t.casefold() for t in tokens[i + 1: i + 3]]
        if after and after[0] in (":", "of", "totaled", "totalled", "numbered", "number") and any(
                _counts(t, whole) for t in after[1:]):
            return True
    return False
