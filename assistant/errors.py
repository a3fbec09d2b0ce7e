"""One exception family, so every interface can turn failures into a clean message.

Each message names the fix: the CLI prints it, the HTTP layer returns it as JSON and the UI
shows it, so a user never needs a traceback to know what to do next.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""

    #: HTTP status the web layer uses for this error.
    status_code: int = 400


class ConfigurationError(AssistantError):
    """A setting is missing, unknown or out of range."""


class DocumentError(AssistantError):
    """A file cannot be turned into a document (empty, binary, unknown format, unreadable)."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class UnsupportedFormatError(DocumentError):
    """The file's extension has no parser."""


class QuestionError(AssistantError):
    """The question cannot be answered as asked (empty, too long)."""


class InputError(AssistantError):
    """A request exceeds a documented bound or carries text that is not valid Unicode."""


class PayloadTooLargeError(InputError):
    """The request body is larger than ASSISTANT_MAX_BODY_BYTES."""

    status_code = 413


class NotFoundError(AssistantError):
    """A named document or resource does not exist in the index."""

    status_code = 404


class StoreError(AssistantError):
    """The vector store cannot be reached or is inconsistent."""

    status_code = 503


class BackendError(AssistantError):
    """The optional LLM backend is not installed, not reachable or answered badly."""

    status_code = 502
