"""Bounds on everything a caller sends, applied the same way at every interface.

The Python API (:class:`~assistant.Assistant`), the CLI, the JSON API, the web UI and the
protocol adapters all pass their input through :func:`check_request`, so a limit holds no
matter where the input enters: one history turn cannot smuggle a 4 MB question past the
question limit, and a 30,000-entry filter never reaches the store (SQLite refuses that many
variables with an internal error). Text must be valid Unicode: a lone surrogate cannot be
encoded to UTF-8 and would otherwise fail deep inside the tokenizer or the store.

:func:`require_login_to_expose` is the one check every server runs before it binds.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from .config import Settings
from .errors import ConfigurationError, InputError

#: Largest ``k`` any interface accepts (the same bound as ``Settings.top_k``).
MAX_K = 50
#: A history turn's cited documents: a few per answer, each an absolute path.
MAX_TURN_DOCUMENTS = 20
MAX_DOCUMENT_ID_CHARS = 4096
#: Hosts that only this machine can reach.
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def check_text(value: Any, what: str, limit: int) -> str:
    """``value`` as a string no longer than ``limit`` characters and encodable as UTF-8."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be text, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"{what} is not valid Unicode (a lone surrogate at character {exc.start}); "
            "send UTF-8 text"
        ) from None
    if len(value) > limit:
        raise InputError(f"{what} is {len(value)} characters; the limit is {limit}")
    return value


def check_k(k: Any) -> None:
    if k is None:
        return
    if isinstance(k, bool) or not isinstance(k, int):
        raise InputError(f"k must be a whole number from 1 to {MAX_K}, not {k!r}")
    if not 1 <= k <= MAX_K:
        raise InputError(f"k is {k}; use a number from 1 to {MAX_K}")


def check_history(turns: Sequence[Any], settings: Settings) -> None:
    """Each earlier turn obeys the question limit (its answer has its own, larger one)."""
    if len(turns) > settings.max_history_turns:
        raise InputError(
            f"the history has {len(turns)} turns; the limit is {settings.max_history_turns} "
            "(ASSISTANT_MAX_HISTORY_TURNS). Start a new conversation or send fewer turns."
        )
    q_limit = settings.max_question_chars
    for n, turn in enumerate(turns, start=1):
        check_text(getattr(turn, "question", ""), f"history turn {n}: question", q_limit)
        standalone = getattr(turn, "standalone_question", None)
        if standalone is not None:
            check_text(standalone, f"history turn {n}: standalone_question", q_limit)
        check_text(getattr(turn, "answer", "") or "", f"history turn {n}: answer", settings.max_turn_answer_chars)
        documents = getattr(turn, "documents", None) or []
        if len(documents) > MAX_TURN_DOCUMENTS:
            raise InputError(f"history turn {n} names {len(documents)} documents; the limit is {MAX_TURN_DOCUMENTS}")
        for document in documents:
            check_text(document, f"history turn {n}: document", MAX_DOCUMENT_ID_CHARS)


def check_filters(filters: Any, settings: Settings) -> None:
    """List lengths and entry sizes of a :class:`~assistant.retrieval.RetrievalFilter`."""
    if filters is None:
        return
    for name in ("documents", "sections", "kinds"):
        values: Iterable[Any] | None = getattr(filters, name, None)
        if values is None:
            continue
        values = list(values)
        # kinds come from a short fixed list (the default alone has five): a small floor
        most = max(settings.max_filter_items, 16) if name == "kinds" else settings.max_filter_items
        if len(values) > most:
            raise InputError(
                f"filters.{name} has {len(values)} entries; the limit is {most} (ASSISTANT_MAX_FILTER_ITEMS)"
            )
        for value in values:
            check_text(value, f"filters.{name} entry", settings.max_filter_chars)
    for name in ("date_from", "date_to"):
        value = getattr(filters, name, None)
        if value is not None:
            check_text(value, f"filters.{name}", 64)


def check_request(
    settings: Settings,
    question: Any,
    history: Sequence[Any] = (),
    filters: Any = None,
    k: Any = None,
) -> None:
    """Every bound at once; raises :class:`~assistant.errors.InputError` (HTTP 400).

    The question's own emptiness and length are checked by the assistant with their own
    messages; here it only has to be valid Unicode (and not absurdly long before that).
    """
    check_text(question, "the question", max(settings.max_question_chars * 4, 10_000))
    check_k(k)
    check_history(history, settings)
    check_filters(filters, settings)


# -- exposure --------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """True when only this machine can reach ``host`` (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def require_login_to_expose(host: str, settings: Settings, insecure: bool = False) -> str | None:
    """Refuse to serve beyond this machine without a login; call it before binding.

    Returns a warning to print when the operator chose ``--insecure`` (or
    ``ASSISTANT_INSECURE=true``), None when all is well, and raises
    :class:`~assistant.errors.ConfigurationError` otherwise.
    """
    if is_loopback(host) or settings.auth:
        return None
    if insecure or settings.insecure:
        return (f"warning: serving on {host} WITHOUT a login (--insecure); anyone who can reach "
                "this port can read every indexed document")
    raise ConfigurationError(
        f"refusing to serve on {host} without a login: anyone on the network could read the "
        "corpus. Set ASSISTANT_AUTH=user:password, bind 127.0.0.1, or pass --insecure "
        "(ASSISTANT_INSECURE=true) if you really mean it."
    )


__all__ = [
    "MAX_K",
    "check_filters",
    "check_history",
    "check_k",
    "check_request",
    "check_text",
    "is_loopback",
    "require_login_to_expose",
]
