"""Input bounds hold at every interface: the Python API, the CLI and (in test_http.py) HTTP.

Each hostile input here is one the issue found getting through: a 4 MB ``standalone_question``
inside one history turn, lone surrogates in the question, the history and the filters, 32,766+
filter entries (SQLite's variable limit), ``k=True``, unknown filter keys. They are all refused
before any model or store work, so these tests need no index.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from assistant import Assistant, RetrievalFilter, load_settings
from assistant.cli import app
from assistant.errors import InputError, QuestionError
from assistant.limits import check_request, check_text
from assistant.schema import Answer, Citation, Turn

QUESTION = "Which treaty does the new pact replace?"


@pytest.fixture()
def bot(tmp_path: Path) -> Assistant:
    return Assistant(load_settings(store_dir=tmp_path / "store", corpus_dir=tmp_path / "corpus"))


def test_a_huge_standalone_question_in_history_is_refused_fast(bot: Assistant) -> None:
    turns = [Turn(question="Who signed it?", answer="", standalone_question="pact " * 800_000)]
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"history turn 1: standalone_question is 4000000 characters; the limit is 2000"):
        bot.chat(turns, QUESTION)
    assert time.perf_counter() - started < 1.0, "refused before any retrieval"


@pytest.mark.parametrize("field", ["question", "standalone_question"])
def test_each_history_turn_has_the_question_limit(bot: Assistant, field: str) -> None:
    turn = {"question": "short", field: "x" * (bot.settings.max_question_chars + 1)}
    with pytest.raises(InputError, match=f"history turn 1: {field} is 2001 characters"):
        bot.chat([turn], QUESTION)
    with pytest.raises(InputError, match="answer is 10001 characters"):
        bot.chat([{"question": "q", "answer": "y" * 10_001}], QUESTION)


def test_history_length_is_bounded(bot: Assistant) -> None:
    turns = [Turn(question=f"q{n}") for n in range(bot.settings.max_history_turns + 1)]
    with pytest.raises(InputError, match="the history has 51 turns; the limit is 50"):
        bot.chat(turns, QUESTION)


def test_a_history_turns_cited_documents_are_bounded(bot: Assistant) -> None:
    from assistant.limits import MAX_DOCUMENT_ID_CHARS, MAX_TURN_DOCUMENTS

    many = [Turn(question="q", documents=[f"/corpus/{n}.txt" for n in range(MAX_TURN_DOCUMENTS + 1)])]
    with pytest.raises(InputError, match=f"history turn 1 names {MAX_TURN_DOCUMENTS + 1} documents"):
        bot.chat(many, QUESTION)
    with pytest.raises(InputError, match="history turn 1: document is"):
        bot.chat([{"question": "q", "documents": ["x" * (MAX_DOCUMENT_ID_CHARS + 1)]}], QUESTION)
    # a document the index does not hold is only a filter that matches nothing: the answer stands
    plain = bot.chat([Turn(question="Which treaty does the pact replace?")], "Who signed it?")
    stray = bot.chat([Turn(question="Which treaty does the pact replace?", documents=["/elsewhere/secret.txt"])],
                     "Who signed it?")
    assert stray.text == plain.text


@pytest.mark.parametrize(
    "call",
    [
        lambda b: b.ask("\ud800 pact"),
        lambda b: b.chat([Turn(question="\ud800 pact")], QUESTION),
        lambda b: b.chat([{"question": "q", "standalone_question": "pact \udfff"}], QUESTION),
        lambda b: b.ask(QUESTION, filters=RetrievalFilter(sections=("\ud800 pact",))),
        lambda b: b.ask(QUESTION, filters=RetrievalFilter(documents=("\ud800",))),
        lambda b: b.retrieve("\ud800 pact"),
        lambda b: list(b.stream("\ud800 pact")),
    ],
    ids=["question", "history", "standalone", "sections", "documents", "retrieve", "stream"],
)
def test_lone_surrogates_are_a_clear_input_error(bot: Assistant, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="not valid Unicode"):
        call(bot)
    assert InputError.status_code == 400


@pytest.mark.parametrize("field,count", [("documents", 32_766), ("sections", 20_000)])
def test_filter_lists_are_bounded(bot: Assistant, field: str, count: int) -> None:
    flt = RetrievalFilter(**{field: tuple(f"x{n}" for n in range(count))})
    with pytest.raises(InputError, match=f"filters.{field} has {count} entries; the limit is 200"):
        bot.ask(QUESTION, filters=flt)
    with pytest.raises(InputError, match="filters.sections entry is 1001 characters"):
        bot.retrieve(QUESTION, filters=RetrievalFilter(sections=("s" * 1001,)))


def test_unknown_filter_keys_are_errors() -> None:
    with pytest.raises(ValidationError, match="document\n.*Extra inputs are not permitted"):
        RetrievalFilter(document=("a.txt",))  # type: ignore[call-arg]


@pytest.mark.parametrize("k", [True, 0, 51, "5", 2.0])
def test_k_must_be_a_whole_number_in_range(bot: Assistant, k: object) -> None:
    with pytest.raises(InputError, match="k "):
        bot.ask(QUESTION, k=k)  # type: ignore[arg-type]


def test_limits_are_settings(tmp_path: Path) -> None:
    settings = load_settings(store_dir=tmp_path, max_history_turns=2, max_filter_items=3, max_question_chars=20)
    with pytest.raises(InputError, match="limit is 2"):
        check_request(settings, "q", [Turn(question="a")] * 3)
    with pytest.raises(InputError, match="limit is 3"):
        check_request(settings, "q", filters=RetrievalFilter(sections=("a", "b", "c", "d")))
    with pytest.raises(InputError, match="limit is 20"):
        check_request(settings, "q", [Turn(question="a" * 21)])
    check_request(settings, "q", [Turn(question="a" * 20)] * 2, RetrievalFilter(sections=("a", "b", "c")), 5)
    assert check_text("ok", "x", 2) == "ok"


def test_question_limit_still_names_the_setting(bot: Assistant) -> None:
    with pytest.raises(QuestionError, match="ASSISTANT_MAX_QUESTION_CHARS"):
        bot.ask("why " * 600)


# -- the CLI ----------------------------------------------------------------------------------


def test_cli_refuses_invalid_unicode_and_long_filters(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--store-dir", str(tmp_path / "store"), "--corpus-dir", str(tmp_path / "corpus")]
    # Bytes that are not UTF-8 reach Python's argv as lone surrogates (surrogateescape).
    result = runner.invoke(app, [*base, "ask", "\udcff pact"])
    assert result.exit_code == 1
    assert isinstance(result.exception, InputError) or "not valid Unicode" in result.output
    many = [arg for n in range(201) for arg in ("--section", f"s{n}")]
    result = runner.invoke(app, [*base, "ask", QUESTION, *many])
    assert result.exit_code == 1
    assert isinstance(result.exception, InputError) or "limit is 200" in result.output


# -- document text is data, in what the project renders itself ---------------------------------


def test_markdown_export_escapes_document_text() -> None:
    from assistant.webapp import conversation_markdown

    hostile = "<img src=x onerror=alert(1)>"
    cit = {"marker": 1, "chunk_id": "c1", "doc_id": "/c/a.txt", "title": f"Title {hostile}", "author": hostile,
           "date": "2024-07-11", "section": "[link](javascript:alert(1))", "start": 0, "end": 10,
           "quote": f"quote {hostile}", "score": 1.0}
    answer = Answer.model_validate({"question": f"q {hostile}", "standalone_question": "q",
                                    "text": f"Text {hostile} [1]", "citations": [Citation.model_validate(cit)]})
    out = conversation_markdown([answer.model_dump(mode="json")])
    assert "<img" not in out
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in out
    assert "](javascript:" not in out


# -- exposure (the real-process tests are in test_auth.py) ---------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.4.5.6", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_hosts_need_no_login(tmp_path: Path, host: str) -> None:
    from assistant.limits import is_loopback, require_login_to_expose

    assert is_loopback(host)
    assert require_login_to_expose(host, load_settings(store_dir=tmp_path)) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "analyst-box.example.org"])
def test_other_hosts_need_a_login_or_insecure(tmp_path: Path, host: str) -> None:
    from assistant.errors import ConfigurationError
    from assistant.limits import require_login_to_expose

    with pytest.raises(ConfigurationError, match=f"refusing to serve on {host} without a login"):
        require_login_to_expose(host, load_settings(store_dir=tmp_path))
    assert require_login_to_expose(host, load_settings(store_dir=tmp_path, auth="a:b")) is None
    warning = require_login_to_expose(host, load_settings(store_dir=tmp_path), insecure=True)
    assert warning and "WITHOUT a login" in warning
    assert require_login_to_expose(host, load_settings(store_dir=tmp_path, insecure=True))
