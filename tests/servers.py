"""Helpers for tests that start real server processes on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**assistant_vars: str) -> dict[str, str]:
    """This process's environment without any ASSISTANT_* setting, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(assistant_vars)
    return env


def wait_until_healthy(proc: subprocess.Popen[bytes], url: str, timeout_s: float, log: Path,
                       fail: Callable[[str], object] | None = None) -> None:
    """Poll ``url`` until it answers 200; raise (or call ``fail``) with the log if it never does."""
    def give_up(message: str) -> None:
        text = log.read_text(encoding="utf-8", errors="replace")[-4000:] if log.exists() else "<no log>"
        if fail is not None:
            fail(f"{message}:\n{text}")
        raise RuntimeError(f"{message}:\n{text}")

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            give_up(f"server exited with {proc.returncode}")
        if time.monotonic() > deadline:
            give_up(f"server not healthy after {timeout_s:.0f}s")
        time.sleep(0.3)


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
