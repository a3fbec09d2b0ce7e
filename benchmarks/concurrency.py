"""Several analysts at once: latency of the real web app under concurrent users. Prints figures.

Starts `launch()` on a free 127.0.0.1 port over a temporary index, then runs N concurrent
users, each asking a bounded list of questions through the JSON API and through the Gradio
queue (gradio_client). Run: `.venv/bin/python benchmarks/concurrency.py [--users 8]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import wait_until_healthy  # noqa: E402  (the suite's server helper)

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Which treaty does the new pact replace?",
    "How is China expected to react to the pact?",
    "What did Putin thank North Korea for?",
    "How long did the summit last?",
    "What is a good recipe for kimchi?",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def run_users(users: int, ask) -> dict[str, float]:  # type: ignore[no-untyped-def]
    latencies: list[float] = []

    def user(n: int) -> None:
        for i, q in enumerate(QUESTIONS):
            started = time.perf_counter()
            ask(f"{q} (analyst {n}, request {i})", n)  # unique text: no cache hits
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(users) as pool:
        list(pool.map(user, range(users)))
    wall = time.perf_counter() - started
    return {"requests": len(latencies), "median_ms": statistics.median(latencies) * 1000,
            "p95_ms": percentile(latencies, 0.95) * 1000, "throughput_rps": len(latencies) / wall}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=8)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="assistant-conc-"))
    (tmp / "corpus").mkdir()
    shutil.copyfile(ROOT / "corpus" / "bisi-2024-07-11-pyongyang-parlays.txt", tmp / "corpus" / "article.txt")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_STORE_DIR=str(tmp / "store"), ASSISTANT_CORPUS_DIR=str(tmp / "corpus"),
               ASSISTANT_PORT=str(port), ASSISTANT_CONFIG=str(tmp / "none.toml"))
    code = ("from assistant import Assistant; from assistant.webapp import launch; "
            "bot = Assistant(); bot.ingest(); launch(bot)")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(proc, f"{base}/api/health", 120, tmp / "server.log")
        with httpx.Client(base_url=base, timeout=60) as client:
            single = run_users(1, lambda q, n: client.post("/api/ask", json={"question": q}).raise_for_status())
            many = run_users(args.users, lambda q, n: client.post("/api/ask", json={"question": q}).raise_for_status())
        from gradio_client import Client

        clients = [Client(base + "/", verbose=False, download_files=False) for _ in range(args.users)]
        queued = run_users(args.users, lambda q, n: clients[n].predict(q, 5, "hybrid", api_name="/ask"))
        for c in clients:
            c.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    for name, fig in (("1 user, /api/ask", single), (f"{args.users} users, /api/ask", many),
                      (f"{args.users} users, gradio queue /ask", queued)):
        print(f"{name:<32} {fig['requests']:>4} requests  median {fig['median_ms']:7.1f} ms  "
              f"p95 {fig['p95_ms']:7.1f} ms  {fig['throughput_rps']:5.1f} req/s")


if __name__ == "__main__":
    main()
