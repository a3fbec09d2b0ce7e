"""What kind of answer a question asks for, and whether a sentence carries one.

"Who sang?" wants a person or an organisation, "When?" a date, "How many?" a number, "What is
the title of ...?" a name or title. A sentence can be close to a question in wording and still
not contain what it asks for ("...listened to a performance of a song..." does not give the
song's title). The extractive composer uses these checks to prefer the neighbouring sentence
that does carry the answer, and to decline when no retrieved sentence does.

Everything here works on the shape of the text (question words, digits, month names, capitals,
quotes, scripts other than Latin), in English, with no model and no document's vocabulary.
What the question itself already says does not count as the answer: "When did the 2019 act
pass?" is not answered by a sentence whose only date is 2019.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

from .places import capital_letters, cities_named, countries_named, country_key, is_place_word
from .text import STOPWORDS

AnswerType = Literal["agent", "person", "date", "duration", "age", "money", "number", "name", "place", "reason",
                     "country", "city", "company"]

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    "hundred|hundreds|thousand|thousands|million|millions|billion|billions|trillion|dozen|dozens|"
    "half|third|quarter|twice|double|triple|single|once"
)
#: Nouns and verbs that ask for an amount of money (general English, no document's vocabulary).
_MONEY_NOUNS = (
    r"cost|costs|price|prices|fee|fees|toll|tolls|fare|fares|tariff|tariffs|budget|budgets|salary|"
    r"salaries|wage|wages|fine|fines|revenue|revenues|funding|spending|expenditure|income|profit|"
    r"profits|payment|payments|subsidy|subsidies|grant|grants|loan|loans|debt|aid|appropriation|premium|premiums|"
    r"appropriations|money|investment"
)
_MONEY_VERBS = r"cost|costs|charge|charges|charged|pay|pays|paid|spend|spends|spent|earn|earns|earned|fund|funded|invest|invested|raise|raised|owe|owes|owed"
_CURRENCY = (
    r"[$€£¥₩₽₹]|\b(?:US|A|C|NZ|HK)\$|\b(?:dollars?|euros?|pounds?\s+sterling|sterling|yen|yuan|renminbi|rmb|"
    r"rials?|riyals?|rubles?|roubles?|rupees?|won|francs?|pesos?|dinars?|dirhams?|usd|eur|gbp|jpy|cny)\b"
)
#: An amount of money: a currency sign or code before a number, or a currency word after one.
_AMOUNT = re.compile(
    r"(?:[$€£¥₩₽₹]|\b(?:US|A|C|NZ|HK)\$)\s*\d[\d.,]*(?:\s*(?:million|billion|trillion|thousand|[mbk]n?)\b)?|"
    r"\b\d[\d.,]*(?:\s*(?:million|billion|trillion|thousand))?\s+(?:dollars?|euros?|pounds?|yen|yuan|rials?|riyals?|"
    r"rubles?|roubles?|rupees?|won|francs?|pesos?|dinars?|dirhams?|usd|eur|gbp)\b",
    re.I,
)


def _digits(amount: str) -> str:
    """An amount's number, for comparing amounts ("$3 billion" and "3 billion dollars": "3billion")."""
    return re.sub(r"[^\d.a-z]|(?<!\d)\.|\.(?!\d)", "", amount.casefold().replace("dollars", "").replace("dollar", ""))


_TIME_UNITS = r"(?:second|minute|hour|day|week|fortnight|month|year|decade|century|centuries)s?"

#: A word modifying the asked-for noun ("Which *Russian weapons* manufacturer", "What *accuracy*
#: rate"): not a verb, an article or a pronoun ("What *does the* author think?" asks for a view, not
#: a person), nor "kind of" ("What kind of aid ...?" asks for a sort, not an amount).
_MOD = (r"(?:(?!(?:is|are|was|were|be|been|do|does|did|has|have|had|will|would|can|could|should|may|might|must|"
        r"shall|the|a|an|this|that|these|those|its|their|his|her|our|your|my|of|kind|type|sort|form|kinds|types|"
        r"sorts|forms)\b)[\w.’'-]+\s+)")
#: Money nouns that always mean money, the only ones a modifier may precede ("What war-risk
#: insurance premium"): "aid", "fine" or "grant" often do not ("military aid").
_PLAIN_MONEY_NOUNS = (
    r"cost|costs|price|prices|fee|fees|toll|tolls|fare|fares|tariff|tariffs|budget|budgets|salary|salaries|wage|"
    r"wages|revenue|revenues|funding|spending|expenditure|payment|payments|subsidy|subsidies|appropriation|"
    r"appropriations|premium|premiums|investment"
)

# question patterns, tried in order; the first that matches sets the expected type
_QUESTION_RULES: list[tuple[AnswerType, re.Pattern[str]]] = [
    ("date", re.compile(
        r"^\s*(?:and\s+|so\s+|but\s+)?when\b|[,;]\s*when\s+(?:did|does|do|was|were|is|will|had|has)\b|\b(?:since|until|till)\s+when\b|\b(?:what|which)\s+(?:year|date|day|month|decade|century|time|deadline)\b|"
        r"\bin\s+what\s+year\b|\bsince\s+when\b|\bhow\s+long\s+ago\b|\bhow\s+far\s+back\b|"
        r"\b(?:publication|release|issue)\s+date\b|\bdate\s+of\s+(?:publication|release|issue)\b", re.I)),
    # "How old is <someone>?" wants an age ("aged 40", "a 40-year-old"); "how old is the pact?" a
    # year it dates from will do, loosely; a sentence about the same person's travels will not
    ("age", re.compile(r"\bhow\s+old\b|\b(?:what|which)\s+age\b|\bwhat\s+(?:is|was)\s+(?:\w+'s\s+)?age\b", re.I)),
    ("duration", re.compile(r"\bhow\s+long\b|\b(?:what|which)\s+(?:period|duration)\b", re.I)),
    # an amount of money wants a currency, not any number ("about 130 ships a day" is no toll)
    ("money", re.compile(
        rf"\bhow\s+much\s+(?:\w+\s+)?(?:{_MONEY_NOUNS})\b|\bhow\s+much\s+(?:does|did|do|will|would|is|was)\b[^?]*"
        rf"\b(?:{_MONEY_VERBS})\b|\b(?:what|which)\s+(?:{_MONEY_NOUNS})\b(?!\s+rates?\b)|"
        rf"\b(?:what|which)\s+{_MOD}{{1,2}}?(?:{_PLAIN_MONEY_NOUNS})\b(?!\s+rates?\b)|"
        rf"\bwhat\s+(?:is|was|are|were)\s+(?:the\s+|its\s+|their\s+)?(?:\w+'s\s+)?(?:\w+\s+)?(?:{_MONEY_NOUNS})\b(?!\s+rates?\b)|"
        rf"\bwhat\s+(?:is|was|are|were)\s+(?:the\s+|its\s+|their\s+)?(?:\w+'s\s+)?{_MOD}{{1,2}}?(?:{_PLAIN_MONEY_NOUNS})\b(?!\s+rates?\b)|"
        # "What dollar amount ...?", "..., in dollar terms?", "What did DOD spend on ...?"
        r"\b(?:what|which)\s+(?:dollar|euro|pound|yen|yuan)\s+(?:amount|figure|value|sum|total)\b|"
        r"\bin\s+(?:u\.?s\.?\s+)?(?:dollars?|euros?)(?:\s+terms)?\s*\??\s*$|"
        r"\bwhat\s+(?:did|does|do|will|would)\b[^?]*\b(?:spend|spent|pay|paid)\s+(?:on|for)\b", re.I)),
    ("number", re.compile(
        # ("How big a role / place does X play?" asks how much it matters, not for a number)
        r"\bhow\s+(?:many|much|old|far|large|big|high|often|tall|deep|wide|heavy|fast|accurate)\b"
        r"(?!\s+(?:of\s+)?an?\s+(?:role|part|place|factor|deal|threat|problem|concern|issue|influence|impact|difference|"
        r"priority|risk|challenge|setback|blow|step|shift)\b)|"
        r"\b(?:what|which)\s+(?:percentage|percent|proportion|share|fraction|number|amount|"
        r"quantity|sum|total|rate|level|figure|cost|price|budget|population|size|value|temperature|"
        r"distance|length|height|weight|speed|age|capacity|range|volume|area|depth|tonnage|altitude)\b|"
        # the same measures with a modifier or two ("What accuracy rate ...?", "What error rates ...?")
        rf"\b(?:what|which)\s+{_MOD}{{1,2}}?(?:percentage|share|amount|rates?|volume|capacity|altitude|"
        r"speed|distance|length|height|weight|depth|tonnage|population|total)\b|"
        r"\bwhat\s+(?:is|was|are|were)\s+(?:the\s+|its\s+|their\s+)?(?:\w+'s\s+)?(?:population|number|percentage|"
        r"share|amount|cost|price|budget|size|value|total|rate|gdp|age|temperature|distance)\b|"
        rf"\bwhat\s+(?:is|was|are|were)\s+(?:the\s+|its\s+|their\s+)?{_MOD}{{1,2}}?(?:volume|capacity|rate|altitude)\b", re.I)),
    # "What is the name of the vice chief who ...?": a person's name, like "Who is the vice chief?"
    ("person", re.compile(
        rf"\bname\s+of\s+(?:the|its|their|this|that|his|her)\s+{_MOD}{{0,3}}?(?:chief|head|director|secretary|"
        r"minister|ambassador|spokes(?:person|man|woman)|commander|official|analyst|researcher|leader|president|"
        r"general|admiral|envoy|candidate|judge|governor|mayor|deputy|chair|chairman|chairwoman|founder|ceo)\b", re.I)),
    ("name", re.compile(
        r"\b(?:what|which)\s+(?:is|was|are|were)\s+(?:the\s+)?(?:(?:full|official|complete|exact|formal)\s+)?"
        r"(?:name|title|names|titles)\b|"
        r"\bwhat\s+(?:is|was|are|were)\b[^?]{0,80}\b(?:called|named|known\s+as)\s*\??\s*$|\bcalled\s+what\b|"
        r"\b(?:what|which)\s+(?:song|book|film|movie|title|name|breed|brand|model|programme|program|"
        r"operation|law|act|bill|treaty|agreement|report|term|word|phrase|slogan|anthem|album)s?\b|"
        r"\b(?:what|which)\s+make\s+of\b", re.I)),
    # "Who commands X?", "Who is the current head of Y?": a person's name, not the office
    ("person", re.compile(
        r"^\s*(?:and\s+)?who\s+(?:commands|heads|chairs|directs|founded|(?:is|was|are|were)\s+(?:the\s+)?"
        rf"(?:current\s+|first\s+|new\s+|former\s+|last\s+|next\s+)?{_MOD}{{0,3}}?(?:head|chief|director|secretary|minister|"
        r"president|chair|chairman|chairwoman|chairperson|commander|leader|ambassador|spokes(?:person|man|woman)|ceo|"
        r"founder|governor|mayor|deputy|vice|prime|general|admiral|manager|candidate|envoy)\b)|"
        # "Which Iranian official ...?", "Which Member of Congress ...?": one person, by name
        rf"\b(?:what|which)\s+{_MOD}{{0,3}}?(?:official|minister|senator|lawmaker|legislator|congress(?:man|woman)|"
        r"member\s+of\s+(?:congress|parliament)|commander|spokes(?:person|man|woman)|ambassador|"
        r"diplomat|executive|judge|scientist|researcher|singer|performer|composer|songwriter|musician|artist|"
        r"journalist|reporter|author|writer|poet|pilot|commentator)\b(?!\s+(?:source|data|statement|figure|estimate|record|document|"
        r"position|name|title|language|report|channel|visit|line|order|summary|branch|team)s?\b)", re.I)),
    # "Which Gulf country ...?", "In which city ...?": a country or a city by name (GeoNames)
    ("country", re.compile(rf"\b(?:what|which)\s+{_MOD}{{0,2}}?(?:country|countries|nation|nations)\b", re.I)),
    ("city", re.compile(r"\b(?:what|which)\s+(?:[\w-]+\s+)?(?:city|cities|town|towns)\b", re.I)),
    # "Which company builds ...?", "At which university ...?": a firm's or a school's own name,
    # not the agency that buys from it nor the country it is in
    ("company", re.compile(
        rf"\b(?:what|which)\s+{_MOD}{{0,2}}?(?:company|companies|firm|firms|contractor|contractors|subcontractor|"
        r"manufacturer|manufacturers|maker|makers|shipyard|shipyards|shipbuilder|shipbuilders|vendor|vendors|"
        r"airline|airlines|bank|banks|university|universities|pollster|pollsters|"
        r"polling\s+(?:organi[sz]ation|firm|company|agency))\b", re.I)),
    ("agent", re.compile(
        r"^\s*(?:and\s+)?(?:who|whom|whose)\b|\b(?:by|to|from|with)\s+whom\b|\bwho\s+(?:else|was|is|were|are)\b|"
        r"\b(?:what|which)\s+(?:[\w-]+\s+)?(?:person|people|organi[sz]ation|organi[sz]ations|agency|agencies|company|"
        r"companies|group|groups|department|ministry|official|officials|leader|leaders|country|"
        r"countries|government|governments|firm|firms|office|party|parties|body|bodies|committee|"
        r"state|states|nation|nations|institution|service)\b", re.I)),
    ("place", re.compile(
        r"^\s*(?:and\s+)?where\b|"
        r"\b(?:what|which)\s+(?:place|city|cities|region|regions|location|port|ports|province|capital|"
        r"continent|area|waterway|strait|sea|base|site)\b|\bin\s+which\s+\w+\b", re.I)),
    # "What is X meant to accomplish?", "What is the purpose of X?": what it is for, a reason too
    ("reason", re.compile(r"^\s*(?:and\s+)?why\b|\bfor\s+what\s+reason\b|\bwhat\s+(?:caused|led\s+to|drove)\b|"
                          r"\b(?:meant|intended|designed|supposed)\s+to\s+(?:\w+\s+)?(?:accomplish|achieve|do|guarantee|ensure|"
                          r"provide|serve|deliver|address|prevent|solve)\b|\bwhat\s+(?:is|was|are|were)\s+(?:the\s+)?"
                          r"(?:purpose|aim|goal|objective|intent|rationale)s?\s+(?:of|behind)\b", re.I)),
]

_YEAR = r"\b(?:1[5-9]\d\d|20\d\d)s?\b"
#: "What share / percentage / proportion ...?": a percentage or a fraction answers, not any number.
_ASKS_SHARE = re.compile(rf"\b(?:what|which)\s+{_MOD}{{0,2}}?(?:percentage|percent|proportion|share|fraction|rates?)\b|"
                         r"\bwhat\s+(?:is|was|are|were)\s+(?:the\s+|its\s+|their\s+)?(?:\w+'s\s+)?(?:percentage|share|proportion)\b", re.I)
_SHARE = re.compile(r"\d[\d.,]*\s*%|\bper\s*cent\b|\bpercent(?:age)?\b|\b(?:half|third|thirds|quarter|quarters|majority|"
                    r"minority|fifth|fifths|tenth)\b|\b(?:one|two|three|four|five|\d+)\s+(?:in|out\s+of)\s+(?:every\s+)?\w+", re.I)
#: "How many ...?" counts things; an amount of money is not a count.
_ASKS_COUNT = re.compile(r"\bhow\s+many\b", re.I)
#: A currency sign and its amount ("$71.3 billion"), and a percentage ("65%", "6 percent").
_SIGNED_AMOUNT = r"[$€£¥₩₽₹]\s*\d[\d.,]*(?:\s*(?:million|billion|trillion|thousand)\b)?"
_PERCENTAGE = r"\d[\d.,]*\s*(?:%|percent\b|per\s*cent\b)"
_NOT_A_COUNT = re.compile(rf"{_SIGNED_AMOUNT}|{_PERCENTAGE}|\b[A-Za-z]+\d[\w-]*|{_YEAR}", re.I)
_CODE_OR_YEAR = re.compile(rf"\b[A-Za-z]+\d[\w-]*|{_YEAR}", re.I)
#: "By how much ...?", "How much have prices risen ...?": the size of a change, not a date or a count.
_ASKS_CHANGE = re.compile(
    r"\bby\s+how\s+(?:much|many)\b|\bhow\s+much\s+(?:\w+\s+){0,6}?(?:rise|risen|rose|fall|fallen|fell|increase[sd]?|"
    r"decrease[sd]?|grow|grown|grew|drop(?:ped)?|decline[sd]?|jump(?:ed)?|climb(?:ed)?|change[sd]?|shrink|shrunk|shrank)\b",
    re.I,
)
_CHANGE = re.compile(
    rf"{_PERCENTAGE}|\d[\d.,]*\s*(?:percentage\s+points?\b|points?\b)|{_SIGNED_AMOUNT}|"
    r"\b(?:doubled?|tripled?|quadrupled?|halved|twice|\d+-fold|(?:two|three|four|ten)fold)\b|"
    r"\bby\s+(?:about\s+|around\s+|nearly\s+|almost\s+|over\s+|some\s+)?\d[\d.,]*|\b\d[\d.,]*\s*\(\d[\d.,]*%\)\s*more\b|"
    r"\b\d[\d.,]*\s+(?:more|fewer|less|higher|lower)\b",
    re.I,
)
_DATE = re.compile(
    rf"{_YEAR}|\b(?:{_MONTHS})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b|"
    rf"\b(?:{_MONTHS})\b(?=\s+(?:\d|of|this|last|next))|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|"
    r"\b(?:early|mid|late)[\s-]+(?:1[5-9]\d\d|20\d\d)s?\b|\b(?:\w+\s+)?(?:century|decade)\b|"
    r"\b(?:yesterday|today|tomorrow|(?:last|next|(?:earlier|later)\s+this)\s+(?:week|month|year))\b",
    re.I,
)
#: "In which month ...?" is answered by a month's name alone.
_ASKS_MONTH = re.compile(r"\b(?:what|which)\s+month\b", re.I)
#: "On what date / which day ...?" asks for a day: a year or a month alone does not give it.
_ASKS_DAY = re.compile(r"\b(?:what|which)\s+(?:exact\s+|precise\s+)?(?:date|day)\b", re.I)
_DAY = re.compile(
    rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b|"
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(?:yesterday|today|tomorrow|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.I,
)
_NUMBER = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b|%|\bper\s*cent\b|\bpercent\b", re.I)
_DURATION = re.compile(
    rf"(?:\b\d[\d.,]*|\b(?:{_NUMBER_WORDS}|a|an|several|few|many|some))[\s-]+(?:\w+[\s-]+)?{_TIME_UNITS}\b|"
    rf"\b(?:hours|days|weeks|months|years|decades|centuries)\b|\bover\s+(?:a|an)\s+{_TIME_UNITS}\b",
    re.I,
)
_AGE = re.compile(
    rf"\b(?:\d{{1,3}}|(?:{_NUMBER_WORDS})(?:[\s-]+(?:{_NUMBER_WORDS}))?)[\s-]+years?[\s-]+old\b|\baged\s+\d{{1,3}}\b|"
    r"\bage\s+(?:of\s+)?\d{1,3}\b|\bborn\s+(?:in|on)\b|\bbirth\b",
    re.I,
)
_QUOTED = re.compile(r"[“\"«„‘]([^”\"»“‘’]{2,120})[”\"»“’]")
#: A phrase in quotation marks: double, guillemets, or single ("the 'to space' function"), where a
#: single mark inside a word is an apostrophe ("Kim's", "We’ll"), not a quotation mark.
_QUOTATIONS = re.compile(
    r"“([^”]{2,120})”|\"([^\"]{2,120})\"|«([^»]{2,120})»|(?<![\w‘’'])‘([^\n]{2,120}?)’(?!\w)|(?<![\w‘’'])'([^\n]{2,120}?)'(?!\w)")


def quoted_phrases(question: str) -> list[str]:
    """The phrases a question quotes, in any quotation marks: "What does the 'to space'
    function cover?" -> ["to space"]."""
    return [next(g for g in m.groups() if g) for m in _QUOTATIONS.finditer(question)]
_CAPITALISED = re.compile(r"\b(?:[A-Z][\w’'\-]*|[A-Z]{2,}\b)(?:\s+(?:of|and|the|for|de|du|al|bin|von)?\s*[A-Z][\w’'\-]*)*")
_REASON = re.compile(
    r"\b(?:because|due\s+to|owing\s+to|as\s+a\s+result|in\s+order\s+to|so\s+that|so\s+as\s+to|"
    r"in\s+response\s+to|aimed\s+at|intended\s+to|meant\s+to|designed\s+to|reason|since|"
    r"driven\s+by|given|amid|to\s+(?:avoid|prevent|reduce|increase|ensure|counter|protect|"
    r"support|deter|secure|address|improve|strengthen)|motivat\w*|seeks?\s+to|sought\s+to|citing|cited|on\s+the\s+grounds?)\b",
    re.I,
)
_PLAIN_REASON = re.compile(
    r"\b(?:because|due\s+to|owing\s+to|as\s+a\s+result|in\s+order\s+to|so\s+that|so\s+as\s+to|in\s+response\s+to|"
    r"(?:aimed|intended|meant|designed)\s+(?:at|to)|the\s+(?:purpose|aim|goal|objective)\b)",
    re.I,
)
# role words that stand for a person or organisation even without a capital
_AGENT_WORDS = re.compile(
    r"\b(?:president|minister|ministry|secretary|leaders?|officials?|government|governments|"
    r"spokes(?:person|man|woman)|administration|congress|parliament|army|military|navy|agency|"
    r"department|office|company|companies|firm|firms|court|committee|council|commission|general|"
    r"both|each|neither|citizens|population|people|soldiers|troops|forces|officers|analysts|"
    r"experts|author|writer|researchers|scientists|lawmakers|members|allies|states|countries|children|"
    r"students|choir|singers|performers|women|men|girls|boys|crowd|audience|public|residents|workers|"
    r"crew|team|voters|staff|personnel|operatives|terrorists|adversaries)\b",
    re.I,
)


def expected_type(question: str) -> AnswerType | None:
    """The kind of answer ``question`` asks for, or None when any statement may answer it."""
    question = re.sub(r"\b(what|who|where|when)['’]s\b", r"\1 is", question, flags=re.I)  # "what's" -> "what is"
    for kind, pattern in _QUESTION_RULES:
        if pattern.search(question):
            # "How much of the $3 billion ...?" asks for a part of an amount of money: money too
            if kind == "number" and re.search(r"\bhow\s+much\b", question, re.I) and _AMOUNT.search(question):
                return "money"
            return kind
    return None


#: A count asked of a part of a whole the question numbers: "Of the 200 ships ..., how many ...?",
#: "How many of the more than 80 countries ...?" (not a year: "At the start of 2026, how many").
_PART_OF = re.compile(
    r"\b(?:of|among)\s+(?:the\s+|these\s+|those\s+)?(?:(?:roughly|about|some|nearly|around|over|almost|"
    r"approximately)\s+|more\s+than\s+)?(\d[\d,.]*)\b[^?]*?\bhow\s+many\b|"
    r"\bhow\s+many\s+of\s+(?:the\s+|these\s+|those\s+)?(?:(?:roughly|about|some|nearly|around|over|almost|"
    r"approximately)\s+|more\s+than\s+)?(\d[\d,.]*)\b",
    re.I,
)


def part_of(question: str) -> float | None:
    """The whole a "how many" question asks a part of ("Of the 1,700 people ..., how many were
    released?" -> 1700): no number as large answers it."""
    m = _PART_OF.search(question)
    whole = (m.group(1) or m.group(2)) if m else None
    if whole is None or re.fullmatch(r"(?:1[5-9]|20)\d\d", whole):
        return None
    return _value(whole)


def _value(number: str) -> float | None:
    """The value of a number written with digits ("1,700" -> 1700.0), or None."""
    try:
        return float(number.rstrip("%.,").replace(",", ""))
    except ValueError:
        return None


#: A number asked for as an identifier, not a quantity: "the report number", "What is the executive
#: order number of ...?".
_ASKS_IDENTIFIER = re.compile(
    r"\b(?:report|product|order|law|bill|document|publication|case|docket|serial|phone|model|version|section|"
    r"identification|id|flight|hull|tail|registration)\s+(?:number|no\b|#)|\bnumber\s+of\s+the\s+(?:report|order|law|"
    r"bill|act|section|product)\b|\b(?:what|which)\s+(?:section|article|clause|paragraph|chapter|title)\b|"
    r"\b(?:its|their)\s+numbers?\b(?!\s+of\b)", re.I)
#: How often: a frequency answers ("the annual consultations", "twice a year"), digits or not.
_FREQUENCY = re.compile(
    r"\b(?:annual(?:ly)?|yearly|monthly|weekly|daily|hourly|quarterly|biennial(?:ly)?|biannual(?:ly)?|"
    r"semiannual(?:ly)?|every\s+(?:\w+\s+)?(?:day|week|month|year|decade)s?|once|twice|thrice|"
    r"(?:one|two|three|four|five|six|\d+)\s+times)\b", re.I)


def type_evidence(sentence: str, kind: AnswerType | None, question: str = "", context: str = "") -> list[str]:
    """The strings in ``sentence`` that have the shape ``kind`` asks for, minus the question's own
    (``context``, the sentence's passage, tells a person's surname from a firm's name)."""
    if kind is None:
        return [sentence] if sentence.strip() else []
    asked = _asked(question)
    if kind == "date":
        found = [m.group(0) for m in (_DAY if _ASKS_DAY.search(question) else _DATE).finditer(sentence)]
        if _ASKS_MONTH.search(question):  # "In which month ...?": "the coming November election" says it
            found += re.findall(rf"\b(?:{_MONTHS})\b", sentence, re.I)
    elif kind == "duration":
        found = [m.group(0) for m in _DURATION.finditer(sentence)]
    elif kind == "age":
        found = [m.group(0) for m in _AGE.finditer(sentence)] + re.findall(_YEAR, sentence)
    elif kind == "money" and (said := {_digits(m.group(0)) for m in _AMOUNT.finditer(question)}):
        # the question's own amount ("How much of the $3 billion ...?") is not the answer
        found = [m.group(0) for m in _AMOUNT.finditer(sentence) if _digits(m.group(0)) not in said]
    elif kind == "money":
        found = [m.group(0) for m in re.finditer(_CURRENCY, sentence, re.I)]
    elif kind == "number" and (unit := _asked_unit(question)):  # "how many tons": a number of tons
        found = [m.group(0) for m in re.finditer(rf"\d[\d.,]*\s*(?:\w+[\s-]+)?(?:{unit})\b", sentence, re.I)]
    elif kind == "number" and (other := _other_dimensions(question)):
        # "What is the population?": not "2.96 million sq. miles", nor an amount of money
        found = [m.group(0) for m in re.finditer(r"\d(?:[\d.,]*\d)?(?:\s*(?:million|billion|thousand))?", sentence)
                 if not re.match(rf"\s*(?:-|\s)?(?:{other})(?!\w)", sentence[m.end():], re.I)
                 and not re.search(r"[$€£¥₩₽₹]\s*$", sentence[: m.start()]) and not re.fullmatch(_YEAR, m.group(0))]
    elif kind == "number" and _ASKS_CHANGE.search(question):  # a change: "by 6%", "$2 billion more", "doubled"
        found = [m.group(0) for m in _CHANGE.finditer(sentence)]
    elif kind == "number" and _ASKS_SHARE.search(question):  # a share is a percentage or a fraction
        found = [m.group(0) for m in _SHARE.finditer(sentence)]
    elif kind == "number":
        # a count is not an amount of money ("how many deltas ...?" is not answered by "$71.3 billion")
        # nor a year or a code ("FY2027")
        counting = bool(_ASKS_COUNT.search(question))
        # no number is a year, a code, or a day of a date ("December 20, 2019", "as of April 1");
        # a count is not an amount of money or a percentage either
        # (a quantity, not an identifier: "the report number" or "the order number" is a code)
        quantity = counting or not _ASKS_IDENTIFIER.search(question)
        money = [m.span() for p in ((_NOT_A_COUNT, _DAY) if counting else (_CODE_OR_YEAR, _DAY)) for m in p.finditer(sentence)
                 ] if quantity else []
        if quantity:  # nor the number of a law, a section or an order ("P.L. 119-75", "Section 5104", "Order 14347")
            money += [m.span(2) for m in NUMBERED_NAME.finditer(sentence)
                      if m.group(1).casefold() not in _MONTH_NAMES | _QUESTION_OPENERS | _FUNCTION_WORDS]
            money += [m.span() for m in re.finditer(r"(?<=[A-Z]\.)\s*\d[\d-]*", sentence)]
        if re.search(r"\bhow\s+often\b", question, re.I):
            money = [span for span in money if not _FREQUENCY.search(sentence[span[0]:span[1]])]
        found = [m.group(0) for m in _FREQUENCY.finditer(sentence)] if re.search(r"\bhow\s+often\b", question, re.I) else []
        found += [
            m.group(0) for m in re.finditer(rf"\d[\d.,]*%?|\b(?:{_NUMBER_WORDS})\b|%|\bper\s*cent\b|\bpercent\b", sentence, re.I)
            if not (m.group(0)[0].isupper() and sentence[: m.start()].strip())  # "Five Eyes" is a name
            and not any(a <= m.start() < b for a, b in money)
        ]
        if (whole := part_of(question)) is not None:  # "Of the 200 ships, how many ...?": fewer than 200
            found = [f for f in found if not ((n := _value(f)) is not None and n >= whole)]
    elif kind == "reason":
        found = [m.group(0) for m in _REASON.finditer(sentence)]
    elif kind == "country":  # one the question names, by name or initials ("US"), is not new
        named = {country_key(c) for c in countries_named(question)}
        found = [c for c in countries_named(sentence) if country_key(c) not in named]
    elif kind == "city":
        found = cities_named(sentence)
    elif kind == "person":  # a person's name: after a title, or a name that heads nothing else
        found = _person_names(sentence)
        # or an office holder by title alone: "the King of the United Kingdom" is Australia's head of state
        found += [m.group(0) for m in re.finditer(r"\bthe\s+([A-Z][a-z]+)(?:\s+of\s+(?:the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)?",
                                                  sentence) if m.group(1).casefold() in _PERSON_TITLES]
    elif kind == "company":
        found = company_names(sentence, context, question)
    else:  # agent, name, place: names, titles, quotes, other scripts
        found = [m.group(1) for m in _QUOTED.finditer(sentence)]
        found += _proper_names(sentence)
        found += _non_latin(sentence)
        if kind == "agent":
            found += [m.group(0) for m in _AGENT_WORDS.finditer(sentence)]
    if kind in ("agent", "name", "place", "country", "city", "company"):
        return [f for f in found if _is_new(f, asked)]
    return [f for f in found if not _folded_words(f) <= asked or not _folded_words(f)]


def carries(sentence: str, kind: AnswerType | None, question: str = "") -> bool:
    """True when ``sentence`` holds something of the asked-for kind beyond the question's words."""
    if kind is None:
        return True
    return bool(type_evidence(sentence, kind, question))


def type_strength(sentence: str, kind: AnswerType | None, question: str = "", context: str = "") -> int:
    """How clearly ``sentence`` carries the asked-for kind: 0 not at all, 1 loosely, 2 plainly.

    Plainly: a title in quotes or another script for a name, a capitalised name for a person or
    place, a year or full date for a date, digits for a number, a number with a unit of time for
    a duration, an age ("aged 40", "fifty years old") for an age, a currency with an amount for
    money. Loosely: any capitalised name for a title, a role word ("officials") for a
    person, a month or century for a date, a number word for a number, a year for an age.
    """
    if kind is None:
        return 1
    evidence = type_evidence(sentence, kind, question, context)
    if not evidence:
        return 0
    asked = _asked(question)

    def new(found: list[str]) -> bool:
        return any(not _folded_words(f) <= asked for f in found if _folded_words(f))

    if kind == "name":
        strong = [m.group(1) for m in _QUOTED.finditer(sentence)] + _non_latin(sentence)
        return 2 if any(_is_new(f, asked) for f in strong) else 1
    if kind == "person":  # a name plainly; an office by its title alone ("the King of ...") loosely
        named = [f for f in evidence if not re.match(r"the\s", f)]
        return 2 if any(_is_new(f, asked) for f in named) else 1 if any(_is_new(f, asked) for f in evidence) else 0
    if kind in ("country", "city", "company"):  # one the question does not name, or none
        return 2
    if kind in ("agent", "place"):
        return 2 if any(_is_new(f, asked) for f in _proper_names(sentence) + _non_latin(sentence)) else 1
    if kind == "date":
        if _ASKS_MONTH.search(question) and new(re.findall(rf"\b(?:{_MONTHS})\b", sentence, re.I)):
            return 2  # "In which month of 2024 ...?": the month is what is new, not the year
        return 2 if new(re.findall(rf"{_YEAR}|\b\d{{4}}-\d{{2}}-\d{{2}}\b", sentence, re.I)) else 1
    if kind == "number":
        digits = [f for f in evidence if re.search(r"\d", f)]
        return 2 if new(digits) or _asked_unit(question) else 1
    if kind == "age":  # an age plainly; the year something dates from loosely, but not a person's
        plain = new([m.group(0) for m in _AGE.finditer(sentence)])
        return 2 if plain else 0 if asks_a_persons_age(question) else 1
    if kind == "money":  # a currency with an amount plainly; a currency word alone loosely
        return 2 if _NUMBER.search(sentence) else 1
    if kind == "duration":
        return 2 if new([f for f in evidence if re.search(r"\d|[a-z]+[\s-]+\w*[\s-]*" + _TIME_UNITS, f, re.I) and " " in f.strip() or "-" in f]) else 1
    if kind == "reason":  # "because", "intended to" plainly; "given", "amid", "since" loosely
        return 2 if _PLAIN_REASON.search(sentence) else 1
    return 1


#: Words that head the name of a thing rather than a person ("the Treaty of ...", "the ... Party").
_THING_HEADS = frozenset(
    """treaty pact agreement accord alliance act law bill convention charter declaration program
    programme plan strategy initiative project operation organization organisation institute
    institution agency office department ministry council committee commission command force
    forces army navy party company corporation bank fund union association league university
    college school court government administration state states republic kingdom empire city
    port base station strait sea ocean river canal island islands mountain region province
    country nation system network report article war museum church corps guard guards
    partnership framework compact meeting meetings summit conference dialogue forum talks
    consultations exercise architecture pillar enterprise taskforce task group team board panel
    center centre unit bureau directorate division fleet squadron wing delta lab laboratory""".split()
)
#: Titles that put a person's name after them ("General", "President", "Dr").
_PERSON_TITLES = frozenset(
    """mr mrs ms miss dr prof professor sir lady lord general gen admiral adm colonel col major
    captain lieutenant sergeant president vice prime minister secretary senator representative
    rep governor mayor chancellor ambassador chairman chairwoman chair director chief judge
    justice king queen prince princess sheikh ayatollah supreme leader pope""".split()
)


#: Words that end the name of a place rather than a person ("the Persian Gulf", "the Korean Peninsula").
_PLACE_HEADS = frozenset(
    """gulf bay coast peninsula lake desert valley islands island strait sea ocean river mountains
    hills plain plains basin canal channel cape""".split()
)


def _person_names(sentence: str) -> list[str]:
    """Names in ``sentence`` that can only be people: a title before a name ("General Chance B.
    Saltzman", "Prime Minister Albanese"), or two to four capitalised words none of which heads
    the name of a thing or a place and none an acronym ("Dawn Meyerriecks")."""
    out = []
    for name in (part for run in _proper_names(sentence) for part in _titled_parts(run)):
        tokens, folded = _name_tokens(name)
        titled = [i for i, t in enumerate(folded) if t in _PERSON_TITLES]
        rest = tokens[titled[-1] + 1:] if titled else []
        if rest and all(t[:1].isupper() and t.casefold().strip(".") not in _THING_HEADS and not t.isupper() for t in rest):
            # "Harbour Board Chief General Jane Doe", "CIA Deputy Director Jane Doe" -> "Jane Doe"
            out.append(" ".join(rest))
        elif any(t in _THING_HEADS or t in _PLACE_HEADS for t in folded):
            continue
        elif (_is_person_name(name) and not all(is_place_word(t) for t in tokens) and not is_place_word(name)
              and not countries_named(name)):
            out.append(name)  # not "South Sudan", "South Sudanese"
    return out


#: Words that end the name of a public body, a law, a programme or an event, never of a firm.
_PUBLIC_HEADS = frozenset(
    """treaty pact agreement accord alliance act law bill convention charter declaration program
    programme plan strategy initiative project operation agency office department ministry council
    committee commission command force forces army navy party court government administration
    state states republic kingdom empire city port base station pillar architecture war corps
    guard guards congress parliament senate house service enterprise system report article""".split()
) | _PLACE_HEADS


def _spelled(text: str) -> frozenset[str]:
    """Abbreviations ``text`` spells out in brackets ("... Authorization Act (NDAA)")."""
    return frozenset(m.group(1) for m in re.finditer(r"\(([A-Z][A-Za-z&.-]*[A-Z]s?)\)", text))


@lru_cache(maxsize=256)
def _passage_facts(context: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """A passage's names, the words of the people its titles introduce, and the abbreviations
    it spells out: the same for every sentence of it, so read once per passage."""
    names = _proper_names(context)
    return frozenset(names), frozenset(w for n in names for w in _titled(n)), _spelled(context)


def company_names(sentence: str, context: str = "", question: str = "") -> list[str]:
    """Names in ``sentence`` that can be a firm's or a school's: not a country, a city or a
    person (by a title here or in ``context``, the sentence's passage: "Prime Minister Roe"
    makes "Roe" a person), not a public body, law or programme ("the Coast Guard", "the ...
    Act", "the ... Missile Tracking program"), not an abbreviation spelled out in brackets
    ("(NDAA)"), and not the spelled-out form of initials ``question`` uses ("ABCD")."""
    passage_names, passage_persons, passage_spelled = _passage_facts(context)
    spelled = _spelled(sentence) | passage_spelled
    persons = {w for n in _proper_names(sentence) for w in _titled(n)} | passage_persons
    places = {w.casefold() for n in countries_named(sentence) + cities_named(sentence) for w in n.split()}
    asked = _asked(question) if question else set()
    out = []
    runs = _proper_names(sentence)
    opening = re.match(r"\s*([A-Z][a-z][\w-]+)\b", sentence)
    if opening and opening.group(1) in passage_names - {r.split()[0] for r in runs}:
        runs.insert(0, opening.group(1))  # "Gabion manages ...": a name wherever the passage writes it
    runs += re.findall(r"\b[a-z]+[A-Z][\w-]*", sentence)  # "xAI", "eBay"
    for run in runs:
        at = sentence.find(run)
        # the word the name heads, past a bracketed abbreviation and more of the name:
        # "Advanced Basin Charting (ABC) Survey program" heads "program"
        head = re.match(r"[\s’'s]*(?:\([^)]*\)\s*)?(?:(?:[A-Z][\w-]*|and|of)\s+)*([a-z]+)",
                        sentence[at + len(run):]) if at >= 0 else None
        if head and head.group(1).removesuffix("s") in _PUBLIC_HEADS or "".join(capital_letters(run)).casefold() in asked:
            continue
        for name in re.split(r"\s+and\s+", run):  # "Prime Minister Roe and President Doe": two names
            tokens, folded = _name_tokens(name)
            if (name in spelled or set(folded) <= persons | places or folded[0] in _PERSON_TITLES
                    or re.fullmatch(r"[A-Z]{2,}s", name)  # "SSNs": a kind of thing, abbreviated
                    or any(t in _PUBLIC_HEADS or t.removesuffix("s") in _PUBLIC_HEADS for t in folded)):
                continue
            if all(is_place_word(t) or re.search(r"-(?:based|owned|flagged|led|made|run|backed|class)$", t) for t in tokens):
                continue  # "Australian", "U.S.", "a PRC-based company"
            out.append(name)
    return out


def _titled_parts(run: str) -> list[str]:
    """ "Prime Minister Roe and President Doe" -> the two titled people; a name with "and"
    in it ("Space Training and Readiness Command") stays whole."""
    parts = re.split(r"\s+and\s+", run)
    if len(parts) > 1 and all(any(t in _PERSON_TITLES for t in _name_tokens(p)[1]) for p in parts):
        return parts
    return [run]


def _titled(name: str) -> list[str]:
    """The folded words of the person a title introduces in ``name`` ("Prime Minister Jane
    Roe" -> jane, roe), or none."""
    tokens, folded = _name_tokens(name)
    titled = [i for i, t in enumerate(folded) if t in _PERSON_TITLES]
    return [t for t in folded[titled[-1] + 1:] if t not in _THING_HEADS] if titled else []


def _name_tokens(name: str) -> tuple[list[str], list[str]]:
    """A name's words, and the same folded without dots or a possessive ("Force's" -> "force")."""
    tokens = re.findall(r"[\w’'.-]+", name)
    return tokens, [re.sub(r"[’']s$", "", t.casefold().strip(".")) for t in tokens]


_ROMAN = re.compile(r"[IVX]{2,4}")


def _is_person_name(name: str) -> bool:
    """Capitalised words that can only name a person: a title and a name ("President Jane Roe"), or
    two to four words, none an acronym and none heading the name of a thing or a place."""
    tokens, folded = _name_tokens(name)
    if not tokens or not all(t[:1].isupper() for t in tokens):
        return False
    if any(t.strip(".").isupper() and len(t.strip(".")) > 1 and not _ROMAN.fullmatch(t.strip(".")) for t in tokens):
        return False  # an acronym, not a name ("Louis XIV": a regnal number is part of one)
    if any(t in _THING_HEADS or t in _PLACE_HEADS for t in folded):
        return False
    return folded[0] in _PERSON_TITLES and len(tokens) >= 2 or 2 <= len(tokens) <= 4


def asks_a_persons_age(question: str) -> bool:
    """True for "How old is <a person>?": a name after a title ("General ..."), or of two or
    more capitalised words none of which heads the name of a thing ("the Treaty of ...").
    Then only an age answers; the year they took office does not."""
    match = re.search(r"\bhow\s+old\s+(?:is|was|are|were)\s+(.+?)\s*\??\s*$", question, re.I)
    if not match:
        return False
    subject = match.group(1)
    if subject.split()[0].casefold() in ("the", "a", "an", "this", "that", "its", "their"):
        return False
    return _is_person_name(subject)


#: Units of measure a "how many ...?" question may count in; the answer must be in them.
_UNITS: dict[str, str] = {
    "ton": r"tons?|tonnes?", "tonne": r"tons?|tonnes?", "barrel": r"barrels?|bbl|bpd|b/d",
    "gallon": r"gallons?|gal", "litre": r"lit(?:re|er)s?", "liter": r"lit(?:re|er)s?",
    "kilometre": r"kilomet(?:re|er)s?|km", "kilometer": r"kilomet(?:re|er)s?|km", "mile": r"miles?|mi",
    "metre": r"met(?:re|er)s?", "meter": r"met(?:re|er)s?", "foot": r"feet|foot|ft", "feet": r"feet|foot|ft",
    "acre": r"acres?", "hectare": r"hectares?|ha", "kilogram": r"kilograms?|kg", "pound": r"pounds?|lbs?",
    "megawatt": r"megawatts?|mw", "gigawatt": r"gigawatts?|gw", "knot": r"knots?", "nautical": r"nautical\s+miles?|nm",
}


#: What a measure is measured in, by dimension: a number in another dimension does not answer it.
_DIMENSION_UNITS: dict[str, str] = {
    "area": r"sq\.?\s*(?:miles?|mi|km|kilomet(?:re|er)s?|met(?:re|er)s?|feet|ft)|square\s+\w+|acres?|hectares?|km2|km²",
    "length": r"(?:kilomet(?:re|er)s?|km|miles?|mi|met(?:re|er)s?|feet|foot|ft|nautical\s+miles?|nm)(?!\s*(?:2|²))",
    "mass": r"tons?|tonnes?|kilograms?|kg|pounds?|lbs?",
    "time": r"(?:second|minute|hour|day|week|month|year|decade)s?",
    "share": r"%|percent|per\s*cent",
}
#: The dimension a "What is the <measure> ...?" question asks for.
_MEASURE_DIMENSION: dict[str, str] = {
    "population": "count", "area": "area", "length": "length", "distance": "length", "height": "length",
    "depth": "length", "width": "length", "weight": "mass", "tonnage": "mass",
}


def _other_dimensions(question: str) -> str | None:
    """Units of every dimension but the one a "What is the <measure> of ...?" question asks for
    (a population is a count: not miles, tons, days or a percentage), as one pattern."""
    match = re.search(r"\b(?:what|which)\s+(?:is|was|are|were)\s+(?:the\s+)?(?:[\w.-]+(?:’s|'s)\s+)?(?:total\s+)?(\w+)\b",
                      question, re.I)
    dimension = _MEASURE_DIMENSION.get(match.group(1).casefold()) if match else None
    if dimension is None:
        return None
    return "|".join(units for name, units in _DIMENSION_UNITS.items() if name != dimension)


def _asked_unit(question: str) -> str | None:
    """The unit a "how many/much <unit> ...?" question counts in, as a pattern ("tons"), or the
    one it names for its figure ("..., in TEU, ...", "in kilometers")."""
    match = re.search(r"\bhow\s+(?:many|much)\s+([a-z]+)", question, re.I)
    named = re.search(r",\s*in\s+([A-Za-z]+)\s*[,?]", question)
    if not match and named and named.group(1).casefold() not in ("total", "all", "sum", "short", "brief", "part", "general"):
        word = named.group(1).casefold()
        return _UNITS.get(word) or _UNITS.get(word.removesuffix("s")) or re.escape(named.group(1)) + r"s?"
    if not match:
        return None
    word = match.group(1).casefold()
    return _UNITS.get(word) or _UNITS.get(word[:-1] if word.endswith("s") else word) or _UNITS.get(word[:-2] if word.endswith("es") else word)


def question_names(question: str) -> list[str]:
    """The names a question mentions: capitalised words and sequences, codes such as "FY2022",
    and quoted titles, but not the capital that opens the question or a question word."""
    names = [m.group(1) for m in _QUOTED.finditer(question)]
    names += [n for n in _names(question) if n.split()[0].lower() not in _QUESTION_OPENERS]
    names += [m.group(0) for m in re.finditer(r"\b[A-Z]{1,6}\d[\w-]*\b", question)]
    names += _non_latin(question)
    # "the ACME report", "ACME products": a name that says who published the source, not what it says
    framing = {m.group(1) for m in re.finditer(rf"([A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)*)\s+(?:{SOURCE_NOUNS})\b", question)}
    # "according to the GAO": who is quoted as the source, not what the answer is about
    framing |= {m.group(1) for m in re.finditer(r"\b(?i:according\s+to\s+(?:the\s+)?)([A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)*)", question)}
    # "Soviet-era", "U.S.-led": the lower-case word after the hyphen is no part of the name
    names = [re.sub(r"(?<=[\w.])-[a-z][\w-]*", "", n) for n in names]
    return list(dict.fromkeys(n for n in names if n.strip() and n not in framing))


def pinned_names(question: str) -> list[str]:
    """The names a question cannot be answered without: the speaker whose words it asks for
    ("What did <Brazil's foreign minister> say ...?") and the codes and years that pin it to one
    thing ("... in FY2022", "... in 2019"). Text about someone else, or
    about another year, does not answer it however close its wording."""
    pinned = [m.group(0) for m in re.finditer(r"\b(?:[A-Z]{1,6}\d[\w-]*|(?:1[5-9]|20)\d\d)\b", question)]
    # a numbered name: "Pillar 2", "Section 5104", "Title 10" (not "April 2025", a date)
    pinned += [m.group(0) for m in NUMBERED_NAME.finditer(question)
               if m.group(1).casefold() not in _MONTH_NAMES | _QUESTION_OPENERS | _FUNCTION_WORDS]
    subject = _SUBJECT.match(question)
    if subject and _SPEECH.search(question, subject.end()):
        name = _CAPITALISED.match(question, subject.end())
        framing = name and re.match(rf"\s+(?:{SOURCE_NOUNS})\b", question[name.end():])  # "the CRS report"
        if name and not framing and name.group(0).split()[0].lower() not in _FUNCTION_WORDS | _QUESTION_OPENERS:
            pinned.append(re.sub(r"[’']s$", "", name.group(0)))
    return list(dict.fromkeys(pinned))


#: A capitalised word and the number that tells its kind apart ("Pillar 2", "Section 5104").
NUMBERED_NAME = re.compile(r"(?<![\w.])([A-Z][a-z]{2,})\s+(\d{1,5}[A-Za-z]?)\b(?![\d,.]*\s*(?:%|percent|per\s*cent))")
_MONTH_NAMES = frozenset(_MONTHS.split("|"))

#: What someone said, claimed or thinks is theirs alone: a passage quoting someone else does not
#: answer it. (Other subjects may be put another way: a capital's name for its country.)
_SPEECH = re.compile(
    r"\b(?:say|said|says|state|stated|claim|claimed|announce|announced|argue|argued|think|thought|believe|"
    r"believed|warn|warned|propose|proposed|suggest|suggested|comment|commented|write|wrote|tell|told|"
    r"declare|declared|insist|insisted|promise|promised|pledge|pledged|threaten|threatened|demand|demanded)\b",
    re.I,
)
#: A wh-question up to its subject: "What did ", "How is the ", "Why have ".
_SUBJECT = re.compile(
    r"^\s*(?:(?:and|so|but)\s+)?(?:what|how|why|when|where)\s+(?:did|does|do|has|have|had|is|was|are|were|will|would|"
    r"can|could|should|might|may|must)\s+(?:the\s+)?",
    re.I,
)


#: Nouns naming a document ("the CRS report", "the article"): who wrote it is framing, not subject.
SOURCE_NOUNS = (
    r"reports?|products?|articles?|analys[ie]s|briefs?|briefings?|primers?|papers?|stud(?:y|ies)|"
    r"documents?|publications?|memos?|insights?|notes?|overviews?|sources?|texts?"
)
_ABOUT_THE_SOURCE = re.compile(
    r"\bwho\s+(?:wrote|writes|authored|published|publishes|edited|edits|produced|produces)\b|"
    # "What date is on the report?", "What day was the brief published?" (not "As of what date
    # does the brief count 60 ships in the fleet?", which asks what the brief says)
    rf"\b(?:what|which)\s+(?:date|day)\b[^?]*\b(?:{SOURCE_NOUNS})\b(?!\s+[a-z]+\s+\$?\d)|"
    r"\b(?:what|which)\s+(?:organi[sz]ation|institute|institution|body|agency|outlet|think\s+tank|service)\s+"
    r"(?:wrote|published|produced|issued|released)\b|\bauthors?\b|\bwriters?\b|\bpublisher\b|"
    r"\bwhen\s+(?:was|were|is)\b.*\b(?:published|updated|written|released|issued)\b|\btitle\s+of\b|"
    rf"\b(?:when|(?:what|which)\s+(?:date|day|month|year)(?:\s+of\s+\d{{4}})?)\s+(?:did|does)\s+(?:the\s+|this\s+|that\s+)?[^?]*\b(?:{SOURCE_NOUNS}|piece)\b[^?]*"
    r"\b(?:come\s+out|appear|get\s+published)\b|"
    r"\b(?:publication|release)\s+date\b|\blast\s+updated\b|\bheadline\s+of\b|"
    # a field of the document's header: "What kind of product is ...?", "Which version of ... is this?",
    # "What topic area is ... filed under?"
    rf"\b(?:what|which)\s+(?:kind|type|sort)\s+of\s+(?:[\w-]+\s+)?(?:{SOURCE_NOUNS}|publication|piece)\b|"
    rf"\b(?:what|which)\s+version\s+of\s+(?:the\s+|this\s+)?(?:[\w-]+\s+){{0,3}}?(?:{SOURCE_NOUNS}|piece)\b|"
    r"\b(?:what|which)\s+version\b[^?]*\bis\s+(?:this|it)\s*\??$|\bproduct\s+type\b|"
    r"\b(?:what|which)\s+(?:topics?|topic\s+areas?|subject\s+areas?|categor(?:y|ies))\b[^?]*\b(?:filed|listed|classified|"
    r"categori[sz]ed|tagged|indexed)\b|"
    # "What is the report called?", "What is CRS product IF11783 titled?"
    rf"\bwhat\s+(?:is|was)\s+(?:the\s+|this\s+|that\s+)?(?:[A-Z]{{2,5}}\s+)?(?:{SOURCE_NOUNS}|piece)"
    r"(?:\s+[A-Za-z]{1,4}\d{3,})?\s+(?:called|titled|named)\b|"
    # "What headline did <the author> give her piece?" (not "What title does the article give <a person>?")
    r"\b(?:what|which)\s+(?:headline|title)\s+(?:did|does|do|has|have|had)\s+[^?]*?\b(?:give|gave|given|put)\s+"
    rf"(?:to\s+)?(?:her|his|their|its|the|this|that)\s+(?:[\w-]+\s+)?(?:{SOURCE_NOUNS}|piece)\b|"
    r"\b(?:report|product|document|publication)\s+(?:number|no\b)",
    re.I,
)
#: "What is the report / product number of ...?": the document's own number.
DOCUMENT_NUMBER_ASKED = re.compile(r"\b(?:report|product|document|publication)\s+(?:number|no\b)", re.I)


#: "this article", "the analysis": a document the question points at without naming it.
_UNNAMED_SOURCE = re.compile(
    r"\b(?:this|the)\s+(?:article|analysis|piece|report|document|paper|brief|publication|post|study|text|story|"
    r"essay|commentary|product)\b(?!\s+(?:on|about|by|titled|called|from|of|in|for|that|which|number|no)\b)(?!\s*[“\"'‘])",
    re.I,
)


def asks_about_an_unnamed_source(question: str) -> bool:
    """True for a question about "this article" that names no document ("Who wrote this
    article?"): with several documents indexed and none chosen, any of them may be meant."""
    return (asks_about_the_source(question) and bool(_UNNAMED_SOURCE.search(question))
            and not _QUOTED.search(question) and not question_names(question))


#: "Who wrote ...?", "the authors of ...": the document's byline is asked for.
ASKS_AUTHOR = re.compile(r"\bwr(?:ote|itten|iter|iters)\b|\bauthor(?:s|ed)?\b|\bby\s+whom\b", re.I)
#: "the title of ...", "What is it called?": the document's title line is asked for.
ASKS_TITLE = re.compile(r"\btitled?\b|\bcalled\b|\bheadline\b", re.I)
#: "When was it updated?", "its publication date": its date line is asked for.
ASKS_DATE = re.compile(r"\bwhen\b|\bdate\b", re.I)
#: The metadata lines that say what a question about a document asks for.
_SOURCE_KINDS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (ASKS_AUTHOR, ("byline",)),
    (re.compile(r"\bpublisher\b|\b(?:organi[sz]ation|institute|institution|think\s+tank)\b", re.I), ("publisher",)),
    (re.compile(r"\bwhen\b|\bdate\b|\b(?:updated|released|issued)\b", re.I), ("dateline", "byline")),
    (DOCUMENT_NUMBER_ASKED, ("identifier",)),
    (ASKS_TITLE, ("title",)),
    (re.compile(r"\bversion\b|\btopics?\b|\b(?:subject|topic)\s+areas?\b|\bcategor(?:y|ies)\b|\b(?:kind|type|sort)\s+of\b|"
                r"\bproduct\s+type\b|\blegislation\b", re.I), ("field",)),
)


def source_kinds(question: str) -> tuple[str, ...]:
    """The metadata line kinds a question about a document asks for ("Who wrote ...?": the
    byline; "When ...?": the date line, or the byline that carries the date); empty when unclear."""
    return next((kinds for asks, kinds in _SOURCE_KINDS if asks.search(question)), ())


def asks_about_the_source(question: str) -> bool:
    """True for questions about a document itself (who wrote it, when, its title), where the
    names in the question identify the document rather than what the answer must mention; not
    for what its author thinks ("Does the author think that accusation is deserved?")."""
    return bool(_ABOUT_THE_SOURCE.search(question)) and not _AUTHORS_VIEW.search(question)


#: The author's view is what the text says, not who wrote it: "does the author think / expect
#: ...", "according to the author", "the author's view of ...".
_AUTHORS_VIEW = re.compile(
    r"\b(?:according\s+to|in\s+the\s+view\s+of)\s+(?:the|its|this)\s+(?:authors?|writers?)\b|"
    r"\b(?:the|its|this)\s+(?:authors?|writers?)(?:['’]s?)?\s+(?:think|thinks|believe|believes|expect|expects|"
    r"argue|argues|suggest|suggests|conclude|concludes|predict|predicts|see|sees|say|says|consider|considers|"
    r"feel|feels|view|views|make\s+of|assessment|opinion|position|take)\b",
    re.I,
)


_QUESTION_OPENERS = frozenset(
    """what which who whom whose when where why how is are was were do does did has have had can
    could will would should shall may might must according tell show list give describe explain
    please suppose imagine besides apart except beyond unlike like as for in on at by with from
    after before during since under between among about against and but so also""".split()
)


def _names(sentence: str) -> list[str]:
    """Capitalised words and sequences, except a lone capital that only opens the sentence."""
    names = []
    dotted = [m.span() for m in _INITIALISM.finditer(sentence)]  # "U.S.": one name, not two letters
    names += [sentence[a:b] for a, b in dotted]
    for m in _CAPITALISED.finditer(sentence):
        if any(a <= m.start() < b for a, b in dotted):
            continue
        text = m.group(0).strip()
        before = sentence[: m.start()].rstrip()
        opens_sentence = not before or (
            before[-1] in ".!?:;\"“(*#-•" and not _INITIALISM.search(before[-6:])
        ) or before.endswith("\n")
        if opens_sentence and " " not in text and not text.isupper():
            continue
        if opens_sentence and " " in text:
            first, rest = text.split(" ", 1)
            if (first.lower() in _FUNCTION_WORDS | _QUESTION_OPENERS or _OPENING_ADVERB.search(first)  # "Reportedly Iran"
                    or rest.startswith("the ")):  # "Compare the Space Force ...": an imperative, then a name
                text = rest.removeprefix("the ")
        if text.lower() in _FUNCTION_WORDS or len(text) == 1:
            continue
        names.append(text)
    return names


_INITIALISM = re.compile(r"\b(?:[A-Z]\.){2,}")
#: Adverbs by their endings ("Reportedly", "Additionally", "Currently"): no part of a name.
_OPENING_ADVERB = re.compile(r"\w{3,}(?:edly|ally|ntly|ingly|ously|ively|ately|arly|ctly|iefly|ewise)$", re.I)


def _non_latin(sentence: str) -> list[str]:
    """Runs of letters from scripts other than Latin (a title given in Cyrillic, Korean, ...)."""
    runs = re.findall(r"[^\W\d_]{2,}(?:\s+[^\W\d_]{2,})*", sentence)
    out = []
    for run in runs:
        letters = [ch for ch in run if ch.isalpha()]
        if letters and all("LATIN" not in unicodedata.name(ch, "LATIN") for ch in letters):
            out.append(run)
    return out


#: Capitalised words that are not names of people, organisations or places: months, days, and
#: the words that refer to a part of a text ("Section 5104", "Figure 1").
_NOT_NAMES = frozenset(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday section sections title figure table
    chapter part annex appendix p l""".split()
)


def _proper_names(sentence: str) -> list[str]:
    """The sentence's names that can stand for a person, an organisation or a place: not a month,
    a weekday or a reference to a part of a text."""
    return [n for n in _names(sentence) if not _folded_words(n) <= _NOT_NAMES]


def _asked(question: str) -> set[str]:
    """The question's own words, plus the initials of its capitalised phrases ("Chief of Space
    Operations" is also "cso"): what the question says already does not answer it."""
    asked = _folded_words(question)
    for m in _CAPITALISED.finditer(question):
        caps = [w for w in m.group(0).split() if w[:1].isupper()]
        if len(caps) > 1:
            asked.add("".join(w[0] for w in caps).casefold())
    return asked


def _is_new(found: str, asked: set[str]) -> bool:
    """True when ``found`` has a word the question does not already say, in any of its forms
    ("Australian" is said by a question about Australia)."""
    return any(not any(_same_root(w, a) for a in asked) for w in _folded_words(found))


def _same_root(word: str, other: str) -> bool:
    """The same word or a form of it: a shared start of five letters, or of all but the last
    letter of the shorter word ("china" and "chinese", "iran" and "iranian")."""
    if word == other:
        return True
    shorter = min(len(word), len(other))
    if shorter < 4:
        return False
    need = min(5, shorter - 1)
    return word[:need] == other[:need]


def _folded_words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.casefold()) if w not in _FUNCTION_WORDS}


_FUNCTION_WORDS = frozenset(
    """a an the this that these those it its he she they we i you his her their our my your
    in on at of for to from by with and or but as is was are were be been if then so not no
    what which who whom whose when where why how there here also however although while
    many some most several all both each few other such any every much more""".split()
)


#: A comparison a choice question asks to be made ("Which is larger: A or B?").
_COMPARATIVE = re.compile(
    r"\b(?:more|most|less|least|fewer|fewest|larger|largest|bigger|biggest|greater|greatest|higher|highest|"
    r"lower|lowest|smaller|smallest|better|best|worse|worst|earlier|earliest|later|latest|older|oldest|"
    r"newer|newest|cheaper|cheapest|faster|fastest|stronger|strongest|top|leading|main|primary)\b",
    re.I,
)
_RANKING = re.compile(rf"{_COMPARATIVE.pattern}|\bthan\b|\b(?:majority|bulk|mostly|chiefly|primarily|mainly)\b|\d", re.I)


#: "Which port takes in the most containers?", "Which country is the biggest supplier?": one of
#: several, by rank.
_ASKS_TOP = re.compile(
    r"\b(?:which|who)\b[^?]*\bthe\s+(?:most(?!\s+(?:likely|probable|possible|recent|recently|important|"
    r"significant|notable|serious|pressing))|least|fewest|top|leading|best|worst|largest|biggest|greatest|"
    r"highest|lowest|smallest|oldest|newest|earliest|latest|longest|shortest|strongest|weakest|richest|poorest|"
    r"busiest|closest|nearest|farthest|furthest|fastest|slowest|cheapest|deepest|widest|heaviest)\b", re.I)
#: A sentence that ranks: a superlative, a leading role, a share of the whole, or a comparison.
_RANKS = re.compile(
    rf"{_COMPARATIVE.pattern}|\b\w{{3,}}est\b|\bthan\b|\b(?:majority|bulk|mostly|chiefly|primarily|mainly|"
    r"predominantly|largely|dominant|dominates?|first|second|third|sole|only|all|nearly\s+all|almost\s+all)\b|"
    r"\b(?:half|two-thirds|three-quarters)\b|\d+\s*%", re.I)


def asks_for_the_top(question: str) -> bool:
    """True for a question asking which one ranks first ("Which port takes in the most ...?")."""
    return bool(_ASKS_TOP.search(question))


def ranks(sentence: str) -> bool:
    """True when ``sentence`` ranks or compares something (a superlative, "leading", "most of",
    a share): it can say which one is first; a bare description cannot."""
    return bool(_RANKS.search(sentence))


_ASKS_NUMBERED_PART = re.compile(r"\b(?:which|what)\s+(article|section|clause|paragraph|chapter)s?\b", re.I)


def numbers_the_part(sentence: str, question: str) -> bool:
    """False when the question asks which numbered part of a text says something ("Which article
    of the agreement ...?", "Which section of it?") and ``sentence`` numbers no part ("Section
    1523", "Article 4", "§3511"); True otherwise."""
    asked = _ASKS_NUMBERED_PART.search(question)
    if not asked:
        return True
    part = asked.group(1)
    return bool(re.search(rf"\b{part}s?\s+\d|§\s*\d|\b(?:article|section|clause|paragraph|chapter)s?\s+\d", sentence, re.I))


def compared_options(question: str) -> list[str]:
    """The options of a question that asks which of them is more or most of something ("Which
    supplies more: the UAE or Saudi Arabia?", "... the largest share: Guinea, India or
    Australia?"); empty for any other question."""
    if not _COMPARATIVE.search(question):
        return []
    text = question.strip().rstrip("?").rstrip()
    if "?" in text:
        return []
    # the options follow the last colon or semicolon, else the first comma (scanned, not one
    # regular expression: nested repeats over commas backtrack without end on a hostile question)
    cut = max(text.rfind(":"), text.rfind(";"))
    start = cut if cut >= 0 else text.find(",")
    if start < 0:
        return []
    parts = [p.strip() for p in text[start + 1:].split(",")]
    last = re.split(r"\s+or\s+", parts[-1], maxsplit=1)
    if len(last) != 2:
        return []
    return [o for o in parts[:-1] + last if o and _folded_words(o)]


def ranks_options(sentence: str, options: list[str]) -> bool:
    """True when ``sentence`` names one of ``options`` and ranks or measures something (a
    comparative, a superlative, a number): a sentence that only lists the options together
    ("... from Guinea, India, and Australia") does not say which is more."""
    said = _folded_words(sentence)
    names_one = any(_folded_words(o) & said for o in options)
    return names_one and bool(_RANKING.search(sentence))


_WHICH_PHRASE = re.compile(r"\bwhich\s+((?:[\w’'-]+\s+){0,2}[\w’'-]+)", re.I)
_INDEFINITE = r"\b(?:a|an|some|several|certain|various|unnamed|unidentified|one)\s+(?:[\w’'-]+\s+){0,2}?"


def names_it_only_vaguely(sentence: str, question: str) -> bool:
    """True when a "Which <thing> ...?" question meets a sentence that mentions such a thing only
    as an unnamed one ("it was leased to a PRC-based company", "some DOD components have ..."):
    the sentence says there is one, not which. A name right after the mention ("a company,
    Acme,") makes it specific, as does a name right before it ("paraxylene, a chemical ...")."""
    match = _WHICH_PHRASE.search(question)
    if not match:
        return False
    asked = []
    for w in match.group(1).split():  # the thing asked about: its words up to the first function word
        if w.casefold() in _FUNCTION_WORDS | _QUESTION_OPENERS | STOPWORDS:
            break  # "which vessels get through": not "through"
        if len(w) >= 3:
            asked.append(w.casefold())
    for word in asked:
        forms = {word, word + "s", word + "es", word.removesuffix("s"), word.removesuffix("es")}
        if word.endswith("ies"):
            forms.add(word[:-3] + "y")
        if word.endswith("y"):
            forms.add(word[:-1] + "ies")
        either = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True) if len(f) >= 3)
        for m in re.finditer(rf"{_INDEFINITE}(?:{either})\b", sentence, re.I):
            after = sentence[m.end(): m.end() + 40]
            if re.match(r"[\s,]+(?:called\s+|named\s+|known\s+as\s+)?[A-Z“\"]", after):
                continue  # "a company, Acme," / "a company called Acme"
            if re.match(r"an?\b", m.group(0), re.I) and sentence[: m.start()].rstrip().endswith((",", "—", "(")):
                continue  # "paraxylene, a chemical used ...": it describes what was just named
            return True
    return False


#: "Who was the first chief ...?", "When was the exercise first held?": the first one is asked.
_ASKS_FIRST = re.compile(r"\b(?:the|its|their)\s+first\s+(?!time\b)[a-z]\w*|\bfirst\s+[a-z]+ed\b", re.I)
_SAYS_FIRST = re.compile(r"\b(?:first|inaugural|initial(?:ly)?|original(?:ly)?|founding|earliest)\b", re.I)


def misses_the_first(sentence: str, question: str) -> bool:
    """True when the question asks for the first of something ("the first Chief of Space
    Operations") and ``sentence`` never says first (it names the current one)."""
    return bool(_ASKS_FIRST.search(question)) and not _SAYS_FIRST.search(sentence)


_BETWEEN = re.compile(r"\bbetween\s+(?:the\s+)?([A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*)\s+and\s+(?:the\s+)?([A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*)")


def related_pair(question: str) -> tuple[str, str] | None:
    """The two names a question relates ("trade between Australia and China"): a sentence
    naming one of them and not the other is about something else (Australia's trade with
    another country)."""
    match = _BETWEEN.search(question)
    return (match.group(1), match.group(2)) if match else None
