"""The JSON API (FastAPI): ask, chat, retrieve, documents, health, with an OpenAPI schema.

Served alone by ``assistant serve`` or beside the Gradio UI by ``ui.py``; both mount it at
``/api``. Handlers are plain functions: FastAPI runs them in its thread pool, and the
assistant's model and store are shared by every request of the process.

The request models are strict and built from the settings, so the OpenAPI document states
exactly what is accepted: unknown fields and filter keys are errors (a typo in a filter must
not silently widen the search), ``k`` is a JSON integer, and every length bound of
:mod:`assistant.limits` appears as ``maxLength``/``maxItems``. Every error, whatever raised
it (a body that is not JSON, a validation failure, a missing route, a wrong method, a
missing login, a body over the size limit), has one shape: ``{"error": ..., "detail": ...}``.

Document text is data: passages, quotes, titles and authors are returned exactly as they
appear in the source files, unescaped. A client that renders them as HTML or Markdown must
escape them (the project's own UI and Markdown export do).
"""

# No ``from __future__ import annotations`` here: the request models are built per settings
# inside api_router(), and FastAPI resolves string annotations against module globals only.

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import date
from http import HTTPStatus
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__
from .records import make_passages
from .config import RetrievalMode, Settings
from .errors import AssistantError
from .http_stream import stream_router
from .limits import MAX_DOCUMENT_ID_CHARS, MAX_K, MAX_TURN_DOCUMENTS
from .openai_compat import openai_router
from .retrieval import RetrievalFilter
from .schema import ANSWERABLE_KINDS, Answer, BlockKind, DocumentInfo, Passage, Turn
from .service import Assistant

DATA_NOTE = (
    "Document text is data: passage text, quotes, titles, authors and sections are returned "
    "exactly as in the source files, unescaped. Escape them before rendering as HTML or Markdown."
)
#: At least one character that Python's str.strip() keeps (\x1c-\x1f count as space there).
NOT_BLANK = r"[^\s\x1c-\x1f]"


class HealthResponse(BaseModel):
    status: Literal["ok"]
    version: str
    documents: int
    chunks: int
    embedding_model: str
    store: str


class ErrorResponse(BaseModel):
    """The one shape of every error response."""

    error: str = Field(description="Error class, e.g. QuestionError, ValidationError, NotFound.")
    detail: str = Field(description="What went wrong and how to fix it.")


def _iso_date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError("use an ISO date such as 2024-07-11") from None


def _whole_number(value: Any) -> Any:
    """JSON Schema's integer: 5 and 5.0 are whole numbers; true and "5" are not (StrictInt after)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


K = Annotated[int, Strict(), Field(ge=1, le=MAX_K), BeforeValidator(_whole_number)]
IsoDate = Annotated[str, Field(json_schema_extra={"format": "date"}), AfterValidator(_iso_date)]


def request_models(settings: Settings) -> tuple[type[BaseModel], type[BaseModel]]:
    """(AskRequest, ChatRequest) whose bounds are this deployment's settings."""
    strict = ConfigDict(extra="forbid")
    Question = Annotated[str, Field(min_length=1, max_length=settings.max_question_chars, pattern=NOT_BLANK,
                                    description="The analyst's question (ASSISTANT_MAX_QUESTION_CHARS).",
                                    examples=["Which treaty does the pact replace?"])]
    Entry = Annotated[str, Field(max_length=settings.max_filter_chars)]
    backends = settings.available_backends

    class Filters(RetrievalFilter):
        """Restrict retrieval; the fields combine with AND. Unknown keys are errors."""

        model_config = ConfigDict(frozen=True, extra="forbid")
        documents: tuple[Entry, ...] | None = Field(None, max_length=settings.max_filter_items,
                                                    description="doc_ids (source paths, as /api/documents lists them).")
        sections: tuple[Entry, ...] | None = Field(None, max_length=settings.max_filter_items,
                                                   description="Section paths, or their top level ('Forecast').")
        date_from: IsoDate | None = Field(None, description="ISO date, inclusive. Omit it (or null) for no bound.")
        date_to: IsoDate | None = Field(None, description="ISO date, inclusive. Omit it (or null) for no bound.")
        kinds: tuple[BlockKind, ...] = Field(ANSWERABLE_KINDS, max_length=len(get_args(BlockKind)),
                                             description="Passage kinds to include.")

    class HistoryTurn(Turn):
        """One earlier exchange; each text obeys the same limit as a question."""

        model_config = strict
        question: str = Field(max_length=settings.max_question_chars)
        answer: str = Field("", max_length=settings.max_turn_answer_chars)
        standalone_question: str | None = Field(None, max_length=settings.max_question_chars)
        documents: list[Annotated[str, Field(max_length=MAX_DOCUMENT_ID_CHARS)]] = Field(
            default_factory=list, max_length=MAX_TURN_DOCUMENTS,
            description="The documents that turn's answer cited (as its citations give them); optional.")

    class AskRequest(BaseModel):
        model_config = strict
        question: Question
        k: K | None = Field(None, description="Passages to retrieve (a whole number, 1 to 50).")
        mode: RetrievalMode | None = None
        backend: Literal[backends] | None = Field(  # type: ignore[valid-type]
            None, description="'llm' is offered only when ASSISTANT_LLM_* configure one.")
        filters: Filters | None = None

    class ChatRequest(AskRequest):
        history: list[HistoryTurn] = Field(default_factory=list, max_length=settings.max_history_turns,
                                           description="Earlier turns, oldest first (ASSISTANT_MAX_HISTORY_TURNS).")

    return AskRequest, ChatRequest


AskRequest, ChatRequest = request_models(Settings.model_construct())


def _basic_auth(credentials: str) -> Callable[..., None]:
    """HTTP Basic check against ASSISTANT_AUTH, for API clients (the UI uses Gradio's login)."""
    user, _, password = credentials.partition(":")
    security = HTTPBasic(realm="analyst-assistant")

    def check(given: HTTPBasicCredentials = Depends(security)) -> None:  # noqa: B008 (FastAPI idiom)
        ok_user = secrets.compare_digest(given.username.encode(), user.encode())
        ok_pass = secrets.compare_digest(given.password.encode(), password.encode())
        if not (ok_user and ok_pass):
            raise HTTPException(status_code=401, detail="wrong user or password",
                                headers={"WWW-Authenticate": "Basic"})

    return check


def api_router(bot: Assistant) -> APIRouter:
    """The API routes; when ASSISTANT_AUTH is set, every route but /health needs it (HTTP Basic)."""
    guarded = [Depends(_basic_auth(bot.settings.auth))] if bot.settings.auth else []
    Ask, Chat = request_models(bot.settings)
    errors: dict[int | str, dict[str, Any]] = {
        400: {"model": ErrorResponse, "description": "Refused input (empty question, invalid Unicode, a bound)."},
        404: {"model": ErrorResponse, "description": "Not found."},
    }
    if bot.settings.auth:
        errors[401] = {"model": ErrorResponse, "description": "Login needed (HTTP Basic, ASSISTANT_AUTH)."}
    posted: dict[int | str, dict[str, Any]] = {
        413: {"model": ErrorResponse, "description": "Body over ASSISTANT_MAX_BODY_BYTES."},
        422: {"model": ErrorResponse, "description": "Body is not JSON or does not match the schema."},
    }
    router = APIRouter(responses={k: v for k, v in errors.items() if k != 401})
    protected = APIRouter(dependencies=guarded, responses=errors)

    @router.get("/health", response_model=HealthResponse, summary="Liveness and index summary",
                responses={503: {"model": ErrorResponse, "description": "The index is unreadable (store removed or damaged)."}})
    def health() -> HealthResponse:
        bot.store.check()  # a broken index is a StoreError: 503, not "ok"
        info = bot.status()
        return HealthResponse(status="ok", version=__version__, documents=info["documents"],
                              chunks=info["chunks"], embedding_model=info["embedding_model"],
                              store=info["store"])

    @protected.get("/documents", response_model=list[DocumentInfo], summary="Indexed documents",
                   description="Titles and authors are returned as found in the files. " + DATA_NOTE)
    def documents() -> list[DocumentInfo]:
        return bot.documents()

    @protected.post("/ask", response_model=Answer, summary="Answer one question with citations",
                    responses=posted, description=DATA_NOTE)
    def ask(req: Ask) -> Answer:  # type: ignore[valid-type]
        return bot.ask(req.question, k=req.k, mode=req.mode, filters=req.filters, backend=req.backend)

    @protected.post("/chat", response_model=Answer, summary="Answer a question in a conversation",
                    responses=posted, description=DATA_NOTE)
    def chat(req: Chat) -> Answer:  # type: ignore[valid-type]
        return bot.chat(req.history, req.question, k=req.k, mode=req.mode, filters=req.filters,
                        backend=req.backend)

    @protected.post("/retrieve", response_model=list[Passage], summary="Passages only, no answer",
                    responses=posted, description=DATA_NOTE)
    def retrieve(req: Ask) -> list[Passage]:  # type: ignore[valid-type]
        return make_passages(bot.retrieve(req.question, k=req.k, mode=req.mode, filters=req.filters))

    protected.include_router(stream_router(bot, Chat), responses=posted)  # POST /stream: server-sent events
    router.include_router(protected)
    return router


# -- errors and limits -----------------------------------------------------------------------


def error_response(status: int, error: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The one error shape; text that is not valid UTF-8 (lone surrogates) is replaced, not a 500."""
    def clean(text: str) -> str:
        return text.encode("utf-8", "replace").decode("utf-8")

    return JSONResponse(status_code=status, content={"error": clean(error), "detail": clean(detail)},
                        headers=headers)


def _http_error_name(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.replace(" ", "").replace("-", "")
    except ValueError:
        return "HTTPError"


def _describe(errors: list[dict[str, Any]]) -> str:
    parts = []
    for err in errors[:10]:
        loc = [str(p) for p in err.get("loc", ()) if p != "body"]
        if err.get("type") == "json_invalid":
            loc = [f"character {loc[0]}"] if loc else []
        where = ".".join(loc) or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
    return "; ".join(parts) + more


class BodyLimit:
    """ASGI middleware: a request body under ``prefixes`` over ``max_bytes`` gets a 413.

    The body is counted as it arrives (a missing or false Content-Length does not help), and
    buffered, which is fine at the JSON API's size; Gradio's uploads under / are not touched.
    """

    def __init__(self, app: Any, max_bytes: int, prefixes: tuple[str, ...] = ("/api", "/v1")) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.prefixes = prefixes

    async def __call__(self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        too_big = error_response(413, "PayloadTooLarge",
                                 f"the request body is over {self.max_bytes} bytes (ASSISTANT_MAX_BODY_BYTES)")
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await too_big(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # disconnected
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await too_big(scope, receive, send)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def add_error_handlers(app: FastAPI, settings: Settings | None = None, prefix: str = "/api",
                       exclude: tuple[str, ...] = ("/v1",), also_limit: tuple[str, ...] = ()) -> None:
    """Give every error under ``prefix`` the documented shape; with settings, bound body sizes.

    Paths under ``exclude`` (the OpenAI-compatible routes, which answer in OpenAI's error shape)
    keep FastAPI's defaults; the body limit covers them too, and the paths in ``also_limit``
    (the Gradio queue's event endpoints, whose bodies carry a question, never a file).
    """
    from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler

    def ours(path: str) -> bool:
        return path.startswith(prefix) and not path.startswith(exclude)

    @app.exception_handler(AssistantError)
    def _assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        return error_response(exc.status_code, type(exc).__name__, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        if not ours(request.url.path):
            return await request_validation_exception_handler(request, exc)
        errors = list(exc.errors())
        kinds = {e.get("type") for e in errors}
        if "json_invalid" in kinds:
            return error_response(422, "InvalidJSON", "the body is not valid JSON: " + _describe(errors))
        if "string_unicode" in kinds:  # a lone surrogate (\ud800) cannot be UTF-8: refused like bad text
            return error_response(400, "InvalidUnicode", "text must be valid Unicode (no lone surrogates): "
                                  + _describe([e for e in errors if e.get("type") == "string_unicode"]))
        return error_response(422, "ValidationError", _describe(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if not ours(request.url.path):
            return await http_exception_handler(request, exc)
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's answer to bytes that are not UTF-8, or JSON nested too deep to parse
            return error_response(422, "InvalidJSON", "the body is not valid JSON (UTF-8 text, not nested too deep)")
        return error_response(exc.status_code, _http_error_name(exc.status_code), str(exc.detail),
                              headers=dict(exc.headers) if exc.headers else None)

    @app.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return error_response(500, "InternalError", "the server failed on this request; see its log")

    if settings is not None:
        app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, prefixes=(prefix, *exclude, *also_limit))


def create_api(bot: Assistant) -> FastAPI:
    """A standalone FastAPI app with the API under /api and the OpenAI-compatible routes under /v1."""
    app = FastAPI(title="Analyst assistant API", version=__version__,
                  description="Cited answers from the indexed intelligence and security articles. " + DATA_NOTE)
    app.include_router(api_router(bot), prefix="/api")
    app.include_router(openai_router(bot))  # /v1: the OpenAI-compatible chat endpoint
    add_error_handlers(app, bot.settings, prefix="")  # standalone: every path but /v1
    return app
