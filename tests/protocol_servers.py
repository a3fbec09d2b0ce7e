"""A real ``assistant`` server process over a freshly ingested store, for the protocol tests.

The store is ingested in this process (``make_assistant``), then ``python -m assistant.cli``
serves it, configured only through ASSISTANT_* variables, as a deployment would be.
``PYTHONPATH`` points at this checkout so the process runs the code under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.testing import make_assistant

from .servers import clean_env, free_port, stop, wait_until_healthy

REPO = Path(__file__).resolve().parent.parent
ARTICLE_NAME = "bisi-2024-07-11-pyongyang-parlays.txt"
TREATY_QUESTION = "Which treaty does the new pact replace?"
TREATY = "2000 Friendship, Cooperation and Good Neighbourliness Treaty"
OUT_OF_CORPUS = "What is a good kimchi recipe?"
USER, PASSWORD = "analyst", "s3cret-pass"
STARTUP_TIMEOUT_S = 90.0


@dataclass
class Workspace:
    root: Path
    env: dict[str, str]

    @property
    def article(self) -> Path:
        return self.root / "corpus" / ARTICLE_NAME

    def article_text(self) -> str:
        """The served corpus copy, decoded without newline translation (spans index into it)."""
        return self.article.read_bytes().decode("utf-8")


def ingested_workspace(tmp_path_factory: pytest.TempPathFactory, name: str, **assistant_vars: str) -> Workspace:
    """A corpus copy and an ingested store; ``env`` configures a server process over them."""
    root = tmp_path_factory.mktemp(name)
    config = root / "no-such-config.toml"
    # Module fixtures run before conftest's per-test isolation: isolate the ingest ourselves.
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("ASSISTANT_")]:
            mp.delenv(key)
        mp.setenv("ASSISTANT_CONFIG", str(config))
        make_assistant(root)
    env = clean_env(ASSISTANT_STORE_DIR=str(root / "store"), ASSISTANT_CORPUS_DIR=str(root / "corpus"),
                    ASSISTANT_CONFIG=str(config), **assistant_vars)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return Workspace(root, env)


def cli(*args: str) -> list[str]:
    """The installed ``assistant`` command, as a user runs it."""
    return [str(Path(sys.executable).with_name("assistant")), *args]


@contextmanager
def running(ws: Workspace, args: list[str], health_url: str, log_name: str = "server.log") -> Iterator[Path]:
    """Run ``args`` in ``ws`` until the block ends; yields the log path once ``health_url`` answers."""
    log = ws.root / log_name
    with log.open("wb") as sink:
        process = subprocess.Popen(args, env=ws.env, cwd=str(ws.root), stdout=sink, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(process, health_url, STARTUP_TIMEOUT_S, log, fail=pytest.fail)
        yield log
    finally:
        stop(process)


@contextmanager
def serving_with_login(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[Workspace, str]]:
    """A real ``assistant serve`` over the ingested article, behind USER:PASSWORD; yields its URL."""
    ws = ingested_workspace(tmp_path_factory, name, ASSISTANT_AUTH=f"{USER}:{PASSWORD}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(ws, cli("serve", "--port", str(port)), f"{base}/api/health"):
        yield ws, base


__all__ = ["ARTICLE_NAME", "OUT_OF_CORPUS", "PASSWORD", "TREATY", "TREATY_QUESTION", "USER", "Workspace",
           "cli", "free_port", "ingested_workspace", "running", "serving_with_login"]
