"""Analyst chat assistant: cited answers from intelligence and security articles.

The public surface is small: :class:`Assistant`, :class:`Settings`, the data types that
cross its boundary and the error family. Everything else is an implementation detail.
"""

from .config import Settings, load_settings
from .errors import (
    AssistantError,
    BackendError,
    ConfigurationError,
    DocumentError,
    NotFoundError,
    QuestionError,
    StoreError,
    UnsupportedFormatError,
)
from .retrieval import RetrievalFilter
from .schema import Answer, Citation, DocumentInfo, Passage, Turn
from .service import Assistant

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "BackendError",
    "Citation",
    "ConfigurationError",
    "DocumentError",
    "DocumentInfo",
    "NotFoundError",
    "Passage",
    "QuestionError",
    "RetrievalFilter",
    "Settings",
    "StoreError",
    "Turn",
    "UnsupportedFormatError",
    "load_settings",
]
