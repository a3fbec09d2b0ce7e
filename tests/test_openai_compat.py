"""The OpenAI-compatible endpoint, driven by the official ``openai`` client and LangChain's
``ChatOpenAI`` against a real ``assistant serve`` process on 127.0.0.1 (with a login, sent as
the Bearer key the way OpenAI clients send it).

Expected values come from corpus/bisi-2024-07-11-pyongyang-parlays.txt.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from openai import OpenAI

from .protocol_servers import (
    OUT_OF_CORPUS, PASSWORD, TREATY, TREATY_QUESTION, USER, Workspace, serving_with_login,
)

pytestmark = [pytest.mark.server]

MODEL = "analyst-assistant"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, str]]:
    with serving_with_login(tmp_path_factory, "openai") as served:
        yield served


@pytest.fixture(scope="module")
def client(served: tuple[Workspace, str]) -> OpenAI:
    return OpenAI(base_url=f"{served[1]}/v1", api_key=PASSWORD, max_retries=0, timeout=60)


def sources(completion: Any) -> dict[str, Any]:
    extra = completion.model_extra or {}
    assert "sources" in extra, f"no sources field in {completion}"
    return extra["sources"]


def assert_cited(text: str, src: dict[str, Any], article: str) -> None:
    """Every [n] points at a shown passage with a citation, and each quote is exact in the file."""
    shown = {p["number"]: p for p in src["passages"]}
    cited = {c["marker"] for c in src["citations"]}
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", text)}
    assert markers, text
    assert markers <= set(shown) and markers <= cited, (markers, set(shown), cited)
    for cit in src["citations"]:
        assert article[cit["start"]:cit["end"]] == cit["quote"]
        p = shown[cit["marker"]]
        assert article[p["start"]:p["end"]] == p["text"]
        assert {"title", "author", "date", "section"} <= set(p)


# -- the openai client -----------------------------------------------------------------------------


def test_models_lists_the_assistant(client: OpenAI) -> None:
    ids = [m.id for m in client.models.list()]
    assert ids == [MODEL]  # no LLM provider configured: no llm model offered
    assert client.models.retrieve(MODEL).id == MODEL


def test_plain_completion_is_a_cited_answer(client: OpenAI, served: tuple[Workspace, str]) -> None:
    completion = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": TREATY_QUESTION}])
    message = completion.choices[0].message
    assert message.role == "assistant"
    assert completion.choices[0].finish_reason == "stop"
    assert TREATY in (message.content or "")
    src = sources(completion)
    assert src["abstained"] is False
    assert_cited(message.content or "", src, served[0].article_text())
    assert any(p["title"].startswith("Pyongyang Parlays") for p in src["passages"])


def test_streaming_gives_the_same_answer_in_chunks(client: OpenAI, served: tuple[Workspace, str]) -> None:
    plain = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": TREATY_QUESTION}])
    stream = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": TREATY_QUESTION}], stream=True)
    chunks = list(stream)
    pieces = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    assert sum(1 for p in pieces if p) > 1  # really in pieces, not one blob
    text = "".join(pieces)
    assert text == plain.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert len({c.id for c in chunks}) == 1
    src = sources(chunks[-1])  # the last chunk carries the sources
    assert_cited(text, src, served[0].article_text())


def test_follow_up_uses_the_message_history(client: OpenAI, served: tuple[Workspace, str]) -> None:
    first = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": TREATY_QUESTION}])
    follow = "When was it signed?"
    completion = client.chat.completions.create(model=MODEL, messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": TREATY_QUESTION},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": follow},
    ])
    src = sources(completion)
    assert src["standalone_question"] != follow  # resolved against the earlier turn
    assert "treaty" in src["standalone_question"].lower() or "pact" in src["standalone_question"].lower()
    assert any("system message ignored" in w for w in src["warnings"])
    alone = sources(client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": follow}]))
    assert alone["standalone_question"] == follow  # without history nothing is resolved


def test_out_of_corpus_question_abstains(client: OpenAI) -> None:
    completion = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": OUT_OF_CORPUS}])
    src = sources(completion)
    assert src["abstained"] is True
    assert src["citations"] == []
    assert not re.search(r"\[\d+\]", completion.choices[0].message.content or "")


def test_content_parts_are_accepted(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": [{"type": "text", "text": TREATY_QUESTION}]}])
    assert TREATY in (completion.choices[0].message.content or "")


def test_extra_body_k_and_filters(client: OpenAI) -> None:
    question = [{"role": "user", "content": TREATY_QUESTION}]
    two = sources(client.chat.completions.create(model=MODEL, messages=question, extra_body={"k": 2}))
    assert 1 <= len(two["passages"]) <= 2
    later = sources(client.chat.completions.create(
        model=MODEL, messages=question, extra_body={"filters": {"date_from": "2030-01-01"}}))
    assert later["passages"] == [] and later["abstained"] is True  # the article is dated 2024
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=MODEL, messages=question, extra_body={"filters": {"sectoins": ["x"]}})


# -- errors in OpenAI's shape ------------------------------------------------------------------------


def _error(exc: openai.APIStatusError) -> dict[str, Any]:
    body = exc.response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}, 404, "model_not_found"),
    ({"model": MODEL, "messages": []}, 400, None),
    ({"model": MODEL, "messages": [{"role": "assistant", "content": "hello"}]}, 400, "invalid_messages"),
    ({"model": MODEL, "messages": [{"role": "user", "content": "x" * 50_000}]}, 400, None),
    ({"model": MODEL, "messages": [{"role": "user", "content": "   "}]}, 400, None),
    ({"model": MODEL, "messages": [{"role": "user", "content": TREATY_QUESTION}], "n": 2}, 400, "unsupported_parameter"),
    ({"model": MODEL, "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}]}, 400, "unsupported_content"),
    ({"model": MODEL, "messages": [{"role": "wizard", "content": "hi"}]}, 400, None),
])
def test_bad_input_is_an_openai_shaped_4xx(client: OpenAI, kwargs: dict[str, Any], status: int, code: str | None) -> None:
    with pytest.raises(openai.APIStatusError) as info:
        client.chat.completions.create(**kwargs)
    assert info.value.status_code == status
    error = _error(info.value)
    assert error["type"] == "invalid_request_error"
    if code:
        assert error["code"] == code


def test_streaming_request_with_bad_input_fails_before_streaming(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "x" * 50_000}], stream=True)
    assert "limit" in _error(info.value)["message"]


def test_malformed_json_and_unknown_route(served: tuple[Workspace, str]) -> None:
    headers = {"Authorization": f"Bearer {PASSWORD}", "Content-Type": "application/json"}
    response = httpx.post(f"{served[1]}/v1/chat/completions", content=b'{"model": ', headers=headers)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]["message"]
    response = httpx.get(f"{served[1]}/v1/embeddings", headers=headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_url"


# -- auth ------------------------------------------------------------------------------------------------


def test_wrong_or_missing_key_is_refused(served: tuple[Workspace, str]) -> None:
    wrong = OpenAI(base_url=f"{served[1]}/v1", api_key="not-the-password", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as info:
        wrong.models.list()
    assert _error(info.value)["code"] == "invalid_api_key"
    assert httpx.get(f"{served[1]}/v1/models").status_code == 401


@pytest.mark.parametrize("header", [
    f"Bearer {USER}:{PASSWORD}",
    "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
])
def test_pair_as_bearer_and_http_basic_are_accepted(served: tuple[Workspace, str], header: str) -> None:
    response = httpx.get(f"{served[1]}/v1/models", headers={"Authorization": header})
    assert response.status_code == 200
    assert response.json()["data"][0]["id"] == MODEL


# -- LangChain's ChatOpenAI ---------------------------------------------------------------------------


def test_langchain_chat_openai_invoke_and_stream(served: tuple[Workspace, str]) -> None:
    from langchain_core.messages import AIMessage, HumanMessage
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=f"{served[1]}/v1", api_key=PASSWORD, model=MODEL, max_retries=0, timeout=60)
    reply = llm.invoke([HumanMessage(TREATY_QUESTION)])
    assert isinstance(reply, AIMessage)
    assert TREATY in reply.content
    assert re.search(r"\[\d+\]", reply.content)
    streamed = "".join(str(chunk.content) for chunk in llm.stream(TREATY_QUESTION))
    assert streamed == reply.content
    abstained = llm.invoke(OUT_OF_CORPUS)
    assert not re.search(r"\[\d+\]", str(abstained.content))


# -- the schema ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_v1_keeps_its_schema(served: tuple[Workspace, str], tmp_path: Path) -> None:
    """Schemathesis, every check but one: no 5xx, documented statuses and bodies, schema-invalid
    bodies refused, 405 for other methods. Left out: 'schema-valid requests are accepted', since
    OpenAI's protocol has rules a JSON schema cannot say (the last message is the user's)."""
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    cmd = [st, "run", f"{served[1]}/openapi.json", "--checks", "all",
           "--exclude-checks", "positive_data_acceptance", "--include-path-regex", "^/v1/",
           "--max-examples", "30", "--seed", os.environ.get("ASSISTANT_ST_SEED", "20241107"),
           "--request-timeout", "30", "--max-response-time", "20", "--no-color",
           "-H", f"Authorization: Bearer {PASSWORD}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=400, cwd=tmp_path,
                          env={**os.environ, "SCHEMATHESIS_HOOKS": ""})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert "Tested: 3" in out, out[-3000:]  # models, one model, chat completions
    log = (served[0].root / "server.log").read_text(errors="replace")
    assert '" 500 ' not in log


def test_llm_model_is_offered_only_when_configured() -> None:
    from assistant.config import load_settings
    from assistant.openai_compat import LLM_MODEL, model_ids

    assert model_ids(load_settings()) == [MODEL]
    assert model_ids(load_settings(llm_provider="openai", llm_model="smollm2")) == [MODEL, LLM_MODEL]


# -- the web app serves the same routes -------------------------------------------------------------------


@pytest.mark.slow
def test_the_web_app_serves_v1_and_the_stream(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The UI's app (Gradio at /) has /v1 and /api/stream beside /api, not only `assistant serve`."""
    from .ui_server import run_ui_server

    servers = run_ui_server(tmp_path_factory, "ui-v1")
    ui = next(servers)
    try:
        client = OpenAI(base_url=f"{ui.url}v1", api_key="none", max_retries=0, timeout=60)
        reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": TREATY_QUESTION}])
        assert TREATY in (reply.choices[0].message.content or "")
        assert sources(reply)["citations"]
        with httpx.stream("POST", f"{ui.url}api/stream", json={"question": TREATY_QUESTION}, timeout=60) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            body = response.read().decode()
        assert body.count("event: delta") > 1 and body.rstrip().split("\n\n")[-1].startswith("event: answer")
    finally:
        servers.close()
