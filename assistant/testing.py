"""Helpers for testing the assistant's answers in your own test suite.

Use the fixtures by adding ``pytest_plugins = ["assistant.testing"]`` to a ``conftest.py``::

    def test_treaty(corpus_assistant):
        answer = corpus_assistant.ask("Which treaty does the pact replace?")
        assert_cites(answer, evidence="2000 Friendship, Cooperation and Good Neighbourliness Treaty")

    def test_out_of_scope(corpus_assistant):
        assert_abstains(corpus_assistant.ask("What is a good kimchi recipe?"))

The fixtures use the real embedding model and a real Chroma store in a temporary folder.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from .config import load_settings, use_offline_environment
from .markers import parse_markers
from .schema import Answer
from .service import Assistant
from .text import fold

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def pytest_configure(config: pytest.Config) -> None:
    """A test session is a process edge: run offline (no model hub, no telemetry)."""
    use_offline_environment()


def make_assistant(workdir: Path, corpus: Path | Iterable[Path] | None = None, **settings: object) -> Assistant:
    """An Assistant whose corpus copy and store live under ``workdir``, already ingested."""
    corpus_dir = workdir / "corpus"
    corpus_dir.mkdir(parents=True, exist_ok=True)
    sources: list[Path]
    if corpus is None:
        sources = sorted(p for p in DEFAULT_CORPUS.iterdir() if p.is_file())
    elif isinstance(corpus, Path):
        sources = sorted(p for p in corpus.iterdir() if p.is_file()) if corpus.is_dir() else [corpus]
    else:
        sources = list(corpus)
    for src in sources:
        shutil.copyfile(src, corpus_dir / src.name)
    bot = Assistant(load_settings(corpus_dir=corpus_dir, store_dir=workdir / "store", **settings))
    report = bot.ingest()
    if report.failed:
        raise AssertionError(f"corpus did not ingest: {report.failed}")
    return bot


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """A ready assistant over a temporary copy of the project's corpus (shared by a session)."""
    yield make_assistant(tmp_path_factory.mktemp("assistant"))


def _contains(haystack: str, needle: str) -> bool:
    return fold(needle) in fold(haystack)


def assert_cites(answer: Answer, evidence: str | Iterable[str] | None = None) -> None:
    """The answer is not an abstention, every citation is well formed, and (if given) some
    cited quote or cited passage contains each evidence string."""
    assert not answer.abstained, f"expected an answer, got an abstention: {answer.text!r}"
    assert answer.citations, f"expected citations, got none: {answer.text!r}"
    assert_markers_resolve(answer)
    if evidence is None:
        return
    wanted = [evidence] if isinstance(evidence, str) else list(evidence)
    cited = answer.cited_passages()
    for ev in wanted:
        assert any(_contains(c.quote, ev) for c in answer.citations) or any(
            _contains(p.text, ev) for p in cited
        ), f"no citation supports {ev!r}; cited: {[c.quote for c in answer.citations]}"


def assert_abstains(answer: Answer) -> None:
    """The assistant declined: flagged as abstained, and nothing is cited."""
    assert answer.abstained, f"expected an abstention, got: {answer.text!r}"
    assert not answer.citations, "an abstention must not cite anything"


def assert_markers_resolve(answer: Answer) -> None:
    """Every [n] in the text is a cited, shown passage, and every citation's quote is exact."""
    shown = {p.number: p for p in answer.passages}
    cited = {c.marker for c in answer.citations}
    for marker in parse_markers(answer.text):
        assert marker in shown, f"[{marker}] points at no shown passage"
        assert marker in cited, f"[{marker}] has no citation record"
    for cit in answer.citations:
        p = shown[cit.marker]
        assert p.text[cit.start - p.start : cit.end - p.start] == cit.quote, f"quote of [{cit.marker}] is not exact"


def assert_quotes_match_source(answer: Answer) -> None:
    """Every quote equals the source file's text at its span (re-reads and re-parses the file)."""
    from .documents import load_document

    for cit in answer.citations:
        text = load_document(cit.path).text
        assert text[cit.start : cit.end] == cit.quote, f"quote of [{cit.marker}] differs from {cit.path}"


__all__ = [
    "assert_abstains",
    "assert_cites",
    "assert_markers_resolve",
    "assert_quotes_match_source",
    "corpus_assistant",
    "make_assistant",
]
