"""Soak: N analysts for M minutes against the real web app while another process ingests.

Starts ``launch()`` (the JSON API under /api and the Gradio queue on one port) over a
temporary copy of corpus/, then runs ``--clients`` users (default 20) for ``--minutes``
(default 10): half ask through ``POST /api/ask`` / ``/api/chat``, half through the Gradio queue
with ``gradio_client`` (``/ask``). Meanwhile a separate ``assistant ingest`` process keeps
adding (and pruning) pages of the Python documentation into the *same* store, the way an
analyst runs an ingest from the shell while the UI is open.

Every ``--window`` seconds it prints one line: requests, errors, p50/p95 latency per channel,
documents in the index and the server's RSS; at the end the totals, the RSS drift and every
distinct error. Run:

    .venv/bin/python benchmarks/soak.py [--clients 20] [--minutes 10] [--out reports/soak.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import wait_until_healthy  # noqa: E402  (the suite's server helper)

ROOT = Path(__file__).resolve().parent.parent
DOCS = Path("/usr/share/doc/python3.11/html/library")
QUESTIONS = [
    "Which treaty does the new pact replace?",
    "How is China expected to react to the pact?",
    "What does the short-term forecast say about South Korea?",
    "Who wrote the article, and when?",
    "How long did the summit last?",
    "What is a good recipe for kimchi?",
    "What does the json module's dumps function return?",
]
FOLLOW_UP = "Who signed it?"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


@dataclass
class Window:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"api": [], "gradio": []})
    errors: Counter[str] = field(default_factory=Counter)


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.window = Window()
        self.all_errors: Counter[str] = Counter()
        self.totals = Counter[str]()

    def ok(self, channel: str, seconds: float) -> None:
        with self.lock:
            self.window.latencies[channel].append(seconds)
            self.totals[channel] += 1

    def error(self, channel: str, what: str) -> None:
        with self.lock:
            self.window.errors[f"{channel}: {what}"] += 1
            self.all_errors[f"{channel}: {what}"] += 1
            self.totals[f"{channel}_errors"] += 1

    def take(self) -> Window:
        with self.lock:
            window, self.window = self.window, Window()
        return window


def _user_loop(kind: str, rec: Recorder, stop: threading.Event, n: int,
               request: Callable[[int, str], str | None]) -> None:
    """Ask until ``stop``; ``request`` returns None for a good answer, else what was wrong."""
    for i in itertools.count():
        if stop.is_set():
            return
        question = f"{random.choice(QUESTIONS)} (user {n}, request {i})"
        started = time.perf_counter()
        try:
            problem = request(i, question)
        except Exception as exc:  # a reset connection, a timeout: exactly what a soak looks for
            problem = f"{type(exc).__name__}: {str(exc)[:120]}"
        if problem is None:
            rec.ok(kind, time.perf_counter() - started)
        else:
            rec.error(kind, problem)


def api_user(base: str, rec: Recorder, stop: threading.Event, n: int) -> None:
    with httpx.Client(base_url=base, timeout=120) as client:
        def request(i: int, question: str) -> str | None:
            if i % 3 == 2:
                body = {"question": FOLLOW_UP, "history": [{"question": QUESTIONS[0]}]}
                response = client.post("/api/chat", json=body)
            else:
                response = client.post("/api/ask", json={"question": question})
            if response.status_code == 200 and "text" in response.json():
                return None
            return f"HTTP {response.status_code} {response.text[:120]}"

        _user_loop("api", rec, stop, n, request)


def gradio_user(base: str, rec: Recorder, stop: threading.Event, n: int) -> None:
    from gradio_client import Client

    client = Client(base + "/", verbose=False)
    try:
        def request(i: int, question: str) -> str | None:
            answer = client.predict(question, 5, "hybrid", api_name="/ask")
            return None if isinstance(answer, dict) and "text" in answer else f"unexpected output {str(answer)[:120]}"

        _user_loop("gradio", rec, stop, n, request)
    finally:
        client.close()


def ingester(env: dict[str, str], folder: Path, stop: threading.Event, log: list[str]) -> None:
    """Keep another process ingesting into the server's store: add pages, later prune some."""
    pages = sorted(DOCS.glob("*.html"), key=lambda p: p.stat().st_size)[:200]  # small pages: rounds finish
    random.Random(7).shuffle(pages)
    folder.mkdir(parents=True, exist_ok=True)
    for round_no in itertools.count(1):
        if stop.is_set() or not pages:
            return
        for page in pages[(round_no - 1) * 10 : round_no * 10]:
            shutil.copyfile(page, folder / page.name)
        if round_no % 4 == 0:  # remove a few again: the next ingest prunes them
            for old in sorted(folder.iterdir())[:5]:
                old.unlink()
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ingest", str(folder)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = proc.communicate(timeout=900)
        except subprocess.TimeoutExpired:
            proc.terminate()
            out, err = proc.communicate()
        summary = " ".join(out.split())[-160:]
        log.append(f"ingest round {round_no}: exit {proc.returncode} in {time.perf_counter() - started:.0f}s: {summary}"
                   + (f" / {err.strip()[-200:]}" if proc.returncode not in (0, 1) else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--window", type=float, default=30.0, help="seconds per printed line")
    parser.add_argument("--no-ingest", action="store_true", help="no concurrent ingest process")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="assistant-soak-"))
    shutil.copytree(ROOT / "corpus", tmp / "corpus")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_STORE_DIR=str(tmp / "store"), ASSISTANT_CORPUS_DIR=str(tmp / "corpus"),
               ASSISTANT_PORT=str(port), ASSISTANT_CONFIG=str(tmp / "none.toml"), HF_HUB_OFFLINE="1")
    code = ("from assistant import Assistant; from assistant.webapp import launch; "
            "bot = Assistant(); bot.ingest(); launch(bot)")
    server_log = (tmp / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=server_log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    rec, stop = Recorder(), threading.Event()
    ingest_log: list[str] = []
    lines: list[dict[str, object]] = []
    try:
        wait_until_healthy(proc, f"{base}/api/health", 180, tmp / "server.log")
        httpx.post(f"{base}/api/ask", json={"question": "warm up"}, timeout=120)
        start_rss = rss_mb(proc.pid)
        threads = [threading.Thread(target=api_user if n % 2 == 0 else gradio_user, args=(base, rec, stop, n),
                                    daemon=True) for n in range(args.clients)]
        if not args.no_ingest:
            threads.append(threading.Thread(target=ingester, args=(env, tmp / "incoming", stop, ingest_log),
                                            daemon=True))
        for t in threads:
            t.start()
        print(f"{args.clients} clients for {args.minutes:g} min against {base} "
              f"({'with' if not args.no_ingest else 'without'} a concurrent ingest); RSS at start {start_rss:.0f} MB")
        print(f"{'t (s)':>6} {'api':>5} {'gradio':>6} {'errors':>6} {'api p50/p95 (ms)':>18} "
              f"{'gradio p50/p95 (ms)':>20} {'docs':>5} {'RSS MB':>7}")
        started = time.monotonic()
        end = started + args.minutes * 60
        while time.monotonic() < end:
            time.sleep(min(args.window, max(0.0, end - time.monotonic())))
            window = rec.take()
            try:
                docs = httpx.get(f"{base}/api/health", timeout=30).json().get("documents", -1)
            except Exception:
                docs = -1
            api, grad = window.latencies["api"], window.latencies["gradio"]
            row = {"t": round(time.monotonic() - started), "api": len(api), "gradio": len(grad),
                   "errors": sum(window.errors.values()),
                   "api_p50_ms": percentile(api, 0.5) * 1000, "api_p95_ms": percentile(api, 0.95) * 1000,
                   "gradio_p50_ms": percentile(grad, 0.5) * 1000, "gradio_p95_ms": percentile(grad, 0.95) * 1000,
                   "documents": docs, "rss_mb": rss_mb(proc.pid)}
            lines.append(row)
            print(f"{row['t']:>6} {row['api']:>5} {row['gradio']:>6} {row['errors']:>6} "
                  f"{row['api_p50_ms']:>8.0f}/{row['api_p95_ms']:<9.0f} {row['gradio_p50_ms']:>9.0f}/{row['gradio_p95_ms']:<10.0f}"
                  f"{docs:>5} {row['rss_mb']:>7.0f}", flush=True)
        stop.set()
        for t in threads:
            t.join(timeout=180)
    finally:
        stop.set()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        server_log.close()
    server_errors = [line for line in (tmp / "server.log").read_text(errors="replace").splitlines()
                     if "Traceback" in line or " 500 " in line]
    rss = [float(r["rss_mb"]) for r in lines]
    summary = {
        "clients": args.clients, "minutes": args.minutes, "concurrent_ingest": not args.no_ingest,
        "requests": {"api": rec.totals["api"], "gradio": rec.totals["gradio"]},
        "errors": sum(rec.all_errors.values()), "error_kinds": dict(rec.all_errors.most_common(20)),
        "rss_start_mb": start_rss if lines else None, "rss_end_mb": rss[-1] if rss else None,
        "rss_max_mb": max(rss) if rss else None, "server_log_errors": len(server_errors),
        "ingest_rounds": ingest_log, "windows": lines,
    }
    print(f"\ntotal: {rec.totals['api']} API + {rec.totals['gradio']} Gradio answers, "
          f"{summary['errors']} errors; RSS {summary['rss_start_mb']:.0f} -> {summary['rss_end_mb']:.0f} MB "
          f"(max {summary['rss_max_mb']:.0f}); server log errors: {len(server_errors)}")
    for what, count in rec.all_errors.most_common(20):
        print(f"  {count:>5} x {what}")
    for line in ingest_log:
        print("  " + line)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
