"""Shared fixtures: real model, real Chroma in temporary folders, no network but loopback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.config import use_offline_environment

use_offline_environment()  # the test process's edge: before the model, Chroma or Gradio load

pytest_plugins = ["assistant.testing"]

REPO = Path(__file__).resolve().parent.parent
ARTICLE = REPO / "corpus" / "bisi-2024-07-11-pyongyang-parlays.txt"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own store, corpus and config location; no test touches the repo's."""
    monkeypatch.setenv("ASSISTANT_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "assistant.toml"))
    monkeypatch.setenv("ASSISTANT_LEXICAL_CACHE_DIR", str(tmp_path / "lexical-cache"))
    kept = {"ASSISTANT_STORE_DIR", "ASSISTANT_CORPUS_DIR", "ASSISTANT_CONFIG", "ASSISTANT_LEXICAL_CACHE_DIR"}
    for key in list(os.environ):
        if key.startswith("ASSISTANT_") and key not in kept:
            monkeypatch.delenv(key)


@pytest.fixture()
def article_text() -> str:
    return ARTICLE.read_text(encoding="utf-8")
