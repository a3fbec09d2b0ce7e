"""Warm asks against a Chroma server shared by two assistant processes, beside one local store.

When should a team move from the persistent folder to ``chroma run``? This runs the same
real-text corpus (the first ``--pages`` pages of Debian's python3.11-doc HTML) three ways in one
period, so the ratios mean something on a noisy machine:

* ``local``: one ``assistant serve`` on a persistent store folder;
* ``server A`` and ``server B``: two ``assistant serve`` processes (say, the UI's and the API's)
  whose ``ASSISTANT_CHROMA_HOST`` points at one ``chroma run``, asked alternately;
* the floor: a MiniLM query embedding plus a bare Chroma top-8 query, for each store.

It prints start-up time (process start to healthy), warm ``/api/ask`` median/p95 per process and
the floors. Every server listens on 127.0.0.1 only.

    .venv/bin/python benchmarks/server_mode.py --pages 20 --rounds 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import clean_env, free_port, stop, wait_until_healthy  # noqa: E402

DOCS = Path("/usr/share/doc/python3.11/html")
BIN = Path(sys.executable).parent
QUESTIONS = [
    "How do I open a file for reading?", "What does the with statement do?",
    "How are exceptions raised?", "What is a list comprehension?", "How do I format a string?",
    "What does the global statement do?", "How are default argument values evaluated?",
    "What is a generator?", "How do I define a class?", "What does pass do?",
    "How are dictionaries ordered?", "What is a lambda expression?",
]


def serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "assistant"), "serve", "--port", str(port)], env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(proc, f"{url}/api/health", 300, log)
    return proc, url, time.perf_counter() - started


def timed_asks(url: str, rounds: int) -> list[float]:
    times = []
    with httpx.Client(timeout=60) as client:
        for q in QUESTIONS:  # first pass warms the query cache-free path: not counted
            client.post(f"{url}/api/ask", json={"question": q + " (warm-up)"}).raise_for_status()
        for r in range(rounds):
            for q in QUESTIONS:
                t = time.perf_counter()
                client.post(f"{url}/api/ask", json={"question": f"{q} [{r}]"}).raise_for_status()
                times.append((time.perf_counter() - t) * 1000)
    return times


def floor_ms(store: Path | None, host: str | None, port: int | None) -> float:
    """MiniLM query embedding + a bare Chroma top-8 query, median over the questions."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from assistant import load_settings
    from assistant.embeddings import Embedder

    settings = load_settings()
    embedder = Embedder(settings.embedding_model, settings.embedding_device, settings.embedding_batch_size,
                        backend=settings.embedding_backend, model_cache_dir=settings.model_cache_dir)
    chroma = ChromaSettings(anonymized_telemetry=False)
    client = (chromadb.HttpClient(host=host, port=port, settings=chroma) if host
              else chromadb.PersistentClient(path=str(store), settings=chroma))
    collection = client.get_collection(settings.collection, embedding_function=None)
    embedder.embed_query("warm up")
    out = []
    for r in range(3):
        for q in QUESTIONS:
            t = time.perf_counter()
            vec = embedder.embed([f"{q} [{r}]"])[0]
            collection.query(query_embeddings=[vec], n_results=8)
            out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out)


def summary(times: list[float]) -> str:
    times = sorted(times)
    return f"{statistics.median(times):6.1f} / {times[int(0.95 * (len(times) - 1))]:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="assistant-server-mode-"))
    corpus = work / "corpus"
    corpus.mkdir()
    for page in sorted(DOCS.rglob("*.html"))[: args.pages]:
        shutil.copyfile(page, corpus / page.relative_to(DOCS).as_posix().replace("/", "__"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        local_env = clean_env(ASSISTANT_STORE_DIR=str(work / "local"), ASSISTANT_CORPUS_DIR=str(corpus))
        subprocess.run([str(BIN / "assistant"), "ingest", str(corpus)], env=local_env, check=True,
                       stdout=subprocess.DEVNULL)
        chroma_port = free_port()
        chroma = subprocess.Popen([str(BIN / "chroma"), "run", "--path", str(work / "chroma"),
                                   "--host", "127.0.0.1", "--port", str(chroma_port)],
                                  stdout=(work / "chroma.log").open("wb"), stderr=subprocess.STDOUT)
        procs.append(chroma)
        wait_until_healthy(chroma, f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", 120, work / "chroma.log")
        server_env = clean_env(ASSISTANT_CHROMA_HOST="127.0.0.1", ASSISTANT_CHROMA_PORT=str(chroma_port),
                               ASSISTANT_STORE_DIR=str(work / "unused"), ASSISTANT_CORPUS_DIR=str(corpus))
        started = time.perf_counter()
        subprocess.run([str(BIN / "assistant"), "ingest", str(corpus)], env=server_env, check=True,
                       stdout=subprocess.DEVNULL)
        ingest_s = time.perf_counter() - started
        status = httpx.Client()
        local, local_url, local_start = serve(local_env, work / "local.log")
        procs.append(local)
        a, a_url, a_start = serve(server_env, work / "a.log")
        procs.append(a)
        b, b_url, b_start = serve(server_env, work / "b.log")
        procs.append(b)
        chunks = status.get(f"{local_url}/api/health").json()["chunks"]
        results = {"local": [], "server A": [], "server B": []}
        for _ in range(2):  # alternate, so drift in the machine's load hits every column alike
            for name, url in (("local", local_url), ("server A", a_url), ("server B", b_url)):
                results[name] += timed_asks(url, args.rounds)
        floors = {"local": floor_ms(work / "local", None, None),
                  "server": floor_ms(None, "127.0.0.1", chroma_port)}
        print(f"{args.pages} pages, {chunks} passages; ingest through the Chroma server {ingest_s:.1f} s")
        print(f"{'process':10} {'start to healthy':>17} {'warm ask median / p95':>24} {'x floor':>8}")
        for name, start, floor in (("local", local_start, floors["local"]), ("server A", a_start, floors["server"]),
                                   ("server B", b_start, floors["server"])):
            med = statistics.median(results[name])
            print(f"{name:10} {start:15.1f} s {summary(results[name]):>24} {med / floor:8.1f}")
        print(f"floor (query embedding + Chroma top-8): local {floors['local']:.1f} ms, "
              f"server {floors['server']:.1f} ms")
    finally:
        for proc in reversed(procs):
            stop(proc)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
