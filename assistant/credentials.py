"""One check of an ``Authorization`` header against ``ASSISTANT_AUTH``, for every protocol.

The JSON API's clients send HTTP Basic; OpenAI SDKs and most MCP clients can only send
``Authorization: Bearer <key>``. Both carry the same secret, so the OpenAI-compatible routes and
the MCP server's HTTP transport accept either form: Basic ``user:password``, or Bearer with the
password alone or the whole ``user:password`` pair. Comparisons are constant-time.
"""

from __future__ import annotations

import base64
import binascii
import secrets


def _same(given: str, expected: str) -> bool:
    return secrets.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def authorized(header: str | None, auth: str | None) -> bool:
    """True when ``header`` (an Authorization value) matches ``auth`` ('user:password');
    always True when no login is configured."""
    if not auth:
        return True
    if not header:
        return False
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    _, _, password = auth.partition(":")
    if scheme.lower() == "bearer":
        # evaluate both comparisons so the timing does not say which form was close
        pair, alone = _same(value, auth), _same(value, password)
        return pair or alone
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        return _same(decoded, auth)
    return False

