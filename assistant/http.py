"""The JSON API (FastAPI): ask, chat, retrieve, documents, health, with an OpenAPI schema.

Served alone by ``assistant serve`` or beside the Gradio UI by ``ui.py``; both mount it at
``/api``. Handlers are plain functions: FastAPI runs them in its thread pool, and the
assistant's model and store are shared by every request of the process.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from . import __version__
from .errors import AssistantError
from .retrieval import RetrievalFilter
from .schema import Answer, DocumentInfo, Passage, Turn
from .service import Assistant
from .answering import make_passages


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


def api_router(bot: Assistant) -> APIRouter:
    router = APIRouter(responses={400: {"model": ErrorResponse}, 404: {"model": ErrorResponse}})

    @router.get("/health", response_model=HealthResponse, summary="Liveness and index summary")
    def health() -> HealthResponse:
        info = bot.status()
        return HealthResponse(status="ok", version=__version__, documents=info["documents"],
                              chunks=info["chunks"], embedding_model=info["embedding_model"],
                              store=info["store"])

    @router.get("/documents", response_model=list[DocumentInfo], summary="Indexed documents")
    def documents() -> list[DocumentInfo]:
        return bot.documents()

    @router.post("/ask", response_model=Answer, summary="Answer one question with citations")
    def ask(req: AskRequest) -> Answer:
        return bot.ask(req.question, k=req.k, mode=req.mode, filters=req.filters, backend=req.backend)

    @router.post("/chat", response_model=Answer, summary="Answer a question in a conversation")
    def chat(req: ChatRequest) -> Answer:
        return bot.chat(req.history, req.question, k=req.k, mode=req.mode, filters=req.filters,
                        backend=req.backend)

    @router.post("/retrieve", response_model=list[Passage], summary="Passages only, no answer")
    def retrieve(req: AskRequest) -> list[Passage]:
        return make_passages(bot.retrieve(req.question, k=req.k, mode=req.mode, filters=req.filters))

    return router


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AssistantError)
    def _assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code,
                            content={"error": type(exc).__name__, "detail": str(exc)})


def create_api(bot: Assistant) -> FastAPI:
    """A standalone FastAPI app with the API under /api."""
    app = FastAPI(title="Analyst assistant API", version=__version__,
                  description="Cited answers from the indexed intelligence and security articles.")
    app.include_router(api_router(bot), prefix="/api")
    add_error_handlers(app)
    return app
