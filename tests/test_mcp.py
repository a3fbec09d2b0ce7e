"""The MCP server, driven by the official SDK's own ``ClientSession`` against a real
``assistant mcp`` process: over stdio (as Claude Desktop spawns it) and over streamable HTTP.

Each transport runs one session that makes every call once (the model loads once per
process); the tests below then assert on what came back. Expected values come from
corpus/bisi-2024-07-11-pyongyang-parlays.txt.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from .protocol_servers import (
    OUT_OF_CORPUS, PASSWORD, TREATY, TREATY_QUESTION, USER, Workspace, cli, free_port, ingested_workspace,
    running,
)

pytestmark = [pytest.mark.server]

FOLLOW_UP = "When was it signed?"


async def exercise(session: ClientSession) -> dict[str, Any]:
    """Every call the tests look at, in one session."""
    out: dict[str, Any] = {"init": await session.initialize()}
    out["tools"] = (await session.list_tools()).tools
    out["ask"] = await session.call_tool("ask", {"question": TREATY_QUESTION})
    first = out["ask"].structured_content
    out["follow_up"] = await session.call_tool(
        "ask", {"question": FOLLOW_UP, "history": [{"question": TREATY_QUESTION, "answer": first["text"]}]})
    out["abstain"] = await session.call_tool("ask", {"question": OUT_OF_CORPUS})
    out["empty"] = await session.call_tool("ask", {"question": "  "})
    out["too_long"] = await session.call_tool("ask", {"question": "x" * 50_000})
    out["search"] = await session.call_tool("search", {"query": "treaty the pact replaces", "k": 3})
    out["search_bad_k"] = await session.call_tool("search", {"query": "treaty", "k": 0})
    out["documents"] = await session.call_tool("documents", {})
    doc_id = out["documents"].structured_content["documents"][0]["doc_id"]
    out["filtered"] = await session.call_tool(
        "search", {"query": "treaty", "k": 2, "filters": {"documents": [doc_id]}})
    out["filtered_out"] = await session.call_tool(
        "search", {"query": "treaty", "k": 2, "filters": {"documents": ["/nowhere/else.txt"]}})
    out["resources"] = (await session.list_resources()).resources
    out["read"] = await session.read_resource(out["resources"][0].uri)
    try:
        await session.read_resource("assistant://documents/0000000000000000")
        out["missing"] = None
    except MCPError as exc:
        out["missing"] = exc
    return out


def run_stdio(ws: Workspace) -> dict[str, Any]:
    params = StdioServerParameters(command=cli()[0], args=["mcp"], env=ws.env, cwd=str(ws.root))

    async def scenario() -> dict[str, Any]:
        with (ws.root / "mcp-stdio.log").open("w") as errlog:
            async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
                return await exercise(session)

    return anyio.run(scenario)


def run_http(url: str, headers: dict[str, str]) -> dict[str, Any]:
    import httpx2

    async def scenario() -> dict[str, Any]:
        async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=120)) as http, \
                streamable_http_client(url, http_client=http) as (read, write), \
                ClientSession(read, write) as session:
            return await exercise(session)

    return anyio.run(scenario)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return ingested_workspace(tmp_path_factory, "mcp", ASSISTANT_AUTH=f"{USER}:{PASSWORD}")


@pytest.fixture(scope="module")
def stdio(workspace: Workspace) -> dict[str, Any]:
    return run_stdio(workspace)


@pytest.fixture(scope="module")
def http_server(workspace: Workspace) -> Any:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(workspace, cli("mcp", "--http", "--port", str(port)), f"{base}/health", "mcp-http.log"):
        yield base


@pytest.fixture(scope="module")
def over_http(http_server: str) -> dict[str, Any]:
    return run_http(f"{http_server}/mcp", {"Authorization": f"Bearer {PASSWORD}"})


@pytest.fixture(scope="module", params=["stdio", "http"])
def results(request: pytest.FixtureRequest) -> dict[str, Any]:
    return request.getfixturevalue("stdio" if request.param == "stdio" else "over_http")


def article_text(ws: Workspace) -> str:
    return ws.article.read_bytes().decode("utf-8")


# -- what both transports must give ------------------------------------------------------------------


def test_server_offers_ask_and_search(results: dict[str, Any]) -> None:
    assert results["init"].server_info.name == "analyst-assistant"
    tools = {t.name: t for t in results["tools"]}
    assert {"ask", "search", "documents"} <= set(tools)
    assert "question" in tools["ask"].input_schema["properties"]
    assert "history" in tools["ask"].input_schema["properties"]
    assert {"query", "k", "filters"} <= set(tools["search"].input_schema["properties"])


def test_ask_gives_a_cited_answer_with_exact_quotes(results: dict[str, Any], workspace: Workspace) -> None:
    result = results["ask"]
    assert not result.is_error
    answer = result.structured_content
    assert answer["abstained"] is False
    assert TREATY in answer["text"]
    text = article_text(workspace)
    shown = {p["number"] for p in answer["passages"]}
    assert answer["citations"]
    for cit in answer["citations"]:
        assert cit["marker"] in shown
        assert text[cit["start"]:cit["end"]] == cit["quote"]
    # clients that read only the text content get the same answer, as data (JSON)
    assert json.loads(result.content[0].text)["text"] == answer["text"]


def test_ask_resolves_a_follow_up_from_history(results: dict[str, Any]) -> None:
    answer = results["follow_up"].structured_content
    assert answer["standalone_question"] != FOLLOW_UP


def test_out_of_corpus_question_abstains(results: dict[str, Any]) -> None:
    answer = results["abstain"].structured_content
    assert answer["abstained"] is True
    assert answer["citations"] == []


@pytest.mark.parametrize(("call", "words"), [("empty", "empty"), ("too_long", "limit"), ("search_bad_k", "k")])
def test_bad_input_is_a_tool_error_with_a_message(results: dict[str, Any], call: str, words: str) -> None:
    result = results[call]
    assert result.is_error
    assert words in result.content[0].text


def test_search_returns_k_passages(results: dict[str, Any], workspace: Workspace) -> None:
    passages = results["search"].structured_content["passages"]
    assert len(passages) == 3
    text = article_text(workspace)
    for p in passages:
        assert text[p["start"]:p["end"]] == p["text"]
    assert any("2000" in p["text"] for p in passages)


def test_documents_tool_lists_what_the_filters_take(results: dict[str, Any], workspace: Workspace) -> None:
    [doc] = results["documents"].structured_content["documents"]
    assert doc["author"] == "Lily Donahue" and doc["uri"].startswith("assistant://documents/")
    assert Path(doc["doc_id"]) == workspace.article.resolve()
    assert len(results["filtered"].structured_content["passages"]) == 2
    assert results["filtered_out"].structured_content["passages"] == []


def test_documents_are_resources_with_their_passages(results: dict[str, Any], workspace: Workspace) -> None:
    [resource] = results["resources"]
    assert str(resource.uri).startswith("assistant://documents/")
    assert resource.title and resource.title.startswith("Pyongyang Parlays")
    [content] = results["read"].contents
    assert content.mime_type == "application/json"
    doc = json.loads(content.text)
    assert doc["document"]["author"] == "Lily Donahue"
    text = article_text(workspace)
    assert doc["passages"] and all(text[p["start"]:p["end"]] == p["text"] for p in doc["passages"])
    assert isinstance(results["missing"], MCPError)


# -- HTTP only ------------------------------------------------------------------------------------------


def test_http_needs_the_login(http_server: str) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    response = httpx.post(f"{http_server}/mcp", json=body, headers={"Accept": "application/json, text/event-stream"})
    assert response.status_code == 401
    wrong = httpx.post(f"{http_server}/mcp", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert httpx.get(f"{http_server}/health").json()["status"] == "ok"


def test_http_refuses_a_public_address_without_login(tmp_path: Path) -> None:
    env = {k: v for k, v in workspace_env(tmp_path).items() if k != "ASSISTANT_AUTH"}
    proc = subprocess.run(cli("mcp", "--http", "--host", "0.0.0.0", "--port", str(free_port())),
                          env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "ASSISTANT_AUTH" in proc.stderr and "Traceback" not in proc.stderr


def workspace_env(tmp_path: Path) -> dict[str, str]:
    from .servers import clean_env
    from .protocol_servers import REPO

    env = clean_env(ASSISTANT_STORE_DIR=str(tmp_path / "store"), ASSISTANT_CORPUS_DIR=str(tmp_path / "corpus"),
                    ASSISTANT_CONFIG=str(tmp_path / "none.toml"))
    env["PYTHONPATH"] = str(REPO)
    return env


# -- the CLI stays light ----------------------------------------------------------------------------------


def test_cold_ask_loads_no_protocol_stack(workspace: Workspace) -> None:
    """``assistant ask`` answers without importing the MCP SDK, the OpenAI client or the web stack."""
    script = ("import sys\n"
              "sys.argv = ['assistant', 'ask', 'Who wrote the article?']\n"
              "import assistant.cli\n"
              "try:\n    assistant.cli.app()\nexcept SystemExit:\n    pass\n"
              "print('LOADED', [m for m in ('mcp', 'openai', 'fastapi', 'uvicorn', 'gradio') if m in sys.modules])\n")
    proc = subprocess.run([sys.executable, "-c", script], env=workspace.env, cwd=str(workspace.root),
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert "Lily Donahue" in proc.stdout  # the question really was answered
    assert "LOADED []" in proc.stdout, proc.stdout
