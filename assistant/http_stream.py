"""``POST /api/stream``: the answer as server-sent events, for the JSON API's clients.

The body is the one ``/api/chat`` takes (``question``, optional ``history``, ``k``, ``mode``,
``backend``, ``filters``); a separate route rather than a ``stream`` flag on ``/api/ask`` keeps
each route's OpenAPI response one type. The events::

    event: delta
    data: {"text": "The new pact replaces "}
    ...
    event: answer
    data: {...the final, validated Answer, exactly as /api/chat returns it...}

The ``answer`` event is authoritative: its ``text`` is what passed citation validation, so a
client that renders the pieces as they come replaces them with it at the end (for the extractive
backend they are the same text). Bad input is refused before the stream starts, with the JSON
API's usual 4xx error body; a failure after it started ends the stream with
``event: error`` and ``data: {"error": ..., "detail": ...}``.
"""

import json
import logging
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from .errors import AssistantError
from .schema import Answer
from .service import Assistant

log = logging.getLogger(__name__)

STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def event(name: str, payload: dict[str, Any] | str) -> str:
    """One server-sent event; the payload is JSON, so it never spans lines unescaped."""
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"event: {name}\ndata: {data}\n\n"


def _encode(item: str | Answer) -> str:
    if isinstance(item, Answer):
        return event("answer", item.model_dump_json())
    return event("delta", {"text": item})


def _events(first: str | Answer, rest: Iterator[str | Answer]) -> Iterator[str]:
    yield _encode(first)
    try:
        for item in rest:
            yield _encode(item)
    except AssistantError as exc:
        yield event("error", {"error": type(exc).__name__, "detail": str(exc)})
    except Exception:  # a bug: logged; the client gets a clean end of stream, not a cut connection
        log.exception("stream failed")
        yield event("error", {"error": "InternalError", "detail": "internal error; see the server log"})


def stream_router(bot: Assistant, request_model: Any) -> APIRouter:
    """The streaming route; ``request_model`` is the JSON API's chat request (shared validation)."""
    router = APIRouter()

    @router.post(
        "/stream", summary="Answer as server-sent events: text pieces, then the validated Answer",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}},
                         "description": "event: delta (data {text}) ..., then event: answer (data Answer)."}},
    )
    def stream(req: request_model) -> StreamingResponse:  # type: ignore[valid-type]
        pieces = bot.stream(req.question, history=req.history, k=req.k, mode=req.mode,
                            filters=req.filters, backend=req.backend)
        first = next(pieces)  # checks the question before anything is sent: bad input is a 4xx
        return StreamingResponse(_events(first, pieces), media_type="text/event-stream", headers=STREAM_HEADERS)

    return router
