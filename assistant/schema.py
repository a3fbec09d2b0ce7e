"""The plain data that flows between the pipeline's stages.

Documents, blocks and chunks are frozen dataclasses: they are internal and hashed. What leaves
the process (passages, citations, answers) is pydantic, so the HTTP layer, the CLI's ``--json``
and the evaluation share one documented JSON schema.

Every piece records where it came from: a block or chunk carries the document it belongs to,
its section path and the exact character span in the document's text. That lineage is what
makes a citation checkable: ``document.text[start:end] == quote``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

BlockKind = Literal[
    "publisher", "title", "byline", "dateline", "identifier", "heading", "paragraph", "bullet", "caption",
    "footnote", "boilerplate", "field",
]

#: Kinds that may be quoted in an answer. Captions, image credits and boilerplate are indexed
#: (so an analyst can still find them) but retrieval excludes them from answers by default.
ANSWERABLE_KINDS: tuple[str, ...] = (
    "publisher", "title", "byline", "dateline", "identifier", "field", "paragraph", "bullet", "footnote")


@dataclass(frozen=True)
class Block:
    """One structural unit of a document, with its exact span in ``Document.text``."""

    kind: BlockKind
    text: str
    start: int
    end: int
    section: tuple[str, ...] = ()
    level: int = 0
    page: int | None = None

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)


#: The version of what parsing and chunking make of a file. Bump it whenever either changes what
#: a file becomes (blocks, spans, kinds, metadata, chunks): an index built by older code then
#: re-reads every file once, at the next ingest, instead of keeping the old reading of files
#: whose bytes did not change.
PARSE_VERSION = 5


def document_version(sha256: str) -> str:
    """What the index keys a document's chunks on: its bytes and the code that read them."""
    return f"{sha256}:p{PARSE_VERSION}"


@dataclass(frozen=True)
class Document:
    """A parsed article.

    ``text`` is the canonical text every span points into: the decoded file itself for plain
    text and BISI articles; the displayed text for Markdown (link text without URLs, no
    emphasis markers or table pipes), HTML and PDF (lines re-joined), because that is what a
    reader sees, quotes and what is embedded.

    ``source_offsets`` maps the displayed Markdown text back to the raw file: runs of
    ``(text_start, raw_start, length)``; ``assistant.documents.source_span`` applies it. It is
    None when the text is the file itself or the raw form is markup or binary.
    """

    path: str
    format: str
    text: str
    sha256: str
    title: str
    blocks: tuple[Block, ...]
    author: str | None = None
    date: str | None = None
    publisher: str | None = None
    source_offsets: tuple[tuple[int, int, int], ...] | None = field(default=None, repr=False)

    @property
    def doc_id(self) -> str:
        """Stable identity: the absolute source path, so re-ingesting a file replaces it."""
        return self.path

    @property
    def version(self) -> str:
        """The file's bytes and the parser's version (:func:`document_version`)."""
        return document_version(self.sha256)


@dataclass(frozen=True)
class Chunk:
    """The unit that is embedded, stored and retrieved.

    ``text`` is exactly ``document.text[start:end]``; ``embed_text`` may add a context header
    (title and section) because that helps retrieval, but it is never shown or cited.
    """

    id: str
    doc_id: str
    doc_sha: str
    text: str
    start: int
    end: int
    kind: str
    section: tuple[str, ...]
    order: int
    level: int = 0
    page: int | None = None
    title: str = ""
    author: str | None = None
    date: str | None = None
    publisher: str | None = None
    embed_text: str = ""

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)


@dataclass
class ScoredChunk:
    """A chunk with the scores retrieval gave it (kept separately for evaluation)."""

    chunk: Chunk
    score: float
    dense_score: float | None = None  # cosine similarity, when dense search found it
    lexical_score: float | None = None  # BM25 score, when lexical search found it
    extras: dict[str, float] = field(default_factory=dict)


class DocumentMeta(BaseModel):
    """What a document says about itself; every record that names a document carries it."""

    title: str
    author: str | None = None
    date: str | None = None
    publisher: str | None = None


class DocumentInfo(DocumentMeta):
    """What the index knows about one ingested document."""

    doc_id: str
    path: str
    format: str
    sha256: str
    chunks: int
    version: str = ""  # the committed version (:func:`document_version`); the bare sha256 in an older index


class Lineage(DocumentMeta):
    """Where a piece of quoted text comes from: its document, chunk, metadata and exact span.

    Shared by :class:`Passage` (a whole retrieved chunk) and :class:`Citation` (the quoted
    words inside one), so the source fields are declared, filled and serialised in one place:
    ``document text[start:end]`` is the passage text or the quote.
    """

    chunk_id: str
    doc_id: str
    section: str = Field("", description="Section path such as 'Forecast > Short-term'.")
    start: int = Field(description="Character offset of the text in the document text.")
    end: int = Field(description="End offset (exclusive) in the document text.")
    page: int | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def path(self) -> str:
        """The source file. A document's identity is its absolute path, so this is ``doc_id``;
        kept as its own JSON field because API clients and exports read it."""
        return self.doc_id

    def lineage(self) -> dict[str, Any]:
        """The source fields alone, to build a related record (a citation from a passage)."""
        return {name: getattr(self, name) for name in Lineage.model_fields}


class Passage(Lineage):
    """A retrieved passage as shown to the user; citation markers point at ``number``."""

    number: int = Field(description="The marker that cites this passage, e.g. 1 for [1].")
    kind: str
    text: str = Field(description="Exact source text of the passage.")
    score: float = Field(description="Fused retrieval score (higher is better).")

    def cite(self, start: int, end: int, score: float) -> Citation:
        """A citation of ``text`` between the absolute offsets ``start`` and ``end``."""
        quote = self.text[start - self.start : end - self.start]
        return Citation(**{**self.lineage(), "start": start, "end": end}, marker=self.number,
                        quote=quote, score=round(float(score), 6))


class Citation(Lineage):
    """One citation marker in an answer and the exact words it stands for."""

    marker: int = Field(description="Number used in the answer text as [marker].")
    quote: str = Field(description="Verbatim text from the source: text[start:end].")
    score: float = Field(description="How strongly the quote answers the question.")


class DroppedSentence(BaseModel):
    """A sentence a generating backend wrote that was not shown, because no citation supports it."""

    text: str = Field(description="The sentence without its markers.")
    markers: list[int] = Field(default_factory=list, description="The markers it carried.")
    reason: str = Field(description="Why it was dropped, e.g. 'no citation'.")
    support: float = Field(0.0, description="Best support score any passage it cited gave it (0-1).")


class Evidence(BaseModel):
    """What an answer rests on: the passages shown, the quotes its markers stand for, whether it
    declined. Every interface that returns an answer's sources (HTTP, MCP, OpenAI-compatible)
    returns these fields, with these meanings."""

    standalone_question: str = Field(
        description="The question after follow-up resolution; what retrieval used."
    )
    abstained: bool = Field(False, description="True when the corpus does not answer the question.")
    citations: list[Citation] = Field(default_factory=list, description="Per marker: the verbatim quote and its span.")
    passages: list[Passage] = Field(default_factory=list, description="The passages shown; marker [n] cites number n.")
    warnings: list[str] = Field(default_factory=list, description="What validation removed or flagged.")

    def evidence(self) -> dict[str, Any]:
        """The evidence fields alone, to build another interface's record from an answer."""
        return {name: getattr(self, name) for name in Evidence.model_fields}


class Answer(Evidence):
    """The assistant's reply: text with [n] markers, what they cite, and how it was made."""

    question: str
    text: str = Field(description="The answer; each sentence ends with its [n] markers.")
    backend: str = "extractive"
    dropped: list[DroppedSentence] = Field(
        default_factory=list, description="Generated sentences not shown because no citation supports them."
    )
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage.")

    def cited_passages(self) -> list[Passage]:
        markers = {c.marker for c in self.citations}
        return [p for p in self.passages if p.number in markers]

    def as_turn(self) -> Turn:
        """This exchange as a conversation turn, to pass back with the next question."""
        cited = list(dict.fromkeys(c.doc_id for c in self.citations))
        return Turn(question=self.question, answer=self.text, standalone_question=self.standalone_question,
                    documents=cited)


class Turn(BaseModel):
    """One exchange of a conversation, as the chat interfaces pass it back in."""

    question: str
    answer: str = ""
    standalone_question: str | None = None
    documents: list[str] = Field(
        default_factory=list,
        description="The documents the answer cited (their doc_id): a follow-up that needs this turn's context "
        "(\"What about Pillar 2?\", \"What is driving that assessment?\") is answered from them when they answer it.",
    )
