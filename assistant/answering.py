"""Compose a cited answer from retrieved passages, or decline.

The default composer needs no LLM. It scores every sentence of the retrieved passages
against the question (embedding similarity plus IDF-weighted word coverage), keeps the few
that answer it verbatim and cites each with the number of the passage it came from. When
no sentence answers (too weak a score for this question, a name the passages never mention,
no date or number where one is asked for), it says plainly that the corpus does not cover
the question and cites nothing: loosely related text is never stitched together. See
:class:`ExtractiveComposer` for the rules, none of which depends on how many passages are
indexed.

A composer gets the question state (the standalone question and the numbered passages) and a
term weight (a word's IDF); it never sees the store or the BM25 index. Validation of what it
wrote is the pipeline's last step (:func:`assistant.markers.validate_citations`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Protocol

import numpy as np

from .config import Settings
from .counts import counted_noun, gives_count
from .polar import is_polar, says_no, takes_a_position
from .embeddings import QueryEmbedder
from .lexical import stem_all
from .metadata_text import METADATA_KINDS, shown_sentence, statement
from .overlap import jaccard, word_bag
from .places import country_of_capital
from .question_types import (
    ASKS_AUTHOR,
    ASKS_DATE,
    ASKS_TITLE,
    DOCUMENT_NUMBER_ASKED,
    NUMBERED_NAME,
    AnswerType,
    asks_about_an_unnamed_source,
    asks_about_the_source,
    compared_options,
    expected_type,
    misses_the_first,
    names_it_only_vaguely,
    pinned_names,
    question_names,
    quoted_phrases,
    asks_for_the_top,
    numbers_the_part,
    part_of,
    ranks,
    ranks_options,
    related_pair,
    source_kinds,
    type_strength,
)
from .schema import Answer, Citation, Passage
from .state import QuestionState, TermWeight
from .text import WH_WORD, content_words, sentence_spans, words

NOT_COVERED = (
    "The corpus does not answer this question: none of the indexed passages addresses it, "
    "so I have nothing to cite."
)
NO_DOCUMENTS = "The index is empty: add articles to the corpus and run `assistant ingest`."
NO_MATCH = (
    "No indexed passage matches this question within the chosen filters, so the corpus does "
    "not answer it as asked."
)


class Composer(Protocol):
    """Writes the answer for one question from its numbered passages.

    A composer may also offer ``stream(state, idf)``, yielding text pieces as it writes and
    then the :class:`Answer`; the pipeline passes the pieces through.
    """

    name: str

    def compose(self, state: QuestionState, idf: TermWeight) -> Answer: ...


@dataclass
class Candidate:
    """One sentence of one passage, scored against the question."""

    passage: Passage
    start: int
    end: int
    text: str
    score: float = 0.0
    similarity: float = 0.0  # embedding cosine of the sentence and the question
    coverage: float = 0.0  # IDF-weighted share of the question's words the sentence contains
    predicate: float = 0.0  # the same share for the question's words outside its names ("based", "current")
    tokens: frozenset[str] = frozenset()  # the question words it covers (stemmed)
    index: int = 0  # the sentence's position in its passage (neighbours are index +- 1)
    strength: int = 1  # how plainly it carries the asked-for answer type (0, 1, 2)
    rank: float = 0.0  # score plus the bonus for naming what the question names
    section_bonus: float = 0.0  # for question words its section heading holds and it lacks
    lead_in: str = ""  # its passage's run-in heading ("To space." before "Providing assured access ...")

    @property
    def kind(self) -> str:
        return self.passage.kind


#: Fewer words than this is no sentence to quote: a run-in heading or a fragment.
_SHORTEST_ANSWER = 3


def candidates(passages: Sequence[Passage]) -> list[Candidate]:
    """Sentences of each passage, with absolute spans into the document text."""
    out = []
    for passage in passages:
        if passage.kind in METADATA_KINDS or passage.kind == "caption":
            out.append(Candidate(passage, passage.start, passage.end, passage.text))
            continue
        spans = sentence_spans(passage.text)
        first = passage.text[spans[0][0]:spans[0][1]] if spans else ""
        lead_in = first if len(first.split()) < _SHORTEST_ANSWER else ""
        for i, (s, e) in enumerate(spans):
            if len(passage.text[s:e].split()) < _SHORTEST_ANSWER:
                continue  # a run-in heading ("AUKUS. AUKUS Pillar 1 would ..."), no statement to quote
            out.append(Candidate(passage, passage.start + s, passage.start + e, passage.text[s:e], index=i,
                                 lead_in=lead_in))
    return out


def scoring_text(c: Candidate) -> str:
    if c.kind == "caption":
        return f"Image caption or credit (photo, map, picture credited to): {c.text}"
    if c.kind in METADATA_KINDS:
        p = c.passage
        return statement(c.kind, c.text, p.author, p.date, p.publisher, p.title)
    return c.text


#: Where a long sentence divides into clauses: semicolons, colons, dashes, brackets, and a comma
#: before a conjunction or a list's opener.
_CLAUSE_BREAK = re.compile(r"[;:—–()]|,\s+(?=(?:and|but|while|whereas|which|including|such\s+as)\b)")


def clause_texts(c: Candidate) -> list[str]:
    """The clauses a sentence divides into, of three words or more each; none for a metadata
    line, a caption or a sentence that does not divide. Embedded beside the sentences at ingest."""
    if c.kind in METADATA_KINDS or c.kind == "caption":
        return []
    parts = [p.strip(" ,") for p in _CLAUSE_BREAK.split(c.text)]
    parts = [p for p in parts if len(p.split()) >= 3]
    return parts if len(parts) > 1 else []


def not_covered(state: QuestionState, backend: str) -> Answer:
    """The abstention: nothing cited, the closest passages still shown."""
    return Answer(
        question=state.question, standalone_question=state.standalone,
        text=NOT_COVERED if state.passages else NO_MATCH, passages=list(state.passages),
        abstained=True, backend=backend,
    )


@dataclass(frozen=True)
class QuestionCues:
    """What a question asks for, beyond its words: the answer type and the names it depends on.

    ``names`` holds, for each name the question mentions that is distinctive in this corpus,
    its distinctive words: a passage that mentions none of them cannot answer a question about
    that name, however close its wording; ``weights`` says how much of the question each name
    carries. ``unknown`` holds the words of each name that occur nowhere in the corpus, in no
    related form ("What did <a person the corpus never mentions> say about the pact?"): unless a
    passage shown says them after all (an index still catching up), the question is declined,
    however well its other words match.
    """

    kind: AnswerType | None = None
    names: tuple[tuple[str, ...], ...] = ()
    unknown: tuple[tuple[str, ...], ...] = ()
    mentioned: tuple[str, ...] = ()  # every name of the question, for preferring sentences that name it
    weights: tuple[float, ...] = ()  # each name's share of the question's total word weight (IDF)
    about_source: bool = False  # asks who wrote a document, when, or its title: metadata lines answer
    required: tuple[int, ...] = ()  # indices of ``names`` the answer cannot do without (speaker, year, code)
    codes: tuple[int, ...] = ()  # the required years and codes: "FY2026 or 2025?" quotes a sentence for each
    scoped: bool = False  # retrieval was limited to named or chosen documents: their own lines answer about them
    numbered: tuple[tuple[str, str], ...] = ()  # numbered names asked about, folded: ("pillar", "2")
    years: tuple[str, ...] = ()  # the years asked about, as written: "FY2026", "2025"
    every_work: bool = False  # "Who wrote this article?" with no document named or chosen: each one's line


#: Which answer types a metadata line can carry (its text is a title, a name, a date line).
_METADATA_TYPES: dict[str, dict[str, int]] = {
    "title": {"name": 2},
    "byline": {"agent": 2, "person": 2},
    "dateline": {"date": 2},
    "identifier": {"number": 2},
    "field": {"name": 1, "number": 1},
    "publisher": {"agent": 2, "name": 1},
    "caption": {"agent": 1, "name": 1},
}


#: Metadata lines that answer only questions about the document itself.
_SOURCE_ONLY = frozenset({"dateline", "identifier", "field"})


class ExtractiveComposer:
    """Picks verbatim sentences that answer the question; no LLM required.

    The choice is made in three steps, each independent of how many passages are indexed:

    1. **support**: the distinctive names of the question must occur in the passage a
       sentence comes from (or, for a question naming several things, in the passages of the
       chosen sentences together); otherwise the corpus does not answer it. The speaker of a
       "What did X say ...?" question and the years and codes a question names are always
       required, however common they are in the corpus: someone else's words, or another year,
       do not answer it;
    2. **answer type**: a question that asks for a person, date, number, name or place
       prefers sentences that carry one (:mod:`assistant.question_types`), and when the best
       sentence lacks it, its neighbour in the same passage that has it is quoted first;
       a question asking for a date, number, duration, age or amount of money is declined
       when the answering sentence holds none; a question about a document itself ("Who wrote ...?") is answered
       from that document's metadata line (its byline), not from the title it resembles;
    3. **relative score**: the best sentence answers when it reaches ``abstain_threshold``, or
       when it stands out from the question's own background (the median score of all the
       sentences shown for it) by ``relative_threshold``, never below ``score_floor``. A
       question with few content words ("What is the name of the song?") scores low against
       every sentence, so it is compared with its own background rather than with a level
       set on other questions and other corpus sizes.

    Up to ``max_sentences`` sentences are quoted: those nearly as good as the best, then, for a
    question in several parts, a sentence that covers question words the chosen ones lack and
    stands above the question's background in its own right.
    """

    name = "extractive"

    def __init__(
        self,
        embedder: QueryEmbedder,
        abstain_threshold: float,
        max_sentences: int = 3,
        coverage_weight: float = 0.35,
        margin: float = 0.12,
        duplicate_overlap: float = 0.6,
        relative_threshold: float = 0.2,
        type_window: float = 0.1,
        entity_weight: float = 0.08,
        neighbour_window: int = 2,
        name_distinctiveness: float = 0.5,
        require_answer_type: bool = True,
        score_floor: float = 0.35,
        name_support: float = 0.45,
        predicate_weight: float = 0.35,
        neighbour_strength: int = 2,
        minor_name_share: float = 0.1,
        section_weight: float = 0.1,
        clause_penalty: float | None = 0.1,
        footnote_penalty: float = 0.1,
        polar_paraphrase: float = 0.3,
        typed_answers: Sequence[str] = ("date", "number", "duration", "age", "money", "name", "person", "city",
                                        "company"),
    ) -> None:
        self.embedder = embedder
        self.abstain_threshold = abstain_threshold
        self.max_sentences = max_sentences
        self.coverage_weight = coverage_weight
        self.margin = margin
        self.duplicate_overlap = duplicate_overlap
        self.relative_threshold = relative_threshold
        self.type_window = type_window
        self.entity_weight = entity_weight
        self.neighbour_window = neighbour_window
        self.name_distinctiveness = name_distinctiveness
        self.require_answer_type = require_answer_type
        self.score_floor = score_floor
        self.name_support = name_support
        self.predicate_weight = predicate_weight
        self.neighbour_strength = neighbour_strength
        self.minor_name_share = minor_name_share
        self.section_weight = section_weight
        self.clause_penalty = clause_penalty
        self.footnote_penalty = footnote_penalty
        self.polar_paraphrase = polar_paraphrase
        self.typed_answers = tuple(typed_answers)

    @classmethod
    def from_settings(cls, embedder: QueryEmbedder, settings: Settings) -> ExtractiveComposer:
        """The composer with every knob taken from ``settings`` (see the README's table)."""
        return cls(
            embedder, settings.abstain_threshold, settings.max_answer_sentences,
            coverage_weight=settings.coverage_weight, margin=settings.answer_margin,
            duplicate_overlap=settings.duplicate_sentence_overlap,
            relative_threshold=settings.relative_abstain_threshold, type_window=settings.answer_type_window,
            entity_weight=settings.entity_weight,
            neighbour_window=settings.neighbour_window, name_distinctiveness=settings.name_distinctiveness,
            require_answer_type=settings.require_answer_type, score_floor=settings.answer_score_floor,
            name_support=settings.name_support, predicate_weight=settings.predicate_weight,
            neighbour_strength=settings.neighbour_strength, typed_answers=settings.typed_answers,
            minor_name_share=settings.minor_name_share, section_weight=settings.section_weight,
            clause_penalty=settings.clause_penalty, footnote_penalty=settings.footnote_penalty,
            polar_paraphrase=settings.polar_paraphrase,
        )

    def score(self, question: str, cands: list[Candidate], idf: TermWeight | None = None) -> None:
        """Set each candidate's score: similarity to ``question`` plus weighted word coverage.

        ``question`` is the standalone question, already spelling-corrected by the pipeline.
        """
        if not cands:
            return
        q_vec = np.asarray(self.embedder.embed_query(question))
        s_vecs = np.asarray(self.embedder.embed_queries([scoring_text(c) for c in cands]))
        cosines = s_vecs @ q_vec
        if self.clause_penalty is not None:
            # a long sentence is judged by its best clause too ("..., a show of hunting dogs, and folk
            # concerts."): its other clauses no longer dilute the one that answers
            owners, texts = [], []
            for n, c in enumerate(cands):
                for clause in clause_texts(c):
                    owners.append(n)
                    texts.append(clause)
            if texts:
                best = cosines.copy()
                for n, cosine in zip(owners, np.asarray(self.embedder.embed_queries(texts)) @ q_vec, strict=True):
                    best[n] = max(best[n], float(cosine) - self.clause_penalty)
                cosines = best
        q_tokens = list(dict.fromkeys(stem_all(content_words(question))))
        weights = {t: (idf(t) if idf else 1.0) for t in q_tokens}
        total = sum(weights.values())
        phrases = _spelled_out(question)
        named = set(stem_all([w for n in question_names(question) for w in content_words(n)]))
        asked = {t: w for t, w in weights.items() if t not in named}
        sec_tokens: dict[str, set[str]] = {}
        for c, d in zip(cands, cosines, strict=True):
            s_tokens = _covered_tokens(scoring_text(c), phrases)
            covered = sum(w for t, w in weights.items() if t in s_tokens)
            if self.section_weight and c.kind not in METADATA_KINDS and c.passage.section:
                # "Why the Space Force Was Created" says what the sentences under it answer
                section = c.passage.section
                if section not in sec_tokens:
                    sec_tokens[section] = _covered_tokens(section, phrases)
                c.section_bonus = self.section_weight * sum(
                    w for t, w in weights.items() if t not in s_tokens and t in sec_tokens[section]) / (total or 1.0)
            c.similarity = float(d)
            c.coverage = covered / total if total else 0.0
            c.predicate = sum(w for t, w in asked.items() if t in s_tokens) / (sum(asked.values()) or 1.0)
            c.tokens = frozenset(t for t in weights if t in s_tokens)
            c.score = c.similarity + self.coverage_weight * c.coverage
            if c.kind == "footnote":  # a note answers when the body text does not
                c.score -= self.footnote_penalty

    # -- what the question needs ------------------------------------------------------------
    def cues(self, state: QuestionState, idf: TermWeight | None) -> QuestionCues:
        """Answer type of the standalone question; distinctive names of the standalone question
        and of the question as asked (a word the speller changed counts in its corrected form)."""
        kind = expected_type(state.standalone)
        mentioned = tuple(dict.fromkeys(question_names(state.standalone)))
        if asks_about_the_source(state.standalone):
            if kind in (None, "name") and ASKS_AUTHOR.search(state.standalone):
                # "What is the job title of the author of ...?", "Name the author of ...": the author line says it
                kind = "agent"
            elif kind is None and DOCUMENT_NUMBER_ASKED.search(state.standalone):
                kind = "number"  # "What's the report number of ...?": the identifier line says it
            elif kind is None and ASKS_TITLE.search(state.standalone):
                kind = "name"  # "What headline did she give her piece?": the title line says it
            scoped = bool(state.filters and state.filters.documents)
            every_work = not scoped and asks_about_an_unnamed_source(state.standalone)
            return QuestionCues(kind, mentioned=mentioned, about_source=True, scoped=scoped, every_work=every_work)
        if idf is None:
            return QuestionCues(kind, mentioned=mentioned)
        unseen = idf("\x00") or 1.0  # the weight of a word no passage contains

        def rarity(token: str) -> float:
            return idf(stem_all([token])[0]) / unseen

        corrected = set(words(state.standalone))
        names: list[tuple[str, ...]] = []
        weights: list[float] = []
        unknown: list[tuple[str, ...]] = []
        total = sum(idf(t) for t in dict.fromkeys(stem_all(content_words(state.standalone)))) or 1.0
        for name in dict.fromkeys(question_names(state.standalone) + question_names(state.question)):
            tokens = [t for t in content_words(name) if len(t) >= 3 and t in corrected]
            rarest = max((rarity(t) for t in tokens), default=0.0)
            # a name is known by its rarest word: "Vandenberg" in "Vandenberg Space Force Base"
            distinct = tuple(t for t in tokens if rarity(t) >= max(self.name_distinctiveness, rarest - 0.05))
            if distinct:  # known by its rarest words, or by its initials ("United States" as "U.S.")
                keys = tuple(dict.fromkeys(distinct + tuple(k for k in _name_keys(name) if k not in tokens)))
                if keys not in names:
                    names.append(keys)
                    weights.append(sum(idf(t) for t in dict.fromkeys(stem_all(list(tokens)))) / total)
            # an ordinary name (not an acronym, which may be spelt out) the corpus never uses: in
            # any of its parts ("Lisbon and <a name the corpus uses>" is not), nor as its country
            # for a capital, nor in a related form ("Andorran" for "Andorra", "North" in "Northern")
            unknown += [
                tuple(tokens) for part in _CONJUNCTS.split(name)
                if not part.isupper() and (tokens := [t for t in content_words(part) if len(t) >= 3 and t in corrected])
                and all(rarity(t) >= 0.999 and not any(rarity(r) < 0.999 for r in _related_forms(t)) for t in tokens)
                and not ((country := country_of_capital(part)) and any(rarity(t) < 0.999 for t in content_words(country)))]
        required: list[int] = []
        codes: list[int] = []
        for name in pinned_names(state.standalone):
            keys = _name_keys(name)
            at = next((i for i, n in enumerate(names) if keys & set(n)), None)
            if at is None and keys:  # the speaker, a year or a code, however common in the corpus
                names.append(tuple(sorted(keys)))
                weights.append(0.0)
                at = len(names) - 1
            if at is not None:
                required.append(at)
                if any(ch.isdigit() for ch in name):
                    codes.append(at)
        numbered = tuple((m.group(1).casefold(), m.group(2).casefold()) for name in pinned_names(state.standalone)
                         if (m := NUMBERED_NAME.fullmatch(name)))
        # the years the user wrote: a year a follow-up's rewriting brought in may name the wrong thing
        years = tuple(name for name in pinned_names(state.question) if _YEAR.fullmatch(name))
        return QuestionCues(kind, tuple(names), tuple(dict.fromkeys(unknown)), mentioned, tuple(weights), required=tuple(required),
                            codes=tuple(codes), numbered=numbered, years=years)

    def _strength(self, c: Candidate, cues: QuestionCues, question: str) -> int:
        if cues.kind is None:
            return 1
        if c.kind in _METADATA_TYPES:
            if cues.kind in ("date", "number"):  # a metadata line carries a date only if it shows one
                return type_strength(c.text, cues.kind, question)
            return _METADATA_TYPES[c.kind].get(cues.kind, 0)
        return type_strength(c.text, cues.kind, question, c.passage.text)

    # -- choosing ---------------------------------------------------------------------------
    def select(self, cands: list[Candidate], cues: QuestionCues = QuestionCues(), question: str = "") -> list[Candidate]:
        """The sentences to answer with; empty means abstain."""
        if cues.numbered:  # a sentence about "Pillar 1" does not answer a question about "Pillar 2"
            cands = [c for c in cands if not _other_numbered(c.text, cues.numbered)]
        if cues.years:  # nor one giving FY2027's figures (or from a passage about FY2027) a question about FY2026
            cands = [c for c in cands if not _other_year(
                c.text if _YEAR_IN_TEXT.search(c.text) else c.passage.text, cues.years)]
        if not cues.about_source:  # "Updated April 10, 2026." says when the document changed, not what it reports
            cands = [c for c in cands if c.kind not in _SOURCE_ONLY]
        if not cands:
            return []
        if cues.unknown:  # about something the corpus never names (unless a passage shown does)
            said = set().union(*(_present(text) for text in {c.passage.text for c in cands}))
            if any(not any(_alike(t, w) for t in tokens for w in said) for tokens in cues.unknown):
                return []
        for c in cands:
            c.strength = self._strength(c, cues, question)
        background = float(np.median([c.score for c in cands]))
        support = {id(c): _supported(cues.names, c.passage) for c in cands}

        def lacking(c: Candidate) -> float:  # the share of the question carried by names c's passage lacks
            return sum(w for i, w in enumerate(cues.weights) if i not in support[id(c)])

        # passages naming what the question names, or lacking only a minor name of it ("American"
        # for a text that says "U.S."); never lacking a required one
        full = [c for c in cands if set(cues.required) <= support[id(c)] and (
                len(support[id(c)]) == len(cues.names) or lacking(c) < self.minor_name_share)]
        keys = [_name_keys(n) for n in cues.mentioned]
        for c in cands:  # sentences that name what the question names come first, other things equal
            c.rank = c.score + self.predicate_weight * c.predicate + c.section_bonus
            if keys:
                c.rank += self.entity_weight * sum(_mentions(c, k) for k in keys) / len(keys)

        def weak(c: Candidate) -> bool:  # neither good in itself nor clearly above the question's background
            return c.score < self.score_floor or (
                c.score < self.abstain_threshold and c.score - background < self.relative_threshold)

        # Passages naming what the question names are preferred; when none of their sentences
        # answers, a sentence from another passage may, and the name check below still decides
        # whether the names the answer lacks carry too much of the question. Whether to answer
        # depends on the best score; which sentence leads, on the rank (the score plus the
        # bonuses for naming the question's names and holding its other words).
        ranked = sorted(full or [c for c in cands if support[id(c)]] or cands, key=lambda c: -c.rank)
        if weak(max(ranked, key=lambda c: c.score)):
            # a sentence from elsewhere may answer when it is good in itself (not merely above
            # the background) and lacks only minor names (half the usual allowance)
            ranked = [c for c in sorted(cands, key=lambda c: -c.rank) if lacking(c) < self.name_support / 2
                      and c.score >= self.abstain_threshold + self.margin] or ranked
        if cues.names:  # the best sentence that itself names what the question is about (or refers back) leads
            saying = next((c for c in ranked if self._says_names(c, cues)), None)
            if saying is not None and saying is not ranked[0]:
                ranked = [saying] + [c for c in ranked if c is not saying]
        if quoted := [_plain(q) for q in quoted_phrases(question)]:
            # "What does the 'to space' function cover?": the sentence under the run-in heading the
            # question quotes leads, else the best sentence that says the quoted words
            said = [c for c in ranked if c.strength and _quotes(c, quoted)]
            best = max(said, key=lambda c: _quotes(c, quoted), default=None)  # the first of the best kind
            if best is not None and best is not ranked[0]:
                ranked = [best] + [c for c in ranked if c is not best]
        head = ranked[0]
        top = max(ranked, key=lambda c: c.score)
        wanted = next((kind for kind, asks in _SOURCE_LINE_ASKS if asks.search(question)), None)
        # lines that say the asked-for thing; who published a document is not who wrote it
        lines = [c for c in ranked if c.kind in _METADATA_TYPES and c.strength >= 2
                 and not (wanted == "byline" and c.kind == "publisher")]
        # a question about a document named or chosen (or the only one the passages come from)
        # is answered by its own lines
        one_work = cues.scoped or len({c.passage.title for c in cands}) == 1
        if cues.about_source and (field := self._named_field(cands, question)) is not None:
            return [field]  # "Which version of IF12610 is this?": the header line the question names
        if cues.about_source and source_kinds(question) == ("field",):
            return []  # asks for a header field no shown line gives (a PDF has no "Version:" line)
        if weak(top) and not (cues.about_source and (one_work or cues.every_work) and cues.kind and lines):
            return []
        if cues.every_work and cues.kind and len({c.passage.title for c in lines}) > 1:
            # "this article" could be any of several documents: each one's line, best first, rather
            # than one document's line presented as the answer
            works: dict[str, Candidate] = {}
            for c in lines:
                if c.passage.title not in works or (c.kind == wanted and works[c.passage.title].kind != wanted):
                    works[c.passage.title] = c
            if any(c.kind == wanted for c in works.values()):  # not a byline for "who published"
                return [c for c in works.values() if c.kind == wanted]
            return list(works.values())
        source_line = False
        if cues.about_source and cues.kind and self._told_in_the_text(ranked, lines):
            # "As of what date does the brief count 60 vessels?" names the document but asks what
            # its text says: a sentence of the text carries the date, its date line barely matches
            cues = replace(cues, about_source=False)
        if cues.about_source and cues.kind:  # "Who wrote ...?": the byline, not the title it resembles
            # the document is the one the best match belongs to, or, when the question names someone
            # or something ("the In Focus by Kelley M. Sayler"), the best one whose passages name it
            whole = [set(content_words(n)) for n in cues.mentioned if len(content_words(n)) >= 2]
            naming = {c.passage.doc_id for c in cands if any(w <= set(words(c.text)) for w in whole)}
            documents = naming or {head.passage.doc_id}
            # a product in two formats (Markdown and PDF) is one work: the same title
            titles = {c.passage.title for c in cands if c.passage.doc_id in documents}
            own = [c for c in lines if c.passage.doc_id in documents or c.passage.title in titles]
            if own or lines:
                pool = own or lines
                # "Which organisation published ...?" asks for the publisher line, "Who wrote ...?"
                # for the byline, "the report number" for the number line, though several lines
                # carry a name or a number
                head, source_line = next((c for c in pool if c.kind == wanted), pool[0]), True
        elif cues.kind:  # a plainer carrier of the asked-for type, nearly as good, answers instead
            near = [c for c in ranked if c.rank >= head.rank - self.type_window]
            head = max(near, key=lambda c: (c.strength, c.rank))
        ranked = [head] + [c for c in ranked if c is not head]
        chosen = [head]
        neighbour = self._typed_neighbour(head, cands, cues) if cues.kind else None
        if neighbour is None and _ANNOUNCES.search(head.text):
            # "... deliver three types of SATCOM." / "... included the following:": what it
            # announces is in the next sentence of its passage
            neighbour = min((c for c in cands if c.passage.number == head.passage.number and c.start >= head.end),
                            key=lambda c: c.start, default=None)
        if neighbour is not None:
            chosen = sorted([head, neighbour], key=lambda c: c.start)
        best = top.score
        if source_line:  # one document's own lines answer a question about that document
            same = [c for c in ranked[1:] if c.passage.doc_id == head.passage.doc_id and c.kind == head.kind
                    and c.strength >= head.strength and c.text != head.text]
            chosen = chosen + same[: self.max_sentences - 1]
            # "When was it updated, and who wrote it?": the same work's line of each other kind asked for
            asked = {kind for kind, asks in (("byline", ASKS_AUTHOR), ("identifier", DOCUMENT_NUMBER_ASKED),
                                             ("dateline", ASKS_DATE)) if asks.search(question)}
            for kind in sorted(asked - {c.kind for c in chosen}):
                other = next((c for c in ranked if c.kind == kind and c.passage.title == head.passage.title), None)
                if other is not None and len(chosen) < self.max_sentences:
                    chosen.append(other)
            return sorted(chosen, key=lambda c: c.start)
        seen_words = [word_bag(c.text) for c in chosen]
        for c in ranked[1:]:
            if len(chosen) >= self.max_sentences or c.score < max(self.abstain_threshold, best - self.margin):
                break
            if self._distinct(c, chosen, seen_words):
                chosen.append(c)
        self._complete(chosen, ranked, seen_words, background)
        covered = set().union(*(support[id(c)] for c in chosen))
        for i in cues.codes:  # a question about two years or codes ("FY2026 or 2025?") quotes a sentence for each
            if i in covered:
                continue
            extra = next((c for c in ranked if i in support[id(c)] and c.score >= self.score_floor
                          and all(c.text != o.text for o in chosen)), None)
            if extra is not None:
                chosen.append(extra)
                covered |= support[id(extra)]
        missing = sum(w for i, w in enumerate(cues.weights) if i not in covered)
        if any(i not in covered for i in cues.required):
            return []  # about someone, some year or some code the cited passages never mention
        if cues.names and missing >= self.name_support:
            # the names the cited passages never mention carry most of what the question asks
            # ("What did <someone the corpus never names> say about the pact?"); a question whose
            # other words are answered keeps a name the text puts differently (a capital's name
            # for its country)
            return []
        lead = 1 if neighbour is None else 2
        if cues.names and not any(c.kind in _METADATA_TYPES or self._says_names(c, cues) for c in chosen[:lead]):
            # the answering sentence itself names what the question is about, or refers back to
            # it ("It is ...", "The service ..."); a sentence about something else that merely
            # shares a passage with the name ("The Space Force Headquarters are at ..." beside a
            # mention of another command) does not answer where that other command is
            return []
        if self.require_answer_type and cues.kind in self.typed_answers and not any(
                c.strength for c in chosen[:lead]):
            return []  # asked for a date, a number or a name; the answering sentence holds none
        if (pair := related_pair(question)) and all(
                len(_supported([tuple(_name_keys(n)) for n in pair], c.passage, c.text)) == 1 for c in chosen[:lead]):
            return []  # "trade between Australia and China"; the sentence gives Australia's trade with the U.S.
        if all(misses_the_first(c.text, question) for c in chosen[:lead]):
            return []  # "Who was the first chief?"; the sentence names the current one
        if (noun := counted_noun(question)) and all(gives_count(c.text, noun, part_of(question)) is False for c in chosen[:lead]):
            return []  # "How many crew members were killed?"; the sentence says "several crew members"
        if is_polar(question) and not any(c.kind in _METADATA_TYPES  # "Was it published in July 2024?": its date line
                                          or takes_a_position(c.text, question, self.polar_paraphrase) for c in chosen[:lead]):
            # "Has China lifted the restrictions?"; the sentence says only that it imposed them. The
            # next sentences of its passage may say no ("... this update, which has not been
            # published to date."): the best that does, good in itself, answers instead
            head = next((c for c in ranked if c.passage is head.passage and c.index > head.index
                         and c.score >= self.abstain_threshold and says_no(c.text)), None)
            if head is None:
                return []
            chosen, lead = [head] + [c for c in chosen if c is not head], 1
        if names_it_only_vaguely(head.text, question):
            return []  # "Which company holds the lease?"; the best sentence says "a company" holds it
        if not any(numbers_the_part(c.text, question) for c in chosen[:lead]):
            return []  # "Which article of the agreement holds the clause?"; the sentence numbers none
        if asks_for_the_top(question) and not any(ranks(c.text) for c in chosen[:lead]):
            return []  # "Which port takes in the most containers?"; the sentence ranks nothing
        if (options := compared_options(question)) and not any(ranks_options(c.text, options) for c in chosen):
            return []  # "Which supplies more: A or B?"; the sentences name them but compare nothing
        # The direct answer first (with its typed neighbour), then its support in reading order.
        head_part, rest = chosen[:lead], sorted(chosen[lead:], key=lambda c: (c.passage.doc_id, c.start))
        return head_part + rest

    @staticmethod
    def _named_field(cands: list[Candidate], question: str) -> Candidate | None:
        """The header field line whose key the question names ("version" for "Version: 6",
        "kind of product" for "Product Type: ..."), of the document whose title the question
        shares most words with; None when the question names no field's key."""
        asked = set(stem_all(content_words(question)))
        scored = []
        for c in cands:
            if c.kind != "field":
                continue
            key = set(stem_all(content_words(c.text.partition(":")[0]))) | (
                {"kind", "sort"} if "type" in c.text.partition(":")[0].casefold() else set())
            if shared := len(key & asked):
                scored.append((shared, len(set(stem_all(content_words(c.passage.title))) & asked), c.score, c))
        return max(scored, key=lambda t: t[:3])[3] if scored else None

    def _told_in_the_text(self, ranked: list[Candidate], lines: list[Candidate]) -> bool:
        """True when a sentence of the text plainly carries the asked-for type and answers well
        in itself, while no metadata line reaches ``score_floor``."""
        body = max((c for c in ranked if c.kind not in _METADATA_TYPES), key=lambda c: c.score, default=None)
        return (body is not None and body.strength >= 2 and body.score >= self.abstain_threshold
                and all(c.score < self.score_floor for c in lines))

    def _says_names(self, c: Candidate, cues: QuestionCues) -> bool:
        """True when sentence ``c`` itself names enough of what the question names (all but less
        than ``name_support`` of its weight), or opens by referring back to it."""
        said = _supported(cues.names, c.passage, c.text)
        unsaid = sum(w for i, w in enumerate(cues.weights) if i not in said)
        return unsaid < self.name_support or bool(_ANAPHOR.match(c.text))

    def _complete(self, chosen: list[Candidate], ranked: list[Candidate], seen_words: list[frozenset[str]],
                  background: float) -> None:
        """A question in several parts ("both X and Y", "A: the B and the C") gets a sentence for a
        part the chosen ones leave out: one that covers question words they lack, and answers in
        its own right."""
        have = set().union(*(c.tokens for c in chosen))
        for c in ranked[1:]:
            if len(chosen) >= self.max_sentences:
                break
            # above the background, or good in itself (when every candidate is on topic the
            # background is high: "the act's total" and "its figure for personnel" both are)
            good = min(background + self.relative_threshold, self.abstain_threshold + self.margin)
            if c in chosen or c.score < max(self.score_floor, good):
                continue
            if c.tokens - have and self._distinct(c, chosen, seen_words):
                chosen.append(c)
                have |= c.tokens

    def _distinct(self, c: Candidate, chosen: list[Candidate], seen_words: list[frozenset[str]]) -> bool:
        """True (and its words noted in ``seen_words``) when ``c`` neither repeats a chosen
        sentence's words nor overlaps one's span."""
        bag = word_bag(c.text)
        if any(jaccard(bag, other) > self.duplicate_overlap for other in seen_words):
            return False
        if _overlaps(c, chosen):
            return False
        seen_words.append(bag)
        return True

    def _typed_neighbour(self, head: Candidate, cands: list[Candidate], cues: QuestionCues) -> Candidate | None:
        """The sentence next to ``head`` in its passage that carries the answer type it lacks."""
        if head.strength >= 2 or head.kind in _METADATA_TYPES:
            return None
        near = [
            c for c in cands
            if c.passage.number == head.passage.number and c is not head
            and 0 < abs(c.index - head.index) <= self.neighbour_window and c.strength > head.strength
            and c.strength >= self.neighbour_strength
        ]
        if not near:
            return None
        return max(near, key=lambda c: (c.strength, -abs(c.index - head.index), c.score))

    def answerable(self, state: QuestionState, idf: TermWeight | None) -> tuple[list[Candidate], list[Candidate]]:
        """All scored candidates and the chosen ones (none: the corpus does not answer it)."""
        cands = candidates(state.passages)
        self.score(state.standalone, cands, idf)
        chosen = self.select(cands, self.cues(state, idf), state.standalone)
        parts = question_parts(state.standalone)
        if len(parts) < 2:
            return cands, chosen
        # "How long is X, and how many Y?": each question is also answered on its own, so the
        # second part's sentence is not judged against the first part's words
        leads = []
        for part in parts:
            sub = replace(state, question=part, standalone=part)
            part_cands = candidates(state.passages)
            self.score(part, part_cands, idf)
            got = self.select(part_cands, self.cues(sub, idf), part)
            if not got:
                if not chosen:
                    return cands, []  # a part the corpus does not answer, and the whole is not answered
                continue
            leads.append(got[0])
        merged: list[Candidate] = []
        for c in chosen[:1] + leads + chosen[1:]:  # the whole question's lead, each part's, the rest
            if not _overlaps(c, merged):
                merged.append(c)
        return cands, merged[: max(self.max_sentences, len(parts))]

    def compose(self, state: QuestionState, idf: TermWeight | None = None) -> Answer:
        _, chosen = self.answerable(state, idf)
        if not chosen:
            return not_covered(state, self.name)
        text = " ".join(f"{answer_sentence(c)} [{c.passage.number}]" for c in chosen)
        return Answer(
            question=state.question, standalone_question=state.standalone, text=text,
            citations=[citation_for(c) for c in chosen], passages=list(state.passages), backend=self.name,
        )


#: Where a question in several parts starts its next question: ", and how many ...", "; when ...".
_NEXT_QUESTION = re.compile(r"\s*(?:[,;]\s*(?:and|but)?|\s+and)\s+(?=(?:what|which|who|whom|whose|when|where|why|how)\b)", re.I)


#: A phrase set in front of a question ("In its 2027 request, how much ...", "According to the
#: brief, what ..."): a preposition opening a piece that asks nothing itself.
_FRONTED = re.compile(
    r"\s*(?:in|for|at|on|of|by|from|under|since|after|before|during|among|besides|beyond|apart\s+from|"
    r"according\s+to|as\s+of|as\s+for|with|without|within|across|throughout|unlike|like|compared\s+(?:to|with))\b",
    re.I,
)


def question_parts(question: str) -> list[str]:
    """The questions a question joins ("How long is the ceasefire, and how many ships wait?" ->
    "How long is the ceasefire?", "How many ships wait?"); one part when it joins none, or when a
    part would be too short to stand alone ("who and why?")."""
    pieces = [p.strip(" ,;?") for p in _NEXT_QUESTION.split(question)]
    if len(pieces) < 2 or any(len(content_words(p)) < 2 for p in pieces):
        return [question]
    if _FRONTED.match(pieces[0]) and not WH_WORD.search(pieces[0]):
        return [question]  # "In its FY2027 request, how much ...?": a phrase set before one question
    return [p[:1].upper() + p[1:] + "?" for p in pieces]


def _spelled_out(question: str) -> list[tuple[str, frozenset[str]]]:
    """The question's phrases a text may abbreviate, as (initials, stemmed words): its
    capitalised phrases ("Combat Forces Command" is ("cfc", {combat, forc, command})) and runs
    of three or more of its content words, as a question spells out an acronym in lower case
    ("research, development, test, and evaluation" for "RDT&E"; two words only for an acronym
    written with "&", such as "O&M")."""
    phrases = [(initials, frozenset(stem_all(content_words(name))))
               for name in question_names(question) if (initials := _initials(name))]
    run = content_words(question)
    phrases += [("".join(w[0] for w in run[i:j]) + ("&" if j - i == 2 else ""), frozenset(stem_all(run[i:j])))
                for i in range(len(run)) for j in range(i + 2, min(len(run), i + _LONGEST_ACRONYM) + 1)]
    return phrases


def _covered_tokens(text: str, phrases: Sequence[tuple[str, frozenset[str]]]) -> set[str]:
    """Stemmed words of ``text``, plus a question phrase's words when ``text`` has its acronym
    ("CFC is based at ..." covers "Combat Forces Command"), plus the acronyms of ``text``'s own
    phrases ("Combat Forces Command" covers a question's "CFC")."""
    tokens = set(stem_all(content_words(text)))
    if not phrases and not any(ch.isupper() for ch in text[1:]):
        return tokens
    acronyms = [m.group(1) for m in _ACRONYM.finditer(text)]
    present = _present(text) | {a.replace("&", "").casefold() for a in acronyms}
    # a two-letter acronym is matched only when written with "&" ("O&M" for "operations and
    # maintenance"); two initials alone match too many word pairs
    present |= {a.replace("&", "").casefold() + "&" for a in acronyms if "&" in a}
    tokens |= present - set(words(text))
    for initials, phrase_tokens in phrases:
        if initials in present:
            tokens |= phrase_tokens
    return tokens


def _supported(names: Sequence[tuple[str, ...]], passage: Passage, sentence: str | None = None) -> set[int]:
    """The indices of ``names`` that ``passage`` (text, title, section, author, publisher, file
    name) mentions: any of a name's keys, a word sharing its first letters ("Russia" in
    "Russian"), or the initials of a capitalised phrase for an acronym. With ``sentence``, only
    what that sentence itself says."""
    if not names:
        return set()
    text = sentence if sentence is not None else " ".join(filter(None, [
        passage.text, passage.title, passage.section, passage.author or "", passage.publisher or "",
        PurePath(passage.doc_id).stem, passage.date or ""]))
    present = _present(text)
    found = set()
    for i, tokens in enumerate(names):
        for token in tokens:
            if token in present or any(
                len(token) >= 4 and len(w) >= 4 and abs(len(w) - len(token)) <= 3
                and (w.startswith(token) or token.startswith(w) or _demonym_of(token, w))
                for w in present
            ):
                found.add(i)
                break
    return found


def _overlaps(c: Candidate, others: Sequence[Candidate]) -> bool:
    """True when ``c``'s span overlaps one of ``others`` in the same document."""
    return any(c.start < o.end and o.start < c.end and c.passage.doc_id == o.passage.doc_id for o in others)


def _other_numbered(text: str, asked: Sequence[tuple[str, str]]) -> bool:
    """True when ``text`` names another of a numbered kind the question asks about ("Pillar 1"
    for "Pillar 2") and not the one asked."""
    found = {(m.group(1).casefold(), m.group(2).casefold()) for m in NUMBERED_NAME.finditer(text)}
    return any(word == w and number != n for w, n in found for word, number in asked) and not any(
        a in found for a in asked)


#: A year as a question pins it: "2025", or a fiscal year "FY2026".
_YEAR = re.compile(r"(?i:FY)?(?:19|20)\d\d")
#: A year in a text, fiscal ("FY2026", "FY 2026") or not ("2025", "the request for 2027").
_YEAR_IN_TEXT = re.compile(r"\b(?:(?i:FY)\s?)?((?:19|20)\d\d)\b")


def _other_year(text: str, asked: Sequence[str]) -> bool:
    """True when ``text`` names years but none of the years asked: "the FY2027 request" for
    "How much in FY2026?", "in 2023" for "in 2024"."""
    found = {m.group(1) for m in _YEAR_IN_TEXT.finditer(text)}
    return bool(found) and not found & {a[-4:] for a in asked}


def _present(text: str) -> set[str]:
    """Words of ``text``, its initialisms without dots ("U.S." -> "us") and the initials of its
    capitalised phrases ("Government Accountability Office" -> "gao")."""
    present = set(words(text))
    present |= {m.group(0).replace(".", "").casefold() for m in re.finditer(r"\b(?:[A-Z]\.){2,}", text)}
    for m in _PHRASE.finditer(text):  # "Though South Korea ...": "sk" too, not only "tsk"
        initials = "".join(w[0] for w in m.group(0).split() if w[0].isupper()).casefold()
        present |= {initials[i:] for i in range(len(initials) - 1)}
    present |= {f"{m.group(1)} {m.group(2)}".casefold() for m in NUMBERED_NAME.finditer(text)}  # "pillar 2"
    return present


def _demonym_of(one: str, other: str) -> bool:
    """ "Ukraine" and "Ukrainian": the shorter word, less its last letter, starts the longer (five
    letters at least, so "Iran" and "Iraq" stay apart)."""
    short, long = sorted((one, other), key=len)
    return len(short) >= 5 and short.isalpha() and long.isalpha() and long.startswith(short[:-1])


def _name_keys(name: str) -> frozenset[str]:
    """Ways a text may mention ``name``: its words, its initials ("United States" -> "us"),
    an initialism without its dots ("U.S." -> "us")."""
    if (numbered := NUMBERED_NAME.fullmatch(name.strip())) and name in pinned_names(name):  # "Pillar 2" is not any pillar
        return frozenset({f"{numbered.group(1)} {numbered.group(2)}".casefold()})
    keys = {t for t in content_words(name) if len(t) >= 3}
    if initials := _initials(name):
        keys.add(initials)
    collapsed = name.replace(".", "").strip()
    if collapsed.isupper() and 1 < len(collapsed) <= 6:
        keys.add(collapsed.casefold())
    # a capital for its country, its name or its initials ("us"); each capital of "Lisbon and Madrid" too
    for part in _CONJUNCTS.split(name):
        if country := country_of_capital(part):
            keys.add(_initials(country) or country.casefold())
    return frozenset(keys)


#: Where a name of several things divides ("Lisbon and Madrid", "Oslo, Lima & Quito").
_CONJUNCTS = re.compile(r"\s*(?:,|&|\band\b)\s*")


def _alike(word: str, other: str) -> bool:
    """The same word, or two forms of one ("britain" and "british", "senate" and "senator"):
    both of five letters or more, sharing all but the last three letters of the shorter, and at
    least four ("indo" in "Indo-Pacific" is no form of "indonesia")."""
    if word == other:
        return True
    shortest = min(len(word), len(other))
    return shortest >= 5 and len(os.path.commonprefix([word, other])) >= max(4, shortest - 3)


def _related_forms(word: str) -> list[str]:
    """Forms a name's word may take in a text: the place a demonym comes from ("african" ->
    "africa", "iranian" -> "iran", "chinese" -> "china") and the adjective of a place or
    direction ("iran" -> "iranian", "west" -> "western")."""
    roots = [r for r in (word[:-1], word[:-2], word[:-3], word[:-3] + "a") if len(r) >= 4] if len(word) >= 6 else []
    return roots + [word + end for end in ("n", "an", "ian", "ese", "i", "ern")]


def _initials(name: str) -> str | None:
    """The initials of a name of several capitalised words ("United States" -> "us")."""
    parts = [w for w in re.findall(r"[\w’'.-]+", name) if w[:1].isupper()]
    return "".join(w[0] for w in parts).casefold() if len(parts) > 1 else None


def _mentions(c: Candidate, keys: frozenset[str]) -> bool:
    return bool(keys & _present(c.text))


#: A sentence that announces what follows it: "... the following:", "... three types of SATCOM."
_ANNOUNCES = re.compile(
    r":\s*$|\b(?:two|three|four|five|six|seven|several|\d)\s+(?:main\s+|key\s+|broad\s+)?(?:types|kinds|categories|"
    r"ways|forms|parts|areas|pillars|lines\s+of\s+effort|missions|priorities|elements|components|steps|goals|objectives)"
    r"\b(?:\s+of\s+[\w&\-]+)?\s*[.!]?\s*$",
    re.I,
)
#: Which metadata line a question about a document's source asks for, by its wording.
_SOURCE_LINE_ASKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("publisher", re.compile(r"\bpublish(?:ed|es|er|ing)\b|\borgani[sz]ations?\b|\binstitut(?:e|ion)\b|\bthink\s+tank\b", re.I)),
    ("byline", ASKS_AUTHOR),
    ("identifier", DOCUMENT_NUMBER_ASKED),
    ("title", ASKS_TITLE),
)
#: A sentence opening that refers back to something named before it: a pronoun, a demonstrative,
#: or a definite description in lower case ("The service ...", "These ships ...").
_ANAPHOR = re.compile(r"\s*(?:(?i:it|its|they|their|them|this|these|that|those|he|she|his|her|such|both)\b|(?i:the)\s+[a-z]+\b)")
#: An acronym in a text, "&" and a plural "s" aside ("RDT&E", "O&M", "SSNs").
_ACRONYM = re.compile(r"\b([A-Z][A-Z&]*[A-Z])s?\b")
#: The most words a spelled-out acronym is looked for in.
_LONGEST_ACRONYM = 6
#: A capitalised phrase whose initials may be an acronym ("Government Accountability Office").
_PHRASE = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:(?:of|for|and|the|on)\s+)?[A-Z][a-z]+)+")


def _quotes(c: Candidate, quoted: Sequence[str]) -> int:
    """2 when ``c``'s passage opens with a run-in heading the question quotes ("To space." for
    'to space'), 1 when the sentence says a quoted phrase word for word, else 0."""
    if c.lead_in and _plain(c.lead_in) in quoted:
        return 2
    text = f" {_plain(c.text)} "
    return 1 if any(f" {q} " in text for q in quoted if q) else 0


def _plain(text: str) -> str:
    """Words only, folded: "To space." and 'to space' are the same heading."""
    return " ".join(words(text))


def answer_sentence(c: Candidate) -> str:
    """Verbatim sentence; metadata lines and captions are phrased around their exact text."""
    if c.kind in METADATA_KINDS or c.kind == "caption":
        return shown_sentence(c.kind, c.text, c.passage.date)
    return c.text


def citation_for(c: Candidate) -> Citation:
    return c.passage.cite(c.start, c.end, c.score)


def stream_text(text: str, piece_words: int = 3) -> Iterator[str]:
    """Yield an answer a few words at a time (what a UI shows while it is being written)."""
    tokens = re.split(r"(\s+)", text)
    buf: list[str] = []
    count = 0
    for tok in tokens:
        buf.append(tok)
        if tok.strip():
            count += 1
            if count % piece_words == 0:
                yield "".join(buf)
                buf = []
    if buf:
        yield "".join(buf)
