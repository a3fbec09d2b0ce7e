"""How the assistant scales with the corpus: 1k to 100k passages of real text. Prints figures.

Run: `make bench-scale` (or `.venv/bin/python benchmarks/scale.py --sizes 1000,10000`).

The corpus is Debian's python3.11-doc HTML (the first pages by path, until the wanted number
of passages), grown in one store from size to size, so each size's ingest figure is for the
pages it added. Per size it measures, each in a fresh process where that matters:

* ingest passages/s, and the embedding model's own passages/s on a sample of the same
  passages in the same process, counting the same work per passage as the ingest (the passage
  and, with ``sentence_vectors`` on, the sentence texts the answer composer will look up): the
  ceiling ingest can reach; and the ingest's peak RSS;
* index size on disk; a cold ``assistant ask`` from the shell; the first ask in a new Python
  process (after import); warm asks, median and p95, end to end and retrieval alone; the
  floor (the query embedding plus a bare Chroma top-8 query), the sentences the composer did
  not find stored (and so embedded) and the asking process's RSS;
* the plain LangChain baseline on the same pages in the same run: RecursiveCharacterTextSplitter
  (1000/200) + the same MiniLM + Chroma similarity search, k=4;
* optionally (``--before TREE``) the same warm asks with another checkout of the code (for
  example the commit before the scale work) against the same store, with a cProfile of both.

Absolute times on a shared machine are noisy; the ratios measured within one run are what to
compare. Results go to reports/scale.json (after every size) and reports/scale.png.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = Path("/usr/share/doc/python3.11/html")
ARTICLE = ROOT / "corpus" / "bisi-2024-07-11-pyongyang-parlays.txt"
REPORTS = ROOT / "reports"

QUESTIONS = [
    "How do I open a file for reading and writing?", "What does the with statement do?",
    "How are exceptions raised and caught?", "What is a generator function?",
    "How do I format a string with f-strings?", "What does the zip function return?",
    "How can I sort a list of dictionaries by a key?", "What is the global interpreter lock?",
    "How do I create a virtual environment?", "What is the difference between a list and a tuple?",
    "How do decorators work?", "What does the yield statement do?",
    "How do I read environment variables?", "What is a context manager?",
    "How do I parse command line arguments?", "What are keyword-only arguments?",
    "How is memory managed for Python objects?", "What does the import statement search?",
    "How do I define a class with properties?", "What is the purpose of __init__.py?",
    "How do I handle Unicode text?", "What does the lambda expression create?",
    "How do I copy a dictionary?", "What is a coroutine?", "How are integers represented?",
    "What does the pass statement do?", "How do I write to the standard error stream?",
    "What is the method resolution order?", "How do I measure execution time of code?",
    "What does the struct module do?", "How are reference counts used?",
    "How do I iterate over a dictionary?", "What is a namespace package?",
    "How do I convert a string to an integer?", "What are the comparison operators?",
    "How do I use regular expressions to match a pattern?", "What is the walrus operator?",
    "How do I create a thread?", "What happens when an exception is not handled?",
    "How do I install packages with pip?",
]
COLD_QUESTION = "What does the with statement do?"
ARTICLE_QUESTION = "Which treaty does the new pact replace?"


CODE: Path | None = None  # --code: run every measured process from this checkout


def python_env(tree: Path | None = None) -> dict[str, str]:
    tree = tree or CODE
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    for key in list(env):
        if key.startswith("ASSISTANT_"):
            del env[key]
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    return env


def run_json(args: list[str], tree: Path | None = None, timeout: float = 7200) -> dict[str, Any]:
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=python_env(tree),
                         timeout=timeout, cwd=tree or CODE or ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"{args[:3]} failed: {out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def du_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


# -- subprocess entry points ----------------------------------------------------------------------
def _ingest(store: str, corpus: str, sample: int) -> None:
    """Ingest in this fresh process; also time the bare model on a sample of the same passages,
    with the sentence texts the ingest embeds for them (when the code stores sentence vectors)."""
    import resource

    from assistant import Assistant, load_settings
    from assistant.chunking import chunk_document
    from assistant.documents import discover, load_document

    bot = Assistant(load_settings(store_dir=store, corpus_dir=corpus))
    import random

    chunks: list[Any] = []
    pages = sorted(discover([Path(corpus)]))
    random.Random(0).shuffle(pages)  # a fair sample of the corpus's passages, not its last pages
    for path in pages[:40]:
        try:
            chunks += chunk_document(load_document(path), bot.settings.max_chunk_chars)
        except Exception:
            continue
    chunks = random.Random(1).sample(chunks, min(sample, len(chunks)))
    texts = [c.embed_text for c in chunks]
    if getattr(bot, "sentence_vectors", None) is not None:  # the same work per passage as the ingest
        from assistant.sentence_vectors import scoring_texts

        texts += list(dict.fromkeys(scoring_texts(chunks)))
    bot.embedder.embed(texts[:64])  # warm-up
    started = time.perf_counter()
    bot.embedder.embed(texts)
    model_s = time.perf_counter() - started
    report = bot.ingest()
    print(json.dumps({
        "ingest_s": report.seconds, "passages": report.chunks_written, "embedded": report.embedded,
        "sentences_embedded": getattr(report, "sentences_embedded", 0),
        "ingest_passages_per_s": report.chunks_written / max(report.seconds, 1e-9),
        "model_passages_per_s": len(chunks) / model_s, "model_texts_per_s": len(texts) / model_s,
        "model_sample_texts_per_passage": round(len(texts) / max(len(chunks), 1), 2),
        "ingest_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "failed": len(report.failed),
    }))


def _query(store: str, corpus: str, n: int, profile: str) -> None:
    """First and warm asks, retrieval alone and the floor, in this fresh process."""
    import resource

    started = time.perf_counter()
    from assistant import Assistant, load_settings

    import_s = time.perf_counter() - started
    bot = Assistant(load_settings(store_dir=store, corpus_dir=corpus))
    started = time.perf_counter()
    bot.ask(QUESTIONS[0])
    first_s = time.perf_counter() - started
    questions = QUESTIONS[1 : 1 + n]

    def timed(fn: Any) -> list[float]:
        out = []
        for q in questions:
            cache = getattr(bot.embedder, "_cache", None)
            if cache is not None:
                cache.clear()  # every figure pays for its query embedding
            t = time.perf_counter()
            fn(q)
            out.append(time.perf_counter() - t)
        return out

    ask = timed(bot.ask)
    retrieve = timed(bot.retrieve)
    collection = bot.store.collection

    def floor(q: str) -> None:
        collection.query(query_embeddings=[bot.embedder.embed([q])[0]], n_results=8)

    base = timed(floor)
    figures = {"import_s": import_s, "first_ask_s": first_s, **stats("ask", ask), **stats("retrieve", retrieve),
               **stats("floor", base)}
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        timed(bot.ask)
        prof.disable()
        stream = open(profile, "w")
        pstats.Stats(prof, stream=stream).sort_stats("cumulative").print_stats(25)
        stream.close()
    figures["query_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    vectors = getattr(bot, "sentence_vectors", None)
    if vectors is not None:  # sentences the composer looked up, and the ones it had to embed
        figures["sentence_lookups"], figures["sentence_misses"] = vectors.lookups, vectors.misses
    print(json.dumps(figures))


def _baseline(store: str, corpus: str, n: int) -> None:
    """The plain LangChain recipe on the same pages, grown like the assistant's store."""
    import resource

    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.documents import discover, load_document
    from assistant.embeddings import load_model

    model = load_model("packaged:all-MiniLM-L6-v2")
    client = chromadb.PersistentClient(path=store, settings=ChromaSettings(anonymized_telemetry=False))
    col = client.get_or_create_collection("baseline", embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
    done_file = Path(store) / "done.json"
    done = set(json.loads(done_file.read_text())) if done_file.exists() else set()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    started = time.perf_counter()
    count = 0
    for path in sorted(discover([Path(corpus)])):
        if str(path) in done:
            continue
        try:
            text = load_document(path).text
        except Exception:
            continue
        pieces = splitter.split_text(text)
        if pieces:
            vectors = model.encode(pieces, batch_size=64, normalize_embeddings=True)
            for i in range(0, len(pieces), 2000):
                col.add(ids=[f"{path}#{j}" for j in range(i, min(i + 2000, len(pieces)))],
                        documents=pieces[i : i + 2000], embeddings=vectors[i : i + 2000].tolist())
        count += len(pieces)
        done.add(str(path))
    ingest_s = time.perf_counter() - started
    done_file.write_text(json.dumps(sorted(done)))
    times = []
    for q in QUESTIONS[1 : 1 + n]:
        t = time.perf_counter()
        col.query(query_embeddings=[model.encode([q], normalize_embeddings=True)[0].tolist()], n_results=4)
        times.append(time.perf_counter() - t)
    print(json.dumps({"passages": col.count(), "added": count, "ingest_s": ingest_s,
                      "ingest_passages_per_s": count / max(ingest_s, 1e-9), **stats("ask", times),
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def stats(name: str, seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    return {f"{name}_median_ms": round(statistics.median(ms), 1),
            f"{name}_p95_ms": round(ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))], 1)}


# -- the driver -------------------------------------------------------------------------------------
def cold_cli(store: Path, corpus: Path, question: str) -> float:
    started = time.perf_counter()
    launcher = "import sys; from assistant.cli import main; sys.argv[0] = 'assistant'; main()"
    subprocess.run([sys.executable, "-c", launcher, "--store-dir", str(store), "--corpus-dir", str(corpus),
                    "ask", question], check=True, capture_output=True, env=python_env(), timeout=600,
                   cwd=CODE or ROOT)
    return round(time.perf_counter() - started, 2)


def grow_corpus(corpus: Path, pages: list[Path], target: int, counts: dict[str, int]) -> int:
    """Copy pages (in path order) until the corpus holds about ``target`` passages."""
    from assistant.chunking import chunk_document
    from assistant.documents import load_document

    total = sum(counts.values())
    for page in pages:
        if total >= target:
            break
        rel = str(page.relative_to(DOCS))
        if rel in counts or page.name.startswith("genindex"):  # generated index lists, not prose
            continue
        try:
            n = len(chunk_document(load_document(page), 700))
        except Exception:
            counts[rel] = 0
            continue
        if total + n > target * 1.2 and total:  # a huge page would overshoot: take the next one
            continue
        dest = corpus / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, dest)
        counts[rel] = n
        total += n
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,25000,100000")
    parser.add_argument("--work", type=Path, default=Path("/tmp/assistant-scale"))
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--sample", type=int, default=1024, help="passages for the model's own throughput")
    parser.add_argument("--baseline-max", type=int, default=10**9, help="largest size to run the baseline at")
    parser.add_argument("--before", type=Path, help="another checkout to compare warm asks with")
    parser.add_argument("--before-max", type=int, default=25000, help="largest size to run --before at")
    parser.add_argument("--fresh", action="store_true", help="start from an empty work folder")
    parser.add_argument("--code", type=Path, help="checkout whose code is measured (default: this one)")
    parser.add_argument("--recheck", action="store_true",
                        help="re-measure the largest store and the one-article store side by side, in one period")
    parser.add_argument("--report-only", type=Path, help="print the table and draw the PNG of this scale.json")
    args = parser.parse_args()
    if args.recheck:
        recheck(args)
        return
    if args.report_only:
        results = json.loads(args.report_only.read_text())
        print_table(results)
        plot(results)
        return
    global CODE
    CODE = args.code
    sys.path.insert(0, str(args.code or ROOT))
    if args.fresh:
        shutil.rmtree(args.work, ignore_errors=True)
    work = args.work
    corpus, store, base_store = work / "corpus", work / "store", work / "baseline"
    for folder in (corpus, store, base_store):
        folder.mkdir(parents=True, exist_ok=True)
    REPORTS.mkdir(exist_ok=True)
    out_file = REPORTS / "scale.json"
    results: dict[str, Any] = json.loads(out_file.read_text()) if out_file.exists() and not args.fresh else {}
    results.setdefault("sizes", {})

    if "article" not in results:  # the one-article reference for the cold start
        art_corpus, art_store = work / "article-corpus", work / "article-store"
        art_corpus.mkdir(exist_ok=True)
        shutil.copyfile(ARTICLE, art_corpus / ARTICLE.name)
        run_json([__file__, "_ingest", str(art_store), str(art_corpus), "64"])
        results["article"] = {"cli_ask_cold_s": statistics.median(
            cold_cli(art_store, art_corpus, ARTICLE_QUESTION) for _ in range(3))}
        save(results, out_file)

    counts_file = work / "pages.json"
    counts: dict[str, int] = json.loads(counts_file.read_text()) if counts_file.exists() else {}
    pages = sorted(DOCS.rglob("*.html"))
    for target in [int(s) for s in args.sizes.split(",")]:
        key = str(target)
        if key in results["sizes"]:
            print(f"size {target}: already measured; skipping")
            continue
        total = grow_corpus(corpus, pages, target, counts)
        counts_file.write_text(json.dumps(counts))
        print(f"size {target}: {sum(1 for v in counts.values() if v)} pages, {total} passages", flush=True)
        row: dict[str, Any] = {"pages": sum(1 for v in counts.values() if v), "passages_planned": total}
        row.update(run_json([__file__, "_ingest", str(store), str(corpus), str(args.sample)]))
        row["ingest_vs_model"] = round(row["ingest_passages_per_s"] / row["model_passages_per_s"], 3)
        row["index_mb"] = du_mb(store)
        if (store / "sentences").is_dir():
            row["sentence_vectors_mb"] = du_mb(store / "sentences")
        row["cli_ask_cold_s"] = cold_cli(store, corpus, COLD_QUESTION)
        profile = str(REPORTS / f"profile-{target}.txt")
        row.update(run_json([__file__, "_query", str(store), str(corpus), str(args.questions), profile]))
        row["ask_vs_floor"] = round(row["ask_median_ms"] / row["floor_median_ms"], 2)
        row["retrieve_vs_floor"] = round(row["retrieve_median_ms"] / row["floor_median_ms"], 2)
        if args.before and target <= args.before_max:
            before_profile = str(REPORTS / f"profile-before-{target}.txt")
            row["before"] = run_json([__file__, "_query", str(store), str(corpus), str(args.questions),
                                      before_profile], tree=args.before)
        if target <= args.baseline_max:
            row["baseline"] = run_json([__file__, "_baseline", str(base_store), str(corpus), str(args.questions)])
        results["sizes"][key] = row
        save(results, out_file)
        print(json.dumps(row, indent=1), flush=True)
    print_table(results)
    plot(results)


def recheck(args: argparse.Namespace) -> None:
    """Cold CLI asks alternating between the one-article store and the grown store, then warm
    figures of this code (and of ``--before``) on the grown store: one period, one machine state."""
    work = args.work
    pairs = {"article": (work / "article-store", work / "article-corpus", ARTICLE_QUESTION),
             "grown": (work / "store", work / "corpus", COLD_QUESTION)}
    cold: dict[str, list[float]] = {name: [] for name in pairs}
    for _ in range(3):
        for name, (store, corpus, question) in pairs.items():
            cold[name].append(cold_cli(store, corpus, question))
    out: dict[str, Any] = {f"cli_ask_cold_s_{n}": statistics.median(v) for n, v in cold.items()}
    out["cold_ratio"] = round(out["cli_ask_cold_s_grown"] / out["cli_ask_cold_s_article"], 2)
    store, corpus, _ = pairs["grown"]
    out["after"] = run_json([__file__, "_query", str(store), str(corpus), str(args.questions),
                             str(REPORTS / "profile-recheck.txt")])
    if args.before:
        out["before"] = run_json([__file__, "_query", str(store), str(corpus), str(args.questions),
                                  str(REPORTS / "profile-recheck-before.txt")], tree=args.before)
    for figures in (out["after"], out.get("before")):
        if figures:
            figures["ask_vs_floor"] = round(figures["ask_median_ms"] / figures["floor_median_ms"], 2)
            figures["retrieve_vs_floor"] = round(figures["retrieve_median_ms"] / figures["floor_median_ms"], 2)
    out_file = REPORTS / "scale.json"
    results = json.loads(out_file.read_text()) if out_file.exists() else {"sizes": {}}
    results["recheck"] = out
    save(results, out_file)
    print(json.dumps(out, indent=1))


def save(results: dict[str, Any], path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=2))
    tmp.replace(path)


def print_table(results: dict[str, Any]) -> None:
    cols = [("passages", "passages_planned"), ("added", "passages"), ("ingest/s", "ingest_passages_per_s"), ("model/s", "model_passages_per_s"),
            ("ingest/model", "ingest_vs_model"), ("index MB", "index_mb"), ("cold CLI s", "cli_ask_cold_s"),
            ("first ask s", "first_ask_s"), ("ask med ms", "ask_median_ms"), ("ask p95 ms", "ask_p95_ms"),
            ("retr med ms", "retrieve_median_ms"), ("retr p95", "retrieve_p95_ms"), ("floor ms", "floor_median_ms"),
            ("ask/floor", "ask_vs_floor"), ("retr/floor", "retrieve_vs_floor"), ("sentence misses", "sentence_misses"),
            ("query RSS MB", "query_rss_mb"), ("ingest RSS MB", "ingest_rss_mb")]
    print(f"one-article cold CLI ask: {results.get('article', {}).get('cli_ask_cold_s')} s")
    print(" | ".join(name for name, _ in cols))
    for row in results["sizes"].values():
        print(" | ".join(_fmt(row.get(key)) for _, key in cols))
        if "baseline" in row:
            b = row["baseline"]
            print(f"   LangChain baseline: {b['passages']} passages, ingest {_fmt(b['ingest_passages_per_s'])}/s, "
                  f"query median {b['ask_median_ms']} ms, p95 {b['ask_p95_ms']} ms")
        if "before" in row:
            b = row["before"]
            print(f"   before: first ask {_fmt(b['first_ask_s'])} s, ask median {b['ask_median_ms']} ms, "
                  f"p95 {b['ask_p95_ms']} ms, RSS {_fmt(b['query_rss_mb'])} MB")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if value < 100 else f"{value:.0f}"
    return str(value)


def plot(results: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(results["sizes"].values(), key=lambda r: r["passages_planned"])
    if not rows:
        return
    x = [r["passages_planned"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.plot(x, [r["ask_median_ms"] for r in rows], "o-", label="ask median")
    left.plot(x, [r["ask_p95_ms"] for r in rows], "o--", label="ask p95")
    left.plot(x, [r["retrieve_median_ms"] for r in rows], "s-", label="retrieval median")
    left.plot(x, [r["floor_median_ms"] for r in rows], "^-", label="floor (embed + Chroma top-8)")
    if all("baseline" in r for r in rows):
        left.plot(x, [r["baseline"]["ask_median_ms"] for r in rows], "x:", label="LangChain baseline k=4")
    left.set_xscale("log")
    left.set_xlabel("passages")
    left.set_ylabel("ms")
    left.set_title("warm question latency")
    left.legend(fontsize=8)
    right.plot(x, [r["cli_ask_cold_s"] for r in rows], "o-", label="cold CLI ask")
    right.plot(x, [r["first_ask_s"] for r in rows], "s-", label="first ask after import")
    art = results.get("article", {}).get("cli_ask_cold_s")
    if art:
        right.axhline(art, color="grey", linestyle=":", label="one-article cold CLI ask")
    right.set_xscale("log")
    right.set_xlabel("passages")
    right.set_ylabel("s")
    right.set_title("start-up")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(REPORTS / "scale.png", dpi=110)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        sys.path.insert(0, os.environ.get("PYTHONPATH") or str(ROOT))
        command, rest = sys.argv[1], sys.argv[2:]
        if command == "_ingest":
            _ingest(rest[0], rest[1], int(rest[2]))
        elif command == "_query":
            _query(rest[0], rest[1], int(rest[2]), rest[3])
        elif command == "_baseline":
            _baseline(rest[0], rest[1], int(rest[2]))
    else:
        main()
