"""The JSON API over a real HTTP server: uvicorn in a subprocess, a real store, real requests.

The store is ingested once in this process (``make_assistant``), then a separate Python
process serves ``create_api(Assistant(load_settings()))`` over it, configured only through
ASSISTANT_* environment variables, exactly as a deployment would be. Expected values come
from corpus/bisi-2024-07-11-pyongyang-parlays.txt.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.testing import make_assistant

from .servers import clean_env, free_port, stop, wait_until_healthy

ARTICLE_NAME = "bisi-2024-07-11-pyongyang-parlays.txt"
TITLE = "Pyongyang Parlays: Vladimir Putin and Kim Jong Un Meet"
AUTHOR = "Lily Donahue"
PUBLISHER = "Bloomsbury Intelligence & Security Institute (BISI)"
TREATY_QUESTION = "Which treaty does the new pact replace?"
TREATY = "2000 Friendship, Cooperation and Good Neighbourliness Treaty"

LAUNCHER = (
    "import sys, uvicorn\n"
    "from assistant import Assistant, load_settings\n"
    "from assistant.http import create_api\n"
    "uvicorn.run(create_api(Assistant(load_settings())), host='127.0.0.1', "
    "port=int(sys.argv[1]), log_level='warning')\n"
)
STARTUP_TIMEOUT_S = 60.0


class Server:
    def __init__(self, base_url: str, workdir: Path, process: subprocess.Popen[bytes], log: Path) -> None:
        self.base_url = base_url
        self.workdir = workdir
        self.process = process
        self.log = log
        self.article = workdir / "corpus" / ARTICLE_NAME
        self.chunks = 0

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("http")
    config = workdir / "no-such-config.toml"
    # Module fixtures run before conftest's per-test isolation: isolate the ingest ourselves.
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("ASSISTANT_")]:
            mp.delenv(key)
        mp.setenv("ASSISTANT_CONFIG", str(config))
        bot = make_assistant(workdir)
        chunks = bot.status()["chunks"]
        del bot

    port = free_port()
    log = workdir / "server.log"
    env = clean_env(
        ASSISTANT_STORE_DIR=str(workdir / "store"),
        ASSISTANT_CORPUS_DIR=str(workdir / "corpus"),
        ASSISTANT_CONFIG=str(config),
    )
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(port)],
            env=env, cwd=str(workdir), stdout=sink, stderr=subprocess.STDOUT,
        )
    srv = Server(f"http://127.0.0.1:{port}", workdir, process, log)
    srv.chunks = chunks
    try:
        wait_until_healthy(process, f"{srv.base_url}/api/health", STARTUP_TIMEOUT_S, log, fail=pytest.fail)
        yield srv
    finally:
        stop(process)


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def article_bytes_text(server: Server) -> str:
    """The served corpus copy, decoded without newline translation (spans index into it)."""
    return server.article.read_bytes().decode("utf-8")


# -- health and documents -----------------------------------------------------------------------


def test_health(client: httpx.Client, server: Server) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["documents"] == 1
    assert body["chunks"] > 0
    assert body["chunks"] == server.chunks  # the server sees the store this process ingested
    assert body["embedding_model"] == "packaged:all-MiniLM-L6-v2"
    assert str((server.workdir / "store").resolve()) in body["store"]


def test_documents_lists_the_article(client: httpx.Client, server: Server) -> None:
    response = client.get("/api/documents")
    assert response.status_code == 200
    docs = response.json()
    assert len(docs) == 1
    doc = docs[0]
    assert doc["title"] == TITLE
    assert doc["author"] == AUTHOR
    assert doc["date"] == "2024-07-11"
    assert doc["publisher"] == PUBLISHER
    assert Path(doc["path"]) == server.article.resolve()
    assert doc["chunks"] == server.chunks


# -- ask ----------------------------------------------------------------------------------------


def test_ask_returns_a_cited_answer(client: httpx.Client, server: Server, article_bytes_text: str) -> None:
    response = client.post("/api/ask", json={"question": TREATY_QUESTION})
    assert response.status_code == 200
    answer = response.json()
    assert answer["abstained"] is False
    assert answer["question"] == TREATY_QUESTION
    assert TREATY in answer["text"]
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer["text"])}
    assert markers, f"no [n] marker in {answer['text']!r}"
    assert answer["citations"]
    assert markers <= {c["marker"] for c in answer["citations"]}
    for cit in answer["citations"]:
        assert Path(cit["path"]) == server.article.resolve()
        assert cit["title"] == TITLE
        assert article_bytes_text[cit["start"]:cit["end"]] == cit["quote"]
    assert any(TREATY in c["quote"] for c in answer["citations"])
    for passage in answer["passages"]:
        assert article_bytes_text[passage["start"]:passage["end"]] == passage["text"]


def test_ask_out_of_corpus_abstains(client: httpx.Client) -> None:
    response = client.post("/api/ask", json={"question": "What is a good recipe for kimchi?"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["abstained"] is True
    assert answer["citations"] == []
    assert "[1]" not in answer["text"]


def test_ask_respects_k(client: httpx.Client) -> None:
    response = client.post("/api/ask", json={"question": TREATY_QUESTION, "k": 1})
    assert response.status_code == 200
    assert len(response.json()["passages"]) <= 1


# -- chat ---------------------------------------------------------------------------------------


def test_chat_resolves_a_follow_up(client: httpx.Client, article_bytes_text: str) -> None:
    response = client.post(
        "/api/chat",
        json={"history": [{"question": TREATY_QUESTION}], "question": "Who signed it?"},
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["abstained"] is False
    assert answer["question"] == "Who signed it?"
    assert answer["standalone_question"] != "Who signed it?"
    assert "treaty" in answer["standalone_question"].lower()
    assert "Putin" in answer["text"]
    assert answer["citations"]
    for cit in answer["citations"]:
        assert article_bytes_text[cit["start"]:cit["end"]] == cit["quote"]


def test_chat_without_history_keeps_the_question(client: httpx.Client) -> None:
    response = client.post("/api/chat", json={"question": TREATY_QUESTION})
    assert response.status_code == 200
    assert TREATY in response.json()["text"]


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/ask", "/api/chat", "/api/retrieve"])
def test_blank_question_is_refused_by_the_schema(client: httpx.Client, path: str) -> None:
    response = client.post(path, json={"question": "   "})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "ValidationError"
    assert body["detail"].startswith("question:")


def test_too_long_question_is_refused_with_the_limit(client: httpx.Client) -> None:
    response = client.post("/api/ask", json={"question": "why " * 1250})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "ValidationError"
    assert "question" in body["detail"] and "2000" in body["detail"]


@pytest.mark.parametrize(
    "kwargs,error",
    [
        ({"content": b'{"question": ', "headers": {"content-type": "application/json"}}, "InvalidJSON"),
        ({"json": {}}, "ValidationError"),
        ({"json": {"question": 42}}, "ValidationError"),
        ({"json": {"question": TREATY_QUESTION, "k": 0}}, "ValidationError"),
        ({"json": {"question": TREATY_QUESTION, "mode": "fuzzy"}}, "ValidationError"),
    ],
    ids=["broken-json", "no-question", "question-not-string", "k-zero", "bad-mode"],
)
def test_malformed_body_is_a_422_in_the_error_shape(client: httpx.Client, kwargs: dict, error: str) -> None:
    response = client.post("/api/ask", **kwargs)
    assert response.status_code == 422
    assert response.json().keys() == {"error", "detail"}
    assert response.json()["error"] == error


def test_chat_history_must_be_turns(client: httpx.Client) -> None:
    response = client.post("/api/chat", json={"history": [{"answer": "no question"}], "question": "Who?"})
    assert response.status_code == 422


# -- retrieve -----------------------------------------------------------------------------------


def test_retrieve_returns_k_passages(client: httpx.Client, article_bytes_text: str) -> None:
    response = client.post("/api/retrieve", json={"question": TREATY_QUESTION, "k": 2})
    assert response.status_code == 200
    passages = response.json()
    assert len(passages) == 2
    assert [p["number"] for p in passages] == [1, 2]
    assert passages[0]["score"] >= passages[1]["score"]
    for p in passages:
        assert article_bytes_text[p["start"]:p["end"]] == p["text"]
    assert any(TREATY in p["text"] for p in passages)


# -- schema -------------------------------------------------------------------------------------


def test_openapi_lists_the_api(client: httpx.Client) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in ("/api/ask", "/api/chat", "/api/documents", "/api/health", "/api/retrieve"):
        assert path in paths, f"{path} missing from {sorted(paths)}"
    assert "post" in paths["/api/ask"] and "get" in paths["/api/health"]
    assert "Answer" in schema["components"]["schemas"]


# -- filters ------------------------------------------------------------------------------------


def test_filters_restrict_retrieval(client: httpx.Client, server: Server) -> None:
    doc_id = str(server.article.resolve())
    same_day = {"documents": [doc_id], "date_from": "2024-07-11", "date_to": "2024-07-11"}
    response = client.post("/api/retrieve", json={"question": TREATY_QUESTION, "filters": same_day})
    assert response.status_code == 200
    assert response.json() and all(p["doc_id"] == doc_id for p in response.json())

    forecast = {"sections": ["Forecast"]}
    response = client.post("/api/retrieve", json={"question": "China", "k": 3, "filters": forecast})
    assert response.status_code == 200
    assert response.json() and all(p["section"].startswith("Forecast") for p in response.json())

    later = {"date_from": "2025-01-01"}
    response = client.post("/api/retrieve", json={"question": TREATY_QUESTION, "filters": later})
    assert response.status_code == 200
    assert response.json() == []


def test_filtered_out_question_does_not_claim_the_index_is_empty(client: httpx.Client) -> None:
    response = client.post(
        "/api/ask", json={"question": TREATY_QUESTION, "filters": {"date_from": "2025-01-01"}}
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["abstained"] is True
    assert answer["citations"] == []
    assert "index is empty" not in answer["text"]


def test_bad_filter_date_is_a_client_error(client: httpx.Client) -> None:
    response = client.post(
        "/api/ask", json={"question": TREATY_QUESTION, "filters": {"date_from": "last week"}}
    )
    assert response.status_code in (400, 422), response.text


# -- hostile input (issue 11): bounded, strict, one error shape, never a 500 ---------------------

JSON = {"content-type": "application/json"}


def _raw(question: str = TREATY_QUESTION, **extra: str) -> bytes:
    """A JSON body written by hand, so it can carry escapes (lone surrogates) httpx would refuse."""
    fields = [f'"question": "{question}"', *(f'"{k}": {v}' for k, v in extra.items())]
    return ("{" + ", ".join(fields) + "}").encode("ascii")


@pytest.mark.parametrize(
    "path,body",
    [
        ("/api/ask", _raw("\\ud800 pact")),
        ("/api/chat", _raw(history='[{"question": "\\ud800 pact"}]')),
        ("/api/chat", _raw(history='[{"question": "q", "standalone_question": "\\udfff"}]')),
        ("/api/retrieve", _raw(filters='{"sections": ["\\ud800 pact"]}')),
        ("/api/ask", _raw(filters='{"documents": ["\\ud800"]}')),
    ],
    ids=["question", "history", "standalone", "sections", "documents"],
)
def test_lone_surrogates_are_a_400_not_a_500(client: httpx.Client, path: str, body: bytes) -> None:
    response = client.post(path, content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "InvalidUnicode"
    assert client.get("/api/health").status_code == 200  # the connection and the server survive


def test_a_body_over_the_limit_is_a_413_unread(client: httpx.Client) -> None:
    big = b'{"question": "' + b"a" * 20_000_000 + b'"}'
    response = client.post("/api/ask", content=big, headers=JSON)
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"
    assert "ASSISTANT_MAX_BODY_BYTES" in response.json()["detail"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(30):
            yield b" " * 100_000
        yield b'{"question": "pact"}'

    response = client.post("/api/ask", content=chunks(), headers=JSON)
    assert response.status_code == 413


def test_history_cannot_bypass_the_question_limit(client: httpx.Client) -> None:
    turn = {"question": "Who signed it?", "standalone_question": "pact " * 600}  # 3,000 characters
    started = time.perf_counter()
    response = client.post("/api/chat", json={"question": TREATY_QUESTION, "history": [turn]})
    assert response.status_code == 422
    assert "history.0.standalone_question" in response.json()["detail"]
    assert time.perf_counter() - started < 5
    many = [{"question": "q"}] * 51
    response = client.post("/api/chat", json={"question": TREATY_QUESTION, "history": many})
    assert response.status_code == 422 and "history" in response.json()["detail"]


@pytest.mark.parametrize(
    "filters",
    [{"documents": [f"/x/{n}.txt" for n in range(32_766)]}, {"sections": [f"s{n}" for n in range(20_000)]}],
    ids=["32766-documents", "20000-sections"],
)
def test_huge_filter_lists_are_refused(client: httpx.Client, filters: dict) -> None:
    response = client.post("/api/retrieve", json={"question": TREATY_QUESTION, "filters": filters})
    assert response.status_code == 422, response.text
    assert "at most 200" in response.json()["detail"]


@pytest.mark.parametrize(
    "body,where",
    [
        ({"question": TREATY_QUESTION, "k": True}, "k"),
        ({"question": TREATY_QUESTION, "k": "5"}, "k"),
        ({"question": TREATY_QUESTION, "top_k": 3}, "top_k"),
        ({"question": TREATY_QUESTION, "filters": {"document": ["a.txt"]}}, "filters.document"),
        ({"question": TREATY_QUESTION, "filters": {"date_to": ""}}, "filters.date_to"),
        ({"question": TREATY_QUESTION, "backend": "llm"}, "backend"),  # no LLM configured here
    ],
    ids=["k-true", "k-string", "unknown-field", "unknown-filter-key", "empty-date", "llm-not-configured"],
)
def test_the_schema_is_strict(client: httpx.Client, body: dict, where: str) -> None:
    response = client.post("/api/ask", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "ValidationError"
    assert response.json()["detail"].startswith(where + ":")


def test_openapi_describes_what_is_accepted(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    models = schema["components"]["schemas"]
    ask = models["AskRequest"]
    assert ask["additionalProperties"] is False
    assert ask["properties"]["question"]["maxLength"] == 2000
    assert {"type": "integer", "maximum": 50, "minimum": 1} in [
        {k: v for k, v in alt.items()} for alt in ask["properties"]["k"]["anyOf"]
    ]
    assert models["ChatRequest"]["properties"]["history"]["maxItems"] == 50
    filters = models["Filters"]
    assert filters["additionalProperties"] is False
    assert {"type": "string", "format": "date"} in filters["properties"]["date_to"]["anyOf"]  # "" is not a date
    assert filters["properties"]["documents"]["anyOf"][0]["maxItems"] == 200
    responses = schema["paths"]["/api/ask"]["post"]["responses"]
    assert {"400", "413", "422"} <= set(responses)
    assert responses["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
    assert "Document text is data" in schema["paths"]["/api/ask"]["post"]["description"]


def test_every_error_has_one_shape(client: httpx.Client) -> None:
    missing = client.get("/api/no-such-route")
    assert missing.status_code == 404 and missing.json() == {"error": "NotFound", "detail": "Not Found"}
    wrong = client.put("/api/ask", json={"question": "q"})
    assert wrong.status_code == 405 and wrong.json()["error"] == "MethodNotAllowed"
    assert wrong.headers["allow"] == "POST"
    bad_bytes = client.post("/api/ask", content=b'{"question": "\xff\xfe"}', headers=JSON)
    assert bad_bytes.status_code == 422 and bad_bytes.json()["error"] == "InvalidJSON"
    deep = client.post("/api/ask", content=b"[" * 100_000 + b"]" * 100_000, headers=JSON)
    assert deep.status_code == 422 and deep.json()["error"] == "InvalidJSON"


def test_document_text_is_returned_as_data(client: httpx.Client) -> None:
    """The JSON API returns text raw (the docs say so); escaping is the renderer's job."""
    passages = client.post("/api/retrieve", json={"question": "Lily Donahue", "k": 3}).json()
    assert any("Lily Donahue" in p["author"] for p in passages if p["author"])
