"""One store, several processes: a real `assistant serve` under load while the CLI ingests
and removes documents in the same store folder (see assistant/storelock.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from assistant import Assistant, load_settings

from .conftest import ARTICLE
from .servers import clean_env, free_port, stop, wait_until_healthy

NEW_DOC = """---
title: Harbour Notes
author: B. Analyst
date: 2024-09-02
---

# Harbour Notes

The Zarubino grain terminal loaded forty-two barges of barley during the September trial.

Customs officers in Zarubino reported that the barley barges sailed under three flags.
"""
NEW_QUESTION = "How many barges of barley did the Zarubino grain terminal load?"
CLI = "import sys; from assistant.cli import main; sys.argv[0] = 'assistant'; main()"


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CLI, *args], env=env, capture_output=True, text=True, timeout=300)


def cites(answer: dict, name: str) -> bool:
    return any(Path(c["path"]).name == name for c in answer.get("citations", []))


@pytest.mark.slow
def test_server_keeps_answering_while_another_process_ingests_and_removes(tmp_path: Path) -> None:
    corpus, store, extra = tmp_path / "corpus", tmp_path / "store", tmp_path / "incoming"
    corpus.mkdir()
    extra.mkdir()
    shutil.copyfile(ARTICLE, corpus / ARTICLE.name)
    Assistant(load_settings(corpus_dir=corpus, store_dir=store)).ingest()

    env = clean_env(ASSISTANT_STORE_DIR=str(store), ASSISTANT_CORPUS_DIR=str(corpus),
                    ASSISTANT_CONFIG=str(tmp_path / "none.toml"))
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen([sys.executable, "-c", CLI, "serve", "--port", str(port)], env=env,
                                  cwd=tmp_path, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/api"
    outcomes: Counter[str] = Counter()
    stop_load = threading.Event()

    def load() -> None:
        questions = ["Which treaty does the new pact replace?", NEW_QUESTION, "Who wrote the article?"]
        with httpx.Client(timeout=60) as client:
            n = 0
            while not stop_load.is_set():
                try:
                    if n % 4 == 3:
                        status = client.get(f"{base}/health").status_code
                    else:
                        status = client.post(f"{base}/ask", json={"question": questions[n % 3]}).status_code
                    outcomes[str(status)] += 1
                except httpx.HTTPError as exc:
                    outcomes[type(exc).__name__] += 1
                n += 1

    try:
        wait_until_healthy(server, f"{base}/health", 180, log, fail=pytest.fail)
        worker = threading.Thread(target=load, daemon=True)
        worker.start()
        time.sleep(2)

        (extra / "harbour.md").write_text(NEW_DOC, encoding="utf-8")
        done = cli(env, "ingest", str(extra))
        assert done.returncode == 0, done.stderr[-2000:]
        with httpx.Client(timeout=60) as client:
            deadline = time.monotonic() + 60
            answer: dict = {}
            while time.monotonic() < deadline:
                answer = client.post(f"{base}/ask", json={"question": NEW_QUESTION}).json()
                if cites(answer, "harbour.md"):
                    break
                time.sleep(0.5)
            assert cites(answer, "harbour.md"), f"the server never saw the new document: {answer.get('text')}"
            assert "forty-two" in answer["text"]
            assert client.get(f"{base}/health").json()["documents"] == 2

            gone = cli(env, "remove", str((extra / "harbour.md").resolve()))
            assert gone.returncode == 0, gone.stderr[-2000:]
            answer = client.post(f"{base}/ask", json={"question": NEW_QUESTION}).json()
            assert not cites(answer, "harbour.md"), "a removed document is still cited"
            assert client.get(f"{base}/health").json()["documents"] == 1
        time.sleep(1)
        stop_load.set()
        worker.join(timeout=90)
        assert outcomes["200"] > 10, outcomes
        assert set(outcomes) == {"200"}, f"failed requests during the ingest: {outcomes}"

        # A broken index is unhealthy, and questions get a clear 503, never a 500.
        shutil.rmtree(store)
        with httpx.Client(timeout=60) as client:
            health = client.get(f"{base}/health")
            assert health.status_code == 503, health.text
            assert "store" in health.text
            asked = client.post(f"{base}/ask", json={"question": "Who wrote the article?"})
            assert asked.status_code == 503, asked.text
    finally:
        stop_load.set()
        stop(server)
