"""The JSON API (FastAPI): ask, chat, retrieve, documents, health, with an OpenAPI schema.

Served alone by ``assistant serve`` or beside the Gradio UI by ``ui.py``; both mount it at
``/api``. Handlers are plain functions: FastAPI runs them in its thread pool, and the
assistant's model and store are shared by every request of the process.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from . import __version__
from .errors import AssistantError
from .http_stream import stream_router
from .openai_compat import openai_router
from .retrieval import RetrievalFilter
from .schema import Answer, DocumentInfo, Passage, Turn
from .service import Assistant
from .records import make_passages


class AskRequest(BaseModel):
    question: str = Field(description="The analyst's question.", examples=["Which treaty does the pact replace?"])
    k: int | None = Field(None, ge=1, le=50, description="Passages to retrieve.")
    mode: Literal["hybrid", "dense", "lexical"] | None = None
    backend: Literal["extractive", "llm"] | None = None
    filters: RetrievalFilter | None = None


class ChatRequest(AskRequest):
    history: list[Turn] = Field(default_factory=list, description="Earlier turns, oldest first.")


class HealthResponse(BaseModel):
    status: Literal["ok"]
    version: str
    documents: int
    chunks: int
    embedding_model: str
    store: str


class ErrorResponse(BaseModel):
    error: str
    detail: str


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
    router = APIRouter(responses={400: {"model": ErrorResponse}, 404: {"model": ErrorResponse}})
    protected = APIRouter(dependencies=guarded)

    @router.get("/health", response_model=HealthResponse, summary="Liveness and index summary")
    def health() -> HealthResponse:
        info = bot.status()
        return HealthResponse(status="ok", version=__version__, documents=info["documents"],
                              chunks=info["chunks"], embedding_model=info["embedding_model"],
                              store=info["store"])

    @protected.get("/documents", response_model=list[DocumentInfo], summary="Indexed documents")
    def documents() -> list[DocumentInfo]:
        return bot.documents()

    @protected.post("/ask", response_model=Answer, summary="Answer one question with citations")
    def ask(req: AskRequest) -> Answer:
        return bot.ask(req.question, k=req.k, mode=req.mode, filters=req.filters, backend=req.backend)

    @protected.post("/chat", response_model=Answer, summary="Answer a question in a conversation")
    def chat(req: ChatRequest) -> Answer:
        return bot.chat(req.history, req.question, k=req.k, mode=req.mode, filters=req.filters,
                        backend=req.backend)

    @protected.post("/retrieve", response_model=list[Passage], summary="Passages only, no answer")
    def retrieve(req: AskRequest) -> list[Passage]:
        return make_passages(bot.retrieve(req.question, k=req.k, mode=req.mode, filters=req.filters))

    protected.include_router(stream_router(bot, ChatRequest))  # POST /stream: server-sent events
    router.include_router(protected)
    return router


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AssistantError)
    def _assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code,
                            content={"error": type(exc).__name__, "detail": str(exc)})


def create_api(bot: Assistant) -> FastAPI:
    """A standalone FastAPI app with the API under /api and the OpenAI-compatible routes under /v1."""
    app = FastAPI(title="Analyst assistant API", version=__version__,
                  description="Cited answers from the indexed intelligence and security articles.")
    app.include_router(api_router(bot), prefix="/api")
    app.include_router(openai_router(bot))  # /v1: the OpenAI-compatible chat endpoint
    add_error_handlers(app)
    return app
