"""With ASSISTANT_AUTH set, the web app asks for a login and the JSON API for HTTP Basic."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .servers import clean_env, free_port, stop, wait_until_healthy

LAUNCH = "from assistant import Assistant, load_settings; from assistant.webapp import launch; launch(Assistant(load_settings()))"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir: Path = tmp_path_factory.mktemp("auth")
    port = free_port()
    env = clean_env(ASSISTANT_STORE_DIR=str(workdir / "store"), ASSISTANT_CORPUS_DIR=str(workdir / "corpus"),
                    ASSISTANT_CONFIG=str(workdir / "none.toml"), ASSISTANT_PORT=str(port),
                    ASSISTANT_AUTH="analyst:s3cret")
    log = workdir / "server.log"
    with log.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-c", LAUNCH], env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(proc, f"http://127.0.0.1:{port}/api/health", 90, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


@pytest.mark.server
def test_api_needs_the_configured_credentials(server: str) -> None:
    assert httpx.get(f"{server}/api/documents").status_code == 401
    assert httpx.get(f"{server}/api/documents", auth=("analyst", "wrong")).status_code == 401
    ok = httpx.get(f"{server}/api/documents", auth=("analyst", "s3cret"))
    assert ok.status_code == 200 and ok.json() == []
    asked = httpx.post(f"{server}/api/ask", json={"question": "Who wrote it?"}, auth=("analyst", "s3cret"))
    assert asked.status_code == 200 and asked.json()["abstained"] is True  # empty index, says so


@pytest.mark.server
def test_ui_requires_a_login(server: str) -> None:
    config = httpx.get(f"{server}/config")
    assert config.status_code == 401 or "login" in config.text.lower()
    bad = httpx.post(f"{server}/login", data={"username": "analyst", "password": "nope"})
    assert bad.status_code >= 400
    with httpx.Client(base_url=server) as client:
        good = client.post("/login", data={"username": "analyst", "password": "s3cret"})
        assert good.status_code == 200
        assert client.get("/config").status_code == 200
