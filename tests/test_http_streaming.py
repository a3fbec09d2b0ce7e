"""``POST /api/stream``: server-sent events from a real ``assistant serve`` process, read with httpx.

Text pieces arrive as ``delta`` events, then the final validated Answer as one ``answer`` event.
Expected values come from corpus/bisi-2024-07-11-pyongyang-parlays.txt.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistant.schema import Answer
from assistant.testing import assert_abstains, assert_cites

from .protocol_servers import (
    OUT_OF_CORPUS, PASSWORD, TREATY, TREATY_QUESTION, USER, Workspace, serving_with_login,
)

pytestmark = [pytest.mark.server]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, str]]:
    with serving_with_login(tmp_path_factory, "sse") as served:
        yield served


@pytest.fixture(scope="module")
def client(served: tuple[Workspace, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served[1], auth=(USER, PASSWORD), timeout=60) as c:
        yield c


def read_events(response: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    """Parse a text/event-stream body as it arrives: (event name, JSON data) per event."""
    events: list[tuple[str, dict[str, Any]]] = []
    name, data = "message", []
    for line in response.iter_lines():
        if line == "":
            if data:
                events.append((name, json.loads("\n".join(data))))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
    return events


def stream(client: httpx.Client, body: dict[str, Any]) -> tuple[httpx.Response, list[tuple[str, dict[str, Any]]]]:
    with client.stream("POST", "/api/stream", json=body) as response:
        if response.status_code != 200:
            response.read()
            return response, []
        assert response.headers["content-type"].startswith("text/event-stream")
        return response, read_events(response)


def test_text_pieces_then_the_validated_answer(client: httpx.Client, served: tuple[Workspace, str]) -> None:
    _, events = stream(client, {"question": TREATY_QUESTION})
    names = [n for n, _ in events]
    assert names[-1] == "answer" and names.count("answer") == 1
    assert set(names[:-1]) == {"delta"} and len(names) > 2  # several pieces before the answer
    answer = Answer.model_validate(events[-1][1])
    assert "".join(d["text"] for n, d in events if n == "delta") == answer.text
    assert_cites(answer, evidence=TREATY)
    article = served[0].article_text()
    for cit in answer.citations:
        assert article[cit.start:cit.end] == cit.quote


def test_stream_equals_the_plain_answer(client: httpx.Client) -> None:
    plain = Answer.model_validate(client.post("/api/ask", json={"question": TREATY_QUESTION}).json())
    _, events = stream(client, {"question": TREATY_QUESTION})
    streamed = Answer.model_validate(events[-1][1])
    assert streamed.text == plain.text
    assert [c.quote for c in streamed.citations] == [c.quote for c in plain.citations]


def test_follow_up_with_history(client: httpx.Client) -> None:
    first = client.post("/api/ask", json={"question": TREATY_QUESTION}).json()
    body = {"question": "When was it signed?",
            "history": [{"question": TREATY_QUESTION, "answer": first["text"]}]}
    _, events = stream(client, body)
    answer = Answer.model_validate(events[-1][1])
    assert answer.standalone_question != "When was it signed?"


def test_out_of_corpus_streams_an_abstention(client: httpx.Client) -> None:
    _, events = stream(client, {"question": OUT_OF_CORPUS})
    assert_abstains(Answer.model_validate(events[-1][1]))


@pytest.mark.parametrize("body", [
    {"question": ""},
    {"question": "x" * 50_000},
    {"question": TREATY_QUESTION, "k": 0},
    {"question": TREATY_QUESTION, "mode": "psychic"},
    {"nothing": "here"},
])
def test_bad_input_is_a_json_4xx_before_any_event(client: httpx.Client, body: dict[str, Any]) -> None:
    response, events = stream(client, body)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert events == []
    assert response.json()  # the JSON API's error body, not a traceback


def test_login_is_required(served: tuple[Workspace, str]) -> None:
    response = httpx.post(f"{served[1]}/api/stream", json={"question": TREATY_QUESTION})
    assert response.status_code == 401
