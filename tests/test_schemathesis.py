"""The JSON API keeps its own OpenAPI schema: Schemathesis (``st run --checks all``) against a
real ``assistant serve`` process over a real, ingested store.

Every check runs: no 5xx, every status and body documented, schema-valid requests accepted,
schema-invalid ones rejected, unsupported methods answered 405, response time bounded. The
examples are bounded (30 per operation, a fixed seed by default so a failure reproduces;
``ASSISTANT_ST_SEED`` picks another) so the run takes about a minute. The OpenAI-compatible
/v1 routes answer in OpenAI's error shape and are tested in test_openai_compat.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.testing import make_assistant

from .conftest import ARTICLE
from .servers import clean_env, free_port, stop, wait_until_healthy

pytestmark = [pytest.mark.server, pytest.mark.slow]

ST = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
MAX_EXAMPLES = 30


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("schemathesis")
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("ASSISTANT_")]:
            mp.delenv(key)
        mp.setenv("ASSISTANT_CONFIG", str(workdir / "none.toml"))
        make_assistant(workdir, ARTICLE)
    port = free_port()
    log = workdir / "server.log"
    env = clean_env(ASSISTANT_STORE_DIR=str(workdir / "store"), ASSISTANT_CORPUS_DIR=str(workdir / "corpus"),
                    ASSISTANT_CONFIG=str(workdir / "none.toml"))
    with log.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
                                env=env, cwd=workdir, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(proc, f"{url}/api/health", 90, log)
        # Load the model once, so the first generated case is not timed on a cold start.
        httpx.post(f"{url}/api/ask", json={"question": "warm up"}, timeout=120)
        yield url
    finally:
        stop(proc)
        server_errors = [line for line in log.read_text(errors="replace").splitlines() if '" 500 ' in line]
        assert not server_errors, server_errors[:5]


def test_the_api_keeps_its_schema(api_url: str, tmp_path: Path) -> None:
    seed = os.environ.get("ASSISTANT_ST_SEED", "20241107")
    cmd = [
        ST, "run", f"{api_url}/openapi.json",
        "--checks", "all",
        "--include-path-regex", "^/api/",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", seed,
        "--request-timeout", "30",
        "--max-response-time", "15",
        "--no-color",
        "--report", "junit", "--report-dir", str(tmp_path),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=400, cwd=tmp_path,
                          env={**os.environ, "SCHEMATHESIS_HOOKS": ""})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-8000:]
    assert "Tested: 6" in out, out[-3000:]  # ask, chat, retrieve, stream, documents, health
