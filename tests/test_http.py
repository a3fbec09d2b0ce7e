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
def test_empty_question_is_a_400(client: httpx.Client, path: str) -> None:
    response = client.post(path, json={"question": "   "})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "QuestionError"
    assert "empty" in body["detail"]


def test_too_long_question_is_a_400(client: httpx.Client) -> None:
    response = client.post("/api/ask", json={"question": "why " * 1250})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "QuestionError"
    assert "5000" in body["detail"] and "2000" in body["detail"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"content": b'{"question": ', "headers": {"content-type": "application/json"}},
        {"json": {}},
        {"json": {"question": 42}},
        {"json": {"question": TREATY_QUESTION, "k": 0}},
        {"json": {"question": TREATY_QUESTION, "mode": "fuzzy"}},
    ],
    ids=["broken-json", "no-question", "question-not-string", "k-zero", "bad-mode"],
)
def test_malformed_body_is_a_422(client: httpx.Client, kwargs: dict) -> None:
    response = client.post("/api/ask", **kwargs)
    assert response.status_code == 422
    assert "detail" in response.json()


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
