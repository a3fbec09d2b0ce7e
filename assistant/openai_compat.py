"""The OpenAI chat-completions protocol in front of the assistant: ``/v1/chat/completions``, ``/v1/models``.

Chat front-ends (Open WebUI, LibreChat) and any OpenAI SDK script speak this protocol, so the
assistant meets them there. What goes in and out:

* The conversation's ``messages`` go in. The last message must be the user's question; earlier
  user/assistant pairs become the history that follow-ups are resolved against. System (and
  developer) messages cannot change how the assistant answers, which is only ever from the
  corpus: they are ignored, and a warning says so.
* The cited answer comes out as the assistant message, its ``[n]`` markers kept, so a client
  that knows nothing of this service still shows a useful answer. The extra top-level field
  ``sources`` (as PrivateGPT attaches its sources) carries what the markers point at: the
  shown passages (number, title, author, date, section, exact text and span) and the
  citations (marker, verbatim quote and its span), plus ``abstained`` and ``warnings``.
* ``stream: true`` answers with server-sent events in the OpenAI chunk format, the last chunk
  carrying ``finish_reason`` and ``sources``, then ``data: [DONE]``. The text streamed is the
  validated answer: a protocol that cannot take back text it has sent must only ever send
  text whose citations were checked.
* Models: ``analyst-assistant`` (the extractive backend) and, when an LLM provider is
  configured, ``analyst-assistant-llm``. Sampling parameters (temperature, max_tokens, ...)
  are accepted and ignored: the answer is drawn from the corpus, not sampled.
* Errors have OpenAI's shape ``{"error": {"message", "type", "param", "code"}}`` with a 4xx
  status for bad input, whatever went wrong (validation, limits, auth, unknown model).
* Auth: when ``ASSISTANT_AUTH`` is set, HTTP Basic with it, or ``Authorization: Bearer`` with
  the password (or the whole ``user:password``), which is what OpenAI clients send as the key.

Extra request fields an OpenAI client can pass through ``extra_body``: ``k`` (passages to
retrieve) and ``filters`` (the JSON API's retrieval filter).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt
from starlette.exceptions import HTTPException as StarletteHTTPException

from .answering import stream_text
from .config import Settings
from .credentials import authorized
from .errors import AssistantError
from .limits import MAX_K, check_request
from .retrieval import RetrievalFilter
from .schema import Answer, Evidence, Turn
from .service import Assistant

log = logging.getLogger(__name__)

MODEL = "analyst-assistant"
LLM_MODEL = "analyst-assistant-llm"
OWNER = "analyst-assistant"


# -- request --------------------------------------------------------------------------------------


class ContentPart(BaseModel):
    """One part of a message's content; only text parts can be answered from a text corpus."""

    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")  # name, tool_calls, refusal ... are accepted and unused
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None


class ChatCompletionRequest(BaseModel):
    """OpenAI's request body. Unlisted OpenAI parameters are accepted and ignored."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"model": MODEL, "messages": [{"role": "user", "content": "What does the document say about this?"}]}]})
    model: str = Field(description=f"'{MODEL}' or, with an LLM configured, '{LLM_MODEL}'.", examples=[MODEL])
    messages: list[ChatMessage] = Field(min_length=1, description="The conversation, oldest first.")
    stream: StrictBool = False
    n: StrictInt | None = Field(None, description="Only 1 is supported.")
    tools: list[Any] | None = Field(None, description="Not supported: the assistant calls no tools.")
    k: StrictInt | None = Field(None, ge=1, le=MAX_K, description="Extension: passages to retrieve.")
    filters: RetrievalFilter | None = Field(None, description="Extension: the JSON API's retrieval filter.")


# -- response -------------------------------------------------------------------------------------


class Sources(Evidence):
    """The extra field on every completion: what the answer's ``[n]`` markers point at."""


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    refusal: str | None = None


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    sources: Sources


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = OWNER


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


# -- errors ---------------------------------------------------------------------------------------


class OpenAIError(Exception):
    """An error to report in OpenAI's shape."""

    def __init__(self, status: int, message: str, code: str | None = None, param: str | None = None,
                 kind: str = "invalid_request_error", headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param, self.kind = status, message, code, param, kind
        self.headers = headers

    def response(self) -> JSONResponse:
        body = ErrorBody(error=ErrorDetail(message=self.message, type=self.kind, param=self.param, code=self.code))
        return JSONResponse(status_code=self.status, content=body.model_dump(), headers=self.headers)


def _from_assistant_error(exc: AssistantError) -> OpenAIError:
    status = int(getattr(exc, "status_code", 400))
    kind = "invalid_request_error" if status < 500 else "server_error"
    return OpenAIError(status, str(exc), code=_snake(type(exc).__name__), kind=kind)


def _from_validation(exc: RequestValidationError) -> OpenAIError:
    problems, param = [], None
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p != "body"]
        if err.get("type") == "json_invalid":
            problems.append("the request body is not valid JSON")
            continue
        where = ".".join(loc)
        param = param or where or None
        problems.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return OpenAIError(400, "; ".join(problems) or "invalid request", code="invalid_request", param=param)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


class OpenAIRoute(APIRoute):
    """A route whose every failure (body validation, auth, the assistant's own errors, a bug)
    is answered in OpenAI's error shape instead of the JSON API's, because OpenAI clients parse it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except OpenAIError as exc:
                return exc.response()
            except RequestValidationError as exc:
                return _from_validation(exc).response()
            except AssistantError as exc:
                return _from_assistant_error(exc).response()
            except StarletteHTTPException as exc:
                return OpenAIError(exc.status_code, str(exc.detail), code=None).response()
            except Exception:  # a bug: logged here, a clean 500 for the client
                log.exception("unexpected error in %s", request.url.path)
                return OpenAIError(500, "internal error; see the server log", kind="server_error").response()

        return guarded


# -- the translation --------------------------------------------------------------------------------


def model_ids(settings: Settings) -> list[str]:
    """The models this server offers: the LLM one only when a provider is configured."""
    return [MODEL, LLM_MODEL] if settings.llm_provider != "none" else [MODEL]


def _text(message: ChatMessage, index: int) -> str:
    if message.content is None:
        return ""
    if isinstance(message.content, str):
        return message.content
    pieces = []
    for part in message.content:
        if part.type != "text" or part.text is None:
            raise OpenAIError(400, f"messages[{index}] has a '{part.type}' part; only text is supported",
                              code="unsupported_content", param=f"messages.{index}.content")
        pieces.append(part.text)
    return "\n".join(pieces)


def conversation(messages: list[ChatMessage], settings: Settings) -> tuple[list[Turn], str, list[str]]:
    """Split OpenAI messages into (history turns, the question, warnings).

    A user message opens a turn, the assistant message after it is that turn's answer; the
    last message must be the user's question. System/developer messages are noted and ignored.
    Lengths and counts are then checked by :func:`assistant.limits.check_request`, as for /api.
    """
    warnings: list[str] = []
    turns: list[Turn] = []
    if messages[-1].role != "user":
        raise OpenAIError(400, "the last message must be the user's question (role 'user')",
                          code="invalid_messages", param="messages")
    for i, message in enumerate(messages[:-1]):
        text = _text(message, i)
        if message.role in ("system", "developer"):
            if text.strip() and not warnings:
                warnings.append("system message ignored: answers come only from the indexed documents")
        elif message.role == "user":
            if text.strip():
                turns.append(Turn(question=text))
        elif message.role == "assistant":
            if turns and not turns[-1].answer:
                turns[-1] = turns[-1].model_copy(update={"answer": text})
        else:
            raise OpenAIError(400, f"messages[{i}] has role '{message.role}'; the assistant calls no tools",
                              code="unsupported_role", param=f"messages.{i}.role")
    return turns, _text(messages[-1], len(messages) - 1), warnings


def sources(answer: Answer, warnings: list[str]) -> Sources:
    return Sources(**{**answer.evidence(), "warnings": [*warnings, *answer.warnings]})


def _sse(payload: dict[str, Any] | str) -> str:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n"


def _chunks(answer: Answer, extra: Sources, model: str, cid: str, created: int) -> Iterator[str]:
    head = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model}
    yield _sse({**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                     "finish_reason": None, "logprobs": None}]})
    for piece in stream_text(answer.text):
        yield _sse({**head, "choices": [{"index": 0, "delta": {"content": piece},
                                         "finish_reason": None, "logprobs": None}]})
    yield _sse({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop", "logprobs": None}],
                "sources": extra.model_dump(mode="json")})
    yield _sse("[DONE]")


def openai_router(bot: Assistant) -> APIRouter:
    """``/v1/chat/completions`` and ``/v1/models``; guarded by ASSISTANT_AUTH when it is set."""
    settings = bot.settings
    started = int(time.time())

    def require_key(request: Request) -> None:
        if not authorized(request.headers.get("authorization"), settings.auth):
            raise OpenAIError(401, "missing or wrong API key: send ASSISTANT_AUTH's password as the "
                              "Bearer key (or HTTP Basic user:password)", code="invalid_api_key",
                              headers={"WWW-Authenticate": 'Bearer realm="analyst-assistant"'})

    errors: dict[int | str, dict[str, Any]] = {
        status: {"model": ErrorBody} for status in (400, 401, 404, 413, 502, 503)
    }
    router = APIRouter(prefix="/v1", route_class=OpenAIRoute, dependencies=[Depends(require_key)],
                       tags=["OpenAI-compatible"], responses=errors)

    def card(model_id: str) -> ModelCard:
        return ModelCard(id=model_id, created=started)

    @router.get("/models", response_model=ModelList, summary="The models this server offers")
    def models() -> ModelList:
        return ModelList(data=[card(m) for m in model_ids(settings)])

    @router.get("/models/{model_id}", response_model=ModelCard, summary="One model")
    def model(model_id: str) -> ModelCard:
        if model_id not in model_ids(settings):
            raise OpenAIError(404, f"no model '{model_id}'; use one of {', '.join(model_ids(settings))}",
                              code="model_not_found", param="model")
        return card(model_id)

    @router.post(
        "/chat/completions", response_model=ChatCompletion, summary="Cited answer to the conversation",
        responses={200: {"content": {"text/event-stream": {}},
                         "description": "A chat.completion, or chunks as server-sent events with stream: true."}},
    )
    def chat_completions(req: ChatCompletionRequest) -> Any:
        if req.model not in model_ids(settings):
            raise OpenAIError(404, f"no model '{req.model}'; use one of {', '.join(model_ids(settings))}",
                              code="model_not_found", param="model")
        if req.n not in (None, 1):
            raise OpenAIError(400, "only n=1 is supported", code="unsupported_parameter", param="n")
        if req.tools:
            raise OpenAIError(400, "tools are not supported: the assistant answers from its corpus",
                              code="unsupported_parameter", param="tools")
        history, question, warnings = conversation(req.messages, settings)
        backend = "llm" if req.model == LLM_MODEL else "extractive"
        check_request(settings, question, history, req.filters, req.k)  # the JSON API's bounds
        answer = bot.chat(history, question, k=req.k, filters=req.filters, backend=backend)
        extra = sources(answer, warnings)
        cid, created = f"chatcmpl-{secrets.token_hex(12)}", int(time.time())
        if req.stream:
            return StreamingResponse(_chunks(answer, extra, req.model, cid, created),
                                     media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        return ChatCompletion(id=cid, created=created, model=req.model, sources=extra,
                              choices=[Choice(message=AssistantMessage(content=answer.text))])

    @router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                      include_in_schema=False)
    def unknown(rest: str, request: Request) -> None:
        allowed = "POST" if rest == "chat/completions" else "GET" if rest.split("/")[0] == "models" else None
        if allowed:  # a known route with another method
            raise OpenAIError(405, f"/v1/{rest} accepts {allowed} only, not {request.method}",
                              code="method_not_allowed", headers={"Allow": allowed})
        raise OpenAIError(404, f"no route /v1/{rest}; this server offers /v1/chat/completions and /v1/models",
                          code="unknown_url")

    return router
