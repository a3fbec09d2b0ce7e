"""A real `launch()` server in a subprocess, over a freshly ingested temporary corpus.

Shared by the browser test and the gradio_client test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.testing import make_assistant

from .servers import clean_env, free_port, stop, wait_until_healthy

REPO = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 90
LAUNCH = (
    "from assistant import Assistant, load_settings; "
    "from assistant.webapp import launch; "
    "launch(Assistant(load_settings()))"
)


@dataclass(frozen=True)
class UIServer:
    port: int
    workdir: Path
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def corpus_dir(self) -> Path:
        return self.workdir / "corpus"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "<no log>"


def server_env(workdir: Path, port: int) -> dict[str, str]:
    return clean_env(
        ASSISTANT_STORE_DIR=str(workdir / "store"),
        ASSISTANT_CORPUS_DIR=str(workdir / "corpus"),
        # A config path that does not exist, so no assistant.toml in the cwd leaks in.
        ASSISTANT_CONFIG=str(workdir / "assistant.toml"),
        ASSISTANT_PORT=str(port),
        ASSISTANT_HOST="127.0.0.1",
        HF_HUB_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        PYTHONUNBUFFERED="1",
    )


def run_ui_server(tmp_path_factory: pytest.TempPathFactory, name: str,
                  corpus: list[Path] | None = None) -> Iterator[UIServer]:
    """Ingest a temp corpus copy (default: the project's corpus/), start the real app, yield once
    /api/health answers, stop it."""
    workdir = tmp_path_factory.mktemp(name)
    with pytest.MonkeyPatch.context() as mp:  # ingest with the same clean settings the server gets
        for key in [k for k in os.environ if k.startswith("ASSISTANT_")]:
            mp.delenv(key)
        mp.setenv("ASSISTANT_CONFIG", str(workdir / "assistant.toml"))
        make_assistant(workdir, corpus)  # corpus at <workdir>/corpus, store at <workdir>/store, ingested
    port = free_port()
    log_path = workdir / "server.log"
    server = UIServer(port=port, workdir=workdir, log_path=log_path)
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCH],
            env=server_env(workdir, port), cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_until_healthy(proc, f"http://127.0.0.1:{port}/api/health", STARTUP_TIMEOUT_S, log_path)
            yield server
        finally:
            stop(proc)
