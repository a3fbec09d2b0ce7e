"""A real `launch()` server in a subprocess, over a freshly ingested temporary corpus.

Shared by the browser test and the gradio_client test.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from assistant.testing import make_assistant

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(workdir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
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
    return env


def run_ui_server(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[UIServer]:
    """Ingest a temp corpus copy, start the real app, yield once /api/health answers, stop it."""
    workdir = tmp_path_factory.mktemp(name)
    with pytest.MonkeyPatch.context() as mp:  # ingest with the same clean settings the server gets
        for key in [k for k in os.environ if k.startswith("ASSISTANT_")]:
            mp.delenv(key)
        mp.setenv("ASSISTANT_CONFIG", str(workdir / "assistant.toml"))
        make_assistant(workdir)  # corpus at <workdir>/corpus, store at <workdir>/store, ingested
    port = free_port()
    log_path = workdir / "server.log"
    server = UIServer(port=port, workdir=workdir, log_path=log_path)
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCH],
            env=server_env(workdir, port), cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited with {proc.returncode}:\n{server.log_tail()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server not healthy after {STARTUP_TIMEOUT_S}s:\n{server.log_tail()}")
                time.sleep(0.3)
            yield server
        finally:
            stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM; uvicorn then waits for open streams to end (a gradio_client heartbeat holds one
    for up to ~15 s), and a following SIGINT makes it quit at once; SIGKILL as a last resort."""
    for sig, wait_s in ((signal.SIGTERM, 3), (signal.SIGINT, 10)):
        if proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue
    proc.kill()
    proc.wait(timeout=10)
