"""The test suite itself: no network beyond loopback, and no test touches the real store."""

from __future__ import annotations

import os
import socket

import pytest


def test_network_beyond_loopback_is_blocked() -> None:
    with pytest.raises(Exception, match="(?i)blocked|not allowed|A test tried"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1, never routed


def test_each_test_has_its_own_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert os.environ["ASSISTANT_STORE_DIR"] == str(tmp_path / "store")
    assert os.environ["HF_HUB_OFFLINE"] == "1"
