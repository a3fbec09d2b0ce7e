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


# -- exposure needs a login (issue 11): real processes, real sockets ---------------------------

REPO = Path(__file__).resolve().parent.parent
SERVE = [sys.executable, "-m", "assistant.cli"]


def _env(workdir: Path, **extra: str) -> dict[str, str]:
    return clean_env(ASSISTANT_STORE_DIR=str(workdir / "store"), ASSISTANT_CORPUS_DIR=str(workdir / "corpus"),
                     ASSISTANT_CONFIG=str(workdir / "none.toml"), **extra)


@pytest.mark.server
@pytest.mark.parametrize(
    "argv,extra",
    [
        ([*SERVE, "serve", "--host", "0.0.0.0"], {}),
        ([*SERVE, "ui", "--host", "0.0.0.0", "--no-ingest"], {}),
        ([sys.executable, str(REPO / "ui.py")], {"ASSISTANT_HOST": "0.0.0.0"}),
        ([sys.executable, "-c", LAUNCH], {"ASSISTANT_HOST": "::"}),
    ],
    ids=["serve", "cli-ui", "ui.py", "launch"],
)
def test_open_binding_without_a_login_refuses_to_start(tmp_path: Path, argv: list[str], extra: dict[str, str]) -> None:
    port = free_port()
    proc = subprocess.run([*argv, *(["--port", str(port)] if "--host" in argv else [])],
                          env=_env(tmp_path, ASSISTANT_PORT=str(port), **extra), cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "refusing to serve on" in proc.stderr and "ASSISTANT_AUTH" in proc.stderr
    assert "--insecure" in proc.stderr
    if "-c" not in argv:  # launch() itself is a library call: it raises ConfigurationError
        assert "Traceback" not in proc.stderr
    assert "added" not in proc.stdout  # refused before indexing anything
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)


def _serve(tmp_path: Path, extra_args: list[str], **env: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        proc = subprocess.Popen([*SERVE, "serve", "--host", "0.0.0.0", "--port", str(port), *extra_args],
                                env=_env(tmp_path, **env), cwd=tmp_path, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(proc, f"{url}/api/health", 90, log)
    return proc, url, log


@pytest.mark.server
def test_open_binding_with_a_login_serves_behind_it(tmp_path: Path) -> None:
    proc, url, _ = _serve(tmp_path, [], ASSISTANT_AUTH="analyst:s3cret")
    try:
        denied = httpx.get(f"{url}/api/documents")
        assert denied.status_code == 401
        assert denied.json()["error"] == "Unauthorized"  # the API's one error shape
        assert denied.headers["www-authenticate"].startswith("Basic")
        assert httpx.get(f"{url}/api/documents", auth=("analyst", "s3cret")).status_code == 200
    finally:
        stop(proc)


@pytest.mark.server
def test_insecure_flag_serves_openly_with_a_warning(tmp_path: Path) -> None:
    proc, url, log = _serve(tmp_path, ["--insecure"])
    try:
        assert httpx.get(f"{url}/api/documents").status_code == 200
        assert "WITHOUT a login" in log.read_text()
    finally:
        stop(proc)
