"""The documented gradio_client endpoints (/ask, /chat, /documents) against a real server.

gradio_client 2.x: ``Client(src, ...)``, ``Client.predict(*args, api_name=...)`` and
``Client.view_api(all_endpoints=None, print_info=True, return_format=None)``, whose dict has
``named_endpoints`` and ``unnamed_endpoints``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from gradio_client import Client

from .conftest import ARTICLE
from .ui_server import REPO, UIServer, run_ui_server

pytestmark = pytest.mark.server

PUBLIC = {"/ask", "/chat", "/documents"}
UI_HANDLERS = {"respond", "select_answer", "export_conversation", "add_document", "remove_document"}
TREATY_Q = "Which treaty does the new pact replace?"
ARTICLE_TITLE = "Pyongyang Parlays: Vladimir Putin and Kim Jong Un Meet"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UIServer]:
    yield from run_ui_server(tmp_path_factory, "gradio-client")


@pytest.fixture(scope="module")
def client(server: UIServer) -> Iterator[Client]:
    c = Client(server.url, verbose=False, analytics_enabled=False)  # default download_files, as users call it
    try:
        yield c
    finally:
        c.close()  # stops the heartbeat stream, so the server can shut down promptly


def assert_exact_citations(answer: dict[str, Any], article: str) -> None:
    assert answer["citations"], f"no citations: {answer['text']!r}"
    for cit in answer["citations"]:
        assert cit["doc_id"].endswith(ARTICLE.name)
        assert article[cit["start"] : cit["end"]] == cit["quote"], f"quote of [{cit['marker']}] is not exact"
        assert f"[{cit['marker']}]" in answer["text"]


def test_view_api_names_only_the_public_endpoints(client: Client) -> None:
    api = client.view_api(return_format="dict", print_info=False)
    assert isinstance(api, dict)
    assert set(api["named_endpoints"]) == PUBLIC
    assert not api["unnamed_endpoints"]
    endpoints = api["named_endpoints"]
    params = {name: [p["parameter_name"] for p in ep["parameters"]] for name, ep in endpoints.items()}
    assert params == {"/ask": ["question", "k", "mode"], "/chat": ["history", "question"], "/documents": []}
    for endpoint in api["named_endpoints"].values():
        assert endpoint["description"], "each public endpoint documents itself"

    # Even asking for every endpoint does not reveal the UI's own handlers.
    everything = client.view_api(return_format="dict", print_info=False, all_endpoints=True)
    assert isinstance(everything, dict)
    shown = set(everything["named_endpoints"]) | set(everything["unnamed_endpoints"])
    assert not {f"/{name}" for name in UI_HANDLERS} & shown, shown

    # The app config marks them private...
    visibility = {d.get("api_name"): d.get("api_visibility") for d in client.config["dependencies"]}
    for name in UI_HANDLERS:
        assert visibility.get(name) == "private", (name, visibility.get(name))
    for name in ("ask", "chat", "documents"):
        assert visibility.get(name) == "public", (name, visibility.get(name))
    # ...and the client refuses to call them.
    with pytest.raises(ValueError, match="Cannot find a function"):
        client.predict(None, api_name="/remove_document")


def test_ask_returns_exact_citations(client: Client, article_text: str) -> None:
    answer = client.predict(TREATY_Q, 5, "hybrid", api_name="/ask")
    assert isinstance(answer, dict)
    assert answer["abstained"] is False
    assert answer["question"] == TREATY_Q
    assert "Good Neighbourliness Treaty" in answer["text"]
    assert_exact_citations(answer, article_text)
    assert any("Good Neighbourliness Treaty" in c["quote"] for c in answer["citations"])
    assert 1 <= len(answer["passages"]) <= 5
    assert {c["marker"] for c in answer["citations"]} <= {p["number"] for p in answer["passages"]}


def test_ask_defaults_and_abstention(client: Client) -> None:
    answer = client.predict("What is a good recipe for kimchi?", api_name="/ask")
    assert answer["abstained"] is True
    assert answer["citations"] == []


def test_chat_resolves_the_follow_up(client: Client, article_text: str) -> None:
    answer = client.predict([TREATY_Q], "Who signed it?", api_name="/chat")
    assert isinstance(answer, dict)
    assert answer["abstained"] is False
    assert answer["question"] == "Who signed it?"
    assert "Putin" in answer["text"]
    assert_exact_citations(answer, article_text)


def test_documents_lists_the_article(client: Client) -> None:
    docs = client.predict(api_name="/documents")
    assert isinstance(docs, list) and len(docs) == 1
    (doc,) = docs
    assert doc["title"] == ARTICLE_TITLE
    assert doc["author"] == "Lily Donahue"
    assert doc["date"] == "2024-07-11"
    assert doc["doc_id"].endswith(ARTICLE.name)
    assert "path" not in doc
    assert doc["chunks"] > 0


def _keys(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in _keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in _keys(v)}
    return set()


def test_outputs_hold_nothing_gradio_client_would_download(client: Client) -> None:
    answer = client.predict(TREATY_Q, 5, "hybrid", api_name="/ask")
    assert "path" not in _keys(answer)
    assert answer["passages"] and all(p["doc_id"].endswith(ARTICLE.name) for p in answer["passages"])


def test_the_readme_snippet_runs_as_written(server: UIServer, capsys: pytest.CaptureFixture[str]) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    (snippet,) = [b for b in blocks if "gradio_client" in b]
    assert "download_files" not in snippet
    code = snippet.replace("http://127.0.0.1:7860/", server.url)  # the only change: this server's port
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "Good Neighbourliness Treaty" in out
    assert ARTICLE_TITLE in out


def test_the_gradio_queue_has_the_body_limit(server: UIServer) -> None:
    import httpx

    big = b'{"data": ["' + b"a" * 2_000_000 + b'"], "fn_index": 0, "session_hash": "x"}'
    response = httpx.post(f"{server.url}gradio_api/queue/join", content=big,
                          headers={"content-type": "application/json"}, timeout=30)
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"


@pytest.mark.parametrize(
    "args,message",
    [
        (("pact", True, "hybrid"), None),  # gradio passes True through int(): k=1, answered
        (("x" * 3000, 5, "hybrid"), "the limit is 2000"),
    ],
    ids=["k-true", "too-long"],
)
def test_hostile_input_gets_the_assistants_message(client: Client, args: tuple, message: str | None) -> None:
    from gradio_client.exceptions import AppError

    if message is None:
        assert "text" in client.predict(*args, api_name="/ask")
        return
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/ask")


def test_history_over_the_limit_is_refused(client: Client) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="history turn 1: question is 3000 characters"):
        client.predict(["x" * 3000], "Who signed it?", api_name="/chat")


def test_a_lone_surrogate_through_the_queue_is_a_clear_error(server: UIServer) -> None:
    """gradio_client cannot even send one (httpx refuses to encode it): send the escape by hand."""
    import httpx

    with httpx.Client(base_url=server.url, timeout=60) as http:
        started = http.post("gradio_api/call/ask", content=b'{"data": ["\\ud800 pact", 5, "hybrid"]}',
                            headers={"content-type": "application/json"})
        assert started.status_code == 200, started.text
        events = http.get(f"gradio_api/call/ask/{started.json()['event_id']}").text
    assert "event: error" in events
    assert "not valid Unicode" in events
