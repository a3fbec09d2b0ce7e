"""Speed and memory figures for the README and the issue notes. Prints them; asserts nothing.

Run: `make bench` (or `.venv/bin/python benchmarks/run_all.py [--docs 40]`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ARTICLE = ROOT / "corpus" / "bisi-2024-07-11-pyongyang-parlays.txt"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cli_cold(store: Path, corpus: Path) -> dict[str, object]:
    """One question from a fresh process: wall time and which heavy modules it imported."""
    code = (
        "import sys, time; t=time.perf_counter(); from assistant.cli import app\n"
        "sys.argv=['assistant','--store-dir',sys.argv[1],'--corpus-dir',sys.argv[2],'ask','Who wrote the article?']\n"
        "try: app()\nexcept SystemExit: pass\n"
        "print('HEAVY', [m for m in ('gradio','fastapi','uvicorn') if m in sys.modules])"
    )
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, str(store), str(corpus)], capture_output=True, text=True,
                         check=True).stdout
    wall = time.perf_counter() - started
    heavy = out.strip().splitlines()[-1]
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import assistant.cli"], check=True)
    return {"cli_ask_cold_s": round(wall, 2), "cli_import_s": round(time.perf_counter() - started, 2),
            "cli_heavy_imports": heavy}


def synthetic_corpus(folder: Path, n_docs: int) -> None:
    """Variants of the article (paragraphs rotated, one word changed) so every chunk is new text."""
    text = ARTICLE.read_text(encoding="utf-8")
    paragraphs = text.split("\n\n")
    for i in range(n_docs):
        body = paragraphs[:12] + paragraphs[12:][i % 5:] + paragraphs[12:][: i % 5]
        (folder / f"variant-{i:03d}.txt").write_text(
            "\n\n".join(body).replace("Pyongyang", f"Pyongyang{i}"), encoding="utf-8")


def embedding_backends(sentences: list[str], queries: list[str], rounds: int = 3) -> dict[str, object]:
    """torch, ONNX and ONNX int8 side by side in one process, interleaved (the machine is shared).

    Query: one short text at a time (what a question costs); batch: passages per second at the
    ingest batch size; agreement: the lowest cosine between a backend's vector and torch's.
    """
    import numpy as np

    from assistant.embeddings import load_encoder

    encoders = {name: load_encoder("packaged:all-MiniLM-L6-v2", "cpu", name) for name in ("torch", "onnx", "onnx-int8")}
    reference = np.asarray(encoders["torch"].encode(sentences, batch_size=64, normalize_embeddings=True))
    query_s: dict[str, list[float]] = {n: [] for n in encoders}
    batch_rate: dict[str, list[float]] = {n: [] for n in encoders}
    for encoder in encoders.values():
        encoder.encode(queries[:2], batch_size=64, normalize_embeddings=True)
    for _ in range(rounds):
        for name, encoder in encoders.items():
            for q in queries:
                t = time.perf_counter()
                encoder.encode([q], batch_size=64, normalize_embeddings=True)
                query_s[name].append(time.perf_counter() - t)
            t = time.perf_counter()
            encoder.encode(sentences, batch_size=64, normalize_embeddings=True)
            batch_rate[name].append(len(sentences) / (time.perf_counter() - t))
    out: dict[str, object] = {}
    for name, encoder in encoders.items():
        vectors = np.asarray(encoder.encode(sentences, batch_size=64, normalize_embeddings=True))
        key = name.replace("-", "_")
        out[f"embed_{key}_query_ms"] = round(statistics.median(query_s[name]) * 1000, 2)
        out[f"embed_{key}_passages_per_s"] = round(statistics.median(batch_rate[name]), 1)
        out[f"embed_{key}_min_cosine_vs_torch"] = round(float((vectors * reference).sum(axis=1).min()), 6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=40, help="synthetic documents for the ingest benchmark")
    args = parser.parse_args()
    figures: dict[str, object] = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    tmp = Path(tempfile.mkdtemp(prefix="assistant-bench-"))
    try:
        from assistant import Assistant, load_settings
        from assistant.evaluation import load_golden
        from assistant.text import sentence_spans

        corpus = tmp / "corpus"
        corpus.mkdir()
        shutil.copyfile(ARTICLE, corpus / ARTICLE.name)
        bot = Assistant(load_settings(corpus_dir=corpus, store_dir=tmp / "store"))

        started = time.perf_counter()
        _ = bot.embedder.model
        figures["model_load_s"] = round(time.perf_counter() - started, 2)

        text = ARTICLE.read_text(encoding="utf-8")
        sentences = [text[s:e] for s, e in sentence_spans(text)] * 8
        bot.embedder.embed(sentences[:8])
        started = time.perf_counter()
        bot.embedder.embed(sentences)
        figures["embed_sentences_per_s"] = round(len(sentences) / (time.perf_counter() - started), 1)
        figures["embedding_backend"] = bot.settings.embedding_backend
        questions_text = [i.question for i in load_golden(ROOT / "tests/eval/golden.jsonl", split="dev")][:20]
        figures.update(embedding_backends(sentences[:256], questions_text))

        first = bot.ingest()
        figures["ingest_article_s"] = round(first.seconds, 2)
        again = bot.ingest()
        figures["reingest_unchanged_s"] = round(again.seconds, 3)
        figures["reingest_embedded"] = again.embedded

        questions = [i for i in load_golden(ROOT / "tests/eval/golden.jsonl") if not i.history]
        for q in questions[:3]:
            bot.ask(q.question)
        latencies = []
        for q in questions:
            started = time.perf_counter()
            bot.ask(q.question)
            latencies.append(time.perf_counter() - started)
        latencies.sort()
        figures["ask_questions"] = len(latencies)
        figures["ask_median_ms"] = round(statistics.median(latencies) * 1000, 1)
        figures["ask_p95_ms"] = round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1)

        synthetic_corpus(corpus, args.docs)
        big = bot.ingest()
        figures["ingest_docs"] = len(big.added)
        figures["ingest_chunks"] = big.chunks_written
        figures["ingest_embedded"] = big.embedded
        figures["ingest_reused"] = big.reused_embeddings
        figures["ingest_s"] = round(big.seconds, 2)
        figures["ingest_chunks_per_s"] = round(big.chunks_written / big.seconds, 1)
        started = time.perf_counter()
        bot.ask("Which treaty does the new pact replace?")
        figures["ask_after_growth_ms"] = round((time.perf_counter() - started) * 1000, 1)
        figures["peak_rss_mb"] = round(rss_mb(), 1)
        figures.update(cli_cold(tmp / "store", corpus))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    out = ROOT / "reports" / "benchmarks.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
