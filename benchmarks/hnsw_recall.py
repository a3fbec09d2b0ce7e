"""How exact Chroma's HNSW top-k is, and what a wider search costs, on an existing store.

Run: `.venv/bin/python benchmarks/hnsw_recall.py --store DIR [--ef 200] [--k 60]`

For the scale benchmark's questions it times Chroma's query of the chunk collection and counts
the true top-k neighbours (exact cosine over every stored vector) the query missed. With
``--ef`` it first sets the collection's ``ef_search`` (persisted; a copy of the store is
advised), as ``assistant ingest`` does from ``ASSISTANT_DENSE_SEARCH_EF``; run once per value,
each in a fresh process, since a process reads the setting when it opens the collection.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from scale import QUESTIONS

    from assistant.config import load_settings
    from assistant.embeddings import Embedder

    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--ef", type=int, help="set the collection's ef_search first, then exit")
    parser.add_argument("--k", type=int, default=60)
    args = parser.parse_args()
    settings = load_settings(store_dir=args.store)
    client = chromadb.PersistentClient(path=str(args.store), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_collection(settings.collection, embedding_function=None)
    if args.ef:
        collection.modify(configuration={"hnsw": {"ef_search": args.ef}})
        print(f"ef_search set to {args.ef}; run again without --ef to measure")
        return
    embedder = Embedder(settings.embedding_model, settings.embedding_device, settings.embedding_batch_size,
                        cache_size=0, backend=settings.embedding_backend, model_cache_dir=settings.model_cache_dir)
    vectors = [embedder.embed_query(q) for q in QUESTIONS]
    stored = collection.get(include=["embeddings"])
    ids, matrix = stored["ids"], np.asarray(stored["embeddings"], dtype=np.float32)
    for _ in range(2):  # the first round warms the index up
        started = time.perf_counter()
        results = [collection.query(query_embeddings=[list(v)], n_results=args.k, include=["distances"]) for v in vectors]
        per_query = (time.perf_counter() - started) / len(vectors) * 1000
    missed = 0
    for vector, result in zip(vectors, results, strict=True):
        similarities = matrix @ np.asarray(vector, dtype=np.float32)
        got, floor = set(result["ids"][0]), 1 - max(result["distances"][0])
        missed += sum(1 for i in np.argsort(-similarities)[: args.k] if ids[i] not in got and similarities[i] > floor + 1e-4)
    hnsw = (collection.configuration_json or {}).get("hnsw") or {}
    print(f"{collection.count()} passages, ef_search {hnsw.get('ef_search')}: {per_query:.2f} ms per query, "
          f"{missed} of {len(vectors) * args.k} true top-{args.k} hits missed ({missed / (len(vectors) * args.k):.1%})")


if __name__ == "__main__":
    main()
