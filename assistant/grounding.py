"""Keep only what the cited passages support: the validate step for generated answers.

A language model writes prose; a reader must be able to trust every sentence of it. So a
generated answer is checked sentence by sentence before anything is shown:

- a sentence must carry at least one ``[n]`` marker that points at a shown passage;
- each marker must *support* its sentence: the sentence is compared with every sentence of
  the cited passage, and the best one must reach ``Settings.llm_support_threshold`` on a
  support score (the mean of the share of the sentence's stemmed content words that the
  source sentence contains and the embedding cosine of the two). A number the passage never
  mentions makes the marker unsupported outright: invented figures are the commonest slip;
- markers that do not support their sentence are removed; a sentence left with none is
  dropped, recorded in ``Answer.dropped`` and named in ``warnings``.

The citation of a kept sentence quotes the best-supporting source sentence, character-exact
(its span is the passage's span shifted by the sentence's offset), so the lineage from answer
to document text holds for generated answers as it does for extractive ones.

:class:`SentenceGate` does this one sentence at a time so streaming can emit each sentence
as soon as it has passed, and never a word that has not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .embeddings import QueryEmbedder
from .lexical import stem_all
from .markers import MARKER
from .schema import Answer, Citation, DroppedSentence, Passage
from .text import content_words, sentence_spans

_MARKER = MARKER  # one definition of a marker: assistant.markers
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\d{1,3}\])+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_GLUED_MARKERS = re.compile(r"([.!?])((?:\[\d{1,3}\])+)(?=\s)")
#: Lines of the prompt's passage framing ("[1] (Title > Section)", "<passage>") that small models echo.
_HEADER_ECHO = re.compile(r"^(\[\d{1,3}\])[ \t]*\([^\n]*\)$")
_TAG_ECHO = re.compile(r"^</?passage>$")
_LINE = re.compile(r"[^\n]+")  # a line break ends a sentence too


NOTHING_SUPPORTED = (
    "The language model's answer could not be checked against the passages (no sentence it wrote "
    "is supported by the passage it cites), so it is not shown. The passages below are the closest "
    "the corpus has."
)


@dataclass
class SourceSentence:
    """One sentence of a shown passage, with its absolute span in the document text."""

    passage: Passage
    start: int
    end: int
    text: str
    stems: frozenset[str]


@dataclass
class Verdict:
    """The outcome for one generated sentence."""

    text: str  # as shown (markers that failed removed); empty when dropped
    citations: list[Citation] = field(default_factory=list)
    dropped: DroppedSentence | None = None
    warnings: list[str] = field(default_factory=list)


def split_reply(reply: str) -> list[str]:
    """Sentences of a model reply, each with the markers that belong to it.

    Models often write "... the report. [2] The next ...": the marker after the stop belongs
    to the sentence before it, not the one after. Small models also echo the prompt's framing
    ("[2] (Title > Section)", "<passage>") and then copy the passage: the framing is dropped and
    its marker goes to the copied sentences that carry none of their own (the support check
    still decides whether passage 2 says them). A line break ends a sentence.
    """
    reply = _GLUED_MARKERS.sub(r"\1 \2", reply)  # "report.[2] Next" splits like "report. [2] Next"
    out: list[str] = []
    carried = ""
    for line in _LINE.finditer(reply):
        text = line.group(0).strip()
        header = _HEADER_ECHO.match(text)
        if header:
            carried = header.group(1)
            continue
        if _TAG_ECHO.match(text):
            carried = "" if text.startswith("</") else carried
            continue
        for s, e in sentence_spans(reply, *line.span()):
            piece = reply[s:e]
            lead = _LEADING_MARKERS.match(piece)
            if lead and out:
                out[-1] = f"{out[-1]} {lead.group(0).strip()}"
                piece = piece[lead.end():].strip()
            if piece:
                out.append(piece if not carried or _MARKER.search(piece) else f"{piece} {carried}")
    return out


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem_all(content_words(text)))


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


class SentenceGate:
    """Checks generated sentences against the passages of one answer."""

    def __init__(self, passages: Sequence[Passage], embedder: QueryEmbedder, threshold: float) -> None:
        self.passages = {p.number: p for p in passages}
        self.embedder = embedder
        self.threshold = threshold
        self.sources: dict[int, list[SourceSentence]] = {}
        for p in passages:
            spans = sentence_spans(p.text) or [(0, len(p.text))]
            self.sources[p.number] = [
                SourceSentence(p, p.start + s, p.start + e, p.text[s:e], _stems(p.text[s:e]))
                for s, e in spans
            ]
        self._vectors: dict[int, np.ndarray] = {}
        self._said: set[str] = set()  # sentences already shown in this answer

    def _source_vectors(self, number: int) -> np.ndarray:
        if number not in self._vectors:
            texts = [s.text for s in self.sources[number]]
            self._vectors[number] = np.asarray(self.embedder.embed_queries(texts))
        return self._vectors[number]

    def support(self, plain: str, number: int) -> tuple[float, SourceSentence]:
        """The best source sentence of passage ``number`` for ``plain`` and its support score."""
        stems = _stems(plain)
        vec = np.asarray(self.embedder.embed_query(plain))
        dense = self._source_vectors(number) @ vec
        best, best_score = self.sources[number][0], -1.0
        for src, cos in zip(self.sources[number], dense, strict=True):
            lexical = len(stems & src.stems) / len(stems) if stems else 0.0
            score = (lexical + float(cos)) / 2
            if score > best_score:
                best, best_score = src, score
        return best_score, best

    def check(self, sentence: str) -> Verdict:
        markers = [int(m) for m in _MARKER.findall(sentence)]
        plain = re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub("", sentence)).strip()
        plain = re.sub(r"\s{2,}", " ", plain)
        shown = [m for m in dict.fromkeys(markers) if m in self.passages]
        warnings = [f"marker [{m}] removed: no passage has that number"
                    for m in markers if m not in self.passages]
        if not shown:
            reason = "no citation" if not markers else "its citation points at no shown passage"
            return self._drop(plain, markers, reason, 0.0, warnings)
        if plain.casefold() in self._said:  # small models repeat themselves
            return self._drop(plain, markers, "repeats an earlier sentence", 0.0, warnings)
        kept: list[Citation] = []
        best_seen = 0.0
        numbers = _numbers(plain)
        for m in shown:
            score, src = self.support(plain, m)
            best_seen = max(best_seen, score)
            missing = sorted(numbers - _numbers(self.passages[m].text))
            if missing:
                warnings.append(f"marker [{m}] removed: the passage does not mention {', '.join(missing)}")
            elif score < self.threshold:
                warnings.append(
                    f"marker [{m}] removed: the passage does not support {plain!r} (support {score:.2f})")
            else:
                kept.append(_citation(src, score))
        if not kept:
            return self._drop(plain, markers, "its citations do not support it", best_seen, warnings)
        self._said.add(plain.casefold())
        cited = {c.marker for c in kept}
        text = _MARKER.sub(lambda mt: mt.group(0) if int(mt.group(1)) in cited else "", sentence)
        text = re.sub(r"[ \t]{2,}", " ", re.sub(r"\s+([.,;:!?])", r"\1", text)).strip()
        if not _MARKER.search(text[-8:]):  # keep a marker at the end of the sentence, where readers look
            text = f"{text} " + "".join(f"[{m}]" for m in sorted(cited))
        return Verdict(text=text, citations=kept, warnings=warnings)

    def _drop(self, plain: str, markers: list[int], reason: str, score: float,
              warnings: list[str]) -> Verdict:
        dropped = DroppedSentence(text=plain, markers=markers, reason=reason, support=round(score, 4))
        return Verdict(text="", dropped=dropped,
                       warnings=[*warnings, f"sentence dropped ({reason}): {plain!r}"])


def _citation(src: SourceSentence, score: float) -> Citation:
    return src.passage.cite(src.start, src.end, score)


class ReplyStream:
    """Feeds a reply as it is written; hands back each sentence's verdict once it is finished.

    A sentence is finished once the text after it has started a new sentence with a real
    word, so markers still arriving after its full stop ("... report. [1" then "2]") join it.
    """

    def __init__(self, gate: SentenceGate) -> None:
        self.gate = gate
        self.buffer = ""
        self.verdicts: list[Verdict] = []

    def feed(self, piece: str) -> list[Verdict]:
        self.buffer += piece
        sentences = split_reply(self.buffer)
        if len(sentences) < 2:
            return []
        started_next = re.search(r"[^\W\d_]{2}", _MARKER.sub("", sentences[-1]))  # a real word
        finished = len(sentences) - 1 if started_next else len(sentences) - 2
        return self._check(sentences[:finished])

    def finish(self) -> list[Verdict]:
        return self._check(split_reply(self.buffer))

    def _check(self, sentences: list[str]) -> list[Verdict]:
        new = [self.gate.check(s) for s in sentences[len(self.verdicts):]]
        self.verdicts.extend(new)
        return new


def ground_answer(answer: Answer, embedder: QueryEmbedder, threshold: float) -> Answer:
    """Keep the supported sentences of a generated answer (see the module docstring).

    The result has ``text`` made of kept sentences only, their citations, and everything else
    in ``dropped`` and ``warnings``. When nothing is kept, ``text`` is empty: the caller decides
    whether to decline or fall back (``Settings.llm_fallback``).
    """
    gate = SentenceGate(answer.passages, embedder, threshold)
    verdicts = [gate.check(s) for s in split_reply(answer.text)]
    return merge_verdicts(answer, verdicts)


def merge_verdicts(answer: Answer, verdicts: Sequence[Verdict]) -> Answer:
    kept = [v for v in verdicts if v.text]
    citations = [c for v in kept for c in v.citations]
    return answer.model_copy(update={
        "text": " ".join(v.text for v in kept),
        "citations": citations,
        "dropped": [*answer.dropped, *(v.dropped for v in verdicts if v.dropped)],
        "warnings": [*answer.warnings, *(w for v in verdicts for w in v.warnings)],
    })


#: Backends whose sentences are their own words (not verbatim quotes) and so must pass the gate.
GENERATING_BACKENDS = frozenset({"llm"})


def require_cited_sentences(answer: Answer) -> Answer:
    """The validate stage's last word on a generated answer: a sentence whose markers have no
    citation record (after exact-quote validation) is not shown, whatever produced it.

    The LLM composer's gate has already checked support; this structural check keeps the rule
    for any generating backend and any later change, at no cost (no embedding).
    """
    if answer.backend not in GENERATING_BACKENDS or answer.abstained:
        return answer
    cited = {c.marker for c in answer.citations}
    kept: list[str] = []
    dropped: list[DroppedSentence] = []
    for sentence in split_reply(answer.text):
        markers = [int(m) for m in _MARKER.findall(sentence)]
        if any(m in cited for m in markers):
            kept.append(sentence)
        else:
            plain = re.sub(r"\s{2,}", " ", _MARKER.sub("", sentence)).strip()
            dropped.append(DroppedSentence(text=plain, markers=markers, reason="no valid citation"))
    if not dropped:
        return answer
    update: dict[str, object] = {
        "text": " ".join(kept), "dropped": [*answer.dropped, *dropped],
        "warnings": [*answer.warnings,
                     *(f"sentence dropped (no valid citation): {d.text!r}" for d in dropped)],
    }
    if not kept:
        update.update(text=NOTHING_SUPPORTED, abstained=True, citations=[])
    return answer.model_copy(update=update)


def sentence_survival(answers: Sequence[Answer]) -> float | None:
    """Share of generated sentences that survived validation (None when none were written)."""
    kept = sum(len(split_reply(a.text)) for a in answers if a.backend == "llm" and not a.abstained)
    dropped = sum(len(a.dropped) for a in answers)
    return kept / (kept + dropped) if kept + dropped else None
