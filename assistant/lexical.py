"""BM25 over the stored chunks, robust to exact names, other scripts and typos; persisted.

Tokens are Unicode words (so a title in another script is searchable), English-stemmed, with
stopwords dropped. A query word the corpus never uses is mapped to the closest vocabulary
word when one is close enough: "recieve" finds "receive", "goverment" finds "government".

Nothing here grows with the corpus per question or at start-up:

* each document's tokens are saved once, when it is ingested (``tokens/``, keyed by path and
  content hash), so rebuilding the index never re-reads or re-tokenises the corpus;
* the BM25 matrix, the per-passage filter columns (document, kind, section, date), the
  passage ids and the spelling vocabulary are saved per index version (``index-<version>/``)
  and memory-mapped when loaded; a process that starts, or sees another process's commit,
  loads them instead of rebuilding;
* filters are numpy masks over those columns; only the top hits' texts are read from Chroma;
* spelling correction compares a word's letter counts with the whole vocabulary in one
  vectorised step (an exact upper bound of difflib's ratio) and runs difflib only on the
  few words that can reach the cut-off, so it returns exactly what difflib over the whole
  vocabulary would.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args

import numpy as np

from .places import capitals_named
from .schema import BlockKind, Chunk
from .text import STOPWORDS, content_words, initialisms

#: Bump when tokenisation changes: saved tokens and indexes of another format are ignored.
FORMAT = 4
SPELLING_CUTOFF = 0.84
_KINDS: tuple[str, ...] = get_args(BlockKind)
_MAX_VOCAB_WORD = 32  # longer words are never typo targets (and stay "known" through their stem)
_BUCKETS = 32
_EMPTY = "_empty_"


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    try:
        import Stemmer

        return Stemmer.Stemmer("english")
    except ImportError:  # pragma: no cover - PyStemmer is a core dependency
        return None


def stem_all(tokens: Sequence[str]) -> list[str]:
    """Stems, with British spellings first put the American way ("defence" and "defense" share
    a stem), so a question and a passage match whichever spelling each uses."""
    stemmer = _stemmer()
    spelt = [_american(t) for t in tokens]
    return list(stemmer.stemWords(spelt)) if stemmer else spelt


@lru_cache(maxsize=65536)
def _american(word: str) -> str:
    """ "defence" -> "defense", "characterised" -> "characterized", "labours" -> "labors"; other
    words as they are (a word must keep three letters before the ending it changes)."""
    plural = word.endswith("s") and not word.endswith("ss") and len(word) > 5
    base = word[:-1] if plural else word
    for british, american in _VARIANTS:
        if base.endswith(british) and len(base) >= len(british) + 3:
            return base[: -len(british)] + american + ("s" if plural else "")
    return word


def tokenize(text: str) -> list[str]:
    return stem_all(content_words(text))


# -- one document's lexical data --------------------------------------------------------------
@dataclass(frozen=True)
class DocTokens:
    """What the lexical index needs from one document version, computed once at ingest."""

    doc_id: str
    sha: str
    ids: list[str]
    tokens: list[list[str]]
    kinds: list[str]
    sections: list[str]
    tops: list[str]
    dates: list[int]
    surface: list[str]
    records: list[str]  # each chunk as JSON (text and metadata): lexical hits need no store read

    @classmethod
    def from_chunks(cls, doc_id: str, sha: str, chunks: Sequence[Chunk]) -> DocTokens:
        from .records import chunk_to_metadata, date_int

        ordered = sorted(chunks, key=lambda c: c.order)
        tokens, surface = [], set()
        for chunk in ordered:
            words = content_words(chunk.text + " " + chunk.title + " " + " ".join(chunk.section))
            surface.update(words)
            tokens.append(stem_all(words) or [_EMPTY])
        return cls(
            doc_id=doc_id, sha=sha, ids=[c.id for c in ordered], tokens=tokens,
            kinds=[c.kind for c in ordered], sections=[c.section_path for c in ordered],
            tops=[c.section[0] if c.section else "" for c in ordered],
            dates=[date_int(c.date) for c in ordered], surface=sorted(surface),
            records=[json.dumps([c.id, c.text, chunk_to_metadata(c, "")], ensure_ascii=False) for c in ordered],
        )


# -- the index ----------------------------------------------------------------------------------
_LONG_STOPWORDS = frozenset(w for w in STOPWORDS if len(w) >= 4 and w.isalpha())
_PREFIXES = ("counter", "under", "inter", "multi", "anti", "over", "non", "dis", "mis", "pre", "sub", "un",
             "re", "in", "im", "de", "co")
_SUFFIXES = ("ments", "ment", "ness", "ions", "ion", "ing", "ers", "est", "ful", "less", "able", "er", "ed",
             "es", "ly", "s")


#: British and American spellings of one word: a word spelt the other way is no misspelling.
_VARIANTS = (("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("ises", "izes"), ("ise", "ize"),
             ("yse", "yze"), ("enced", "ensed"), ("encing", "ensing"), ("ence", "ense"), ("ourable", "orable"),
             ("oured", "ored"), ("ouring", "oring"), ("our", "or"), ("tre", "ter"), ("mme", "m"), ("lled", "led"),
             ("lling", "ling"), ("ogue", "og"))


def _spelling_variants(word: str) -> list[str]:
    """The same word spelt the other way ("characterise" / "characterize", "defence" / "defense")."""
    out = []
    for one, other in _VARIANTS:
        for a, b in ((one, other), (other, one)):
            if word.endswith(a) and len(word) > len(a) + 2:
                out.append(word[: -len(a)] + b)
    return out


def is_real_word(word: str, dictionary: frozenset[str]) -> bool:
    """Whether ``word`` is a dictionary word or one with a common prefix or inflection
    ("undefined", "fooling", "stopped"): such a word is what its writer meant, not a misspelling of
    the corpus word it happens to be close to ("defined", "pooling"). Typos seldom add or drop a
    whole affix, so a word that splits into an affix and a real word is left alone."""
    if word in dictionary:
        return True
    if not dictionary:
        return False
    if any(variant in dictionary for variant in _spelling_variants(word)):  # "characterise", "defence"
        return True
    for suffix in _SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 4:
            doubled = stem[-1] == stem[-2]  # "stopped" -> "stop"
            if stem in dictionary or stem + "e" in dictionary or (doubled and stem[:-1] in dictionary):
                return True
    return any(word.startswith(prefix) and len(word) - len(prefix) >= 4
               and is_real_word(word[len(prefix):], dictionary) for prefix in _PREFIXES)


class LexicalIndex:
    """BM25 plus filter columns and a spelling vocabulary, for one index version."""

    def __init__(self, bm25: Any, arrays: dict[str, np.ndarray], docs: list[tuple[str, str]],
                 version: str, folder: Path | None = None, sections: list[str] | None = None) -> None:
        self._bm25 = bm25
        self._a = arrays
        self.docs = docs  # (doc_id, sha) by doc index
        self.version = version
        self.fingerprint = version  # older name, kept for callers
        self.folder = folder
        self._sections = sections
        self._doc_index = {doc_id: i for i, (doc_id, _) in enumerate(docs)}
        self._corrections: dict[str, str] = {}
        self.spelling_cutoff = SPELLING_CUTOFF
        self.dictionary: frozenset[str] = frozenset()  # words known to be real, never corrected

    # construction ---------------------------------------------------------------------------
    @classmethod
    def build(cls, docs: Iterable[DocTokens], version: str = "") -> LexicalIndex:
        import bm25s

        docs = sorted(docs, key=lambda d: d.doc_id)
        corpus: list[list[str]] = []
        doc_idx: list[int] = []
        kinds: list[int] = []
        sec: list[int] = []
        top: list[int] = []
        dates: list[int] = []
        ids: list[str] = []
        records: list[str] = []
        section_ids: dict[str, int] = {}
        vocab: set[str] = set()
        for n, doc in enumerate(docs):
            corpus.extend(doc.tokens)
            ids.extend(doc.ids)
            records.extend(doc.records)
            doc_idx.extend([n] * len(doc.ids))
            kinds.extend(_KINDS.index(k) if k in _KINDS else -1 for k in doc.kinds)
            sec.extend(section_ids.setdefault(s, len(section_ids)) for s in doc.sections)
            top.extend(section_ids.setdefault(s, len(section_ids)) for s in doc.tops)
            dates.extend(doc.dates)
            vocab.update(w for w in doc.surface if len(w) <= _MAX_VOCAB_WORD)
        bm25 = bm25s.BM25()
        if corpus:
            bm25.index(corpus, show_progress=False)
        words = sorted(vocab)
        id_blob, offsets = _blob(ids)
        record_blob, record_offsets = _blob(records)
        id_hash = _id_hashes(ids)
        by_hash = np.argsort(id_hash, kind="stable")
        arrays = {
            "doc": np.asarray(doc_idx, dtype=np.int32),
            "kind": np.asarray(kinds, dtype=np.int8),
            "sec": np.asarray(sec, dtype=np.int32),
            "top": np.asarray(top, dtype=np.int32),
            "date": np.asarray(dates, dtype=np.int32),
            "ids": id_blob,
            "offsets": offsets,
            "records": record_blob,
            "record_offsets": record_offsets,
            "id_hash": id_hash[by_hash],  # sorted, for finding a chunk's row by its id
            "id_row": by_hash.astype(np.int64),
            "vocab": np.asarray(words, dtype=f"<U{_MAX_VOCAB_WORD}"),
            "vocab_len": np.asarray([len(w) for w in words], dtype=np.int16),
            "vocab_sig": _signatures(words),
        }
        sections = [""] * len(section_ids)
        for s, i in section_ids.items():
            sections[i] = s
        return cls(bm25, arrays, [(d.doc_id, d.sha) for d in docs], version, sections=sections)

    @classmethod
    def from_chunks(cls, chunks: Sequence[Chunk], version: str = "") -> LexicalIndex:
        """An in-memory index over these chunks (tests and one-off use)."""
        by_doc: dict[tuple[str, str], list[Chunk]] = {}
        for chunk in chunks:
            by_doc.setdefault((chunk.doc_id, chunk.doc_sha), []).append(chunk)
        return cls.build([DocTokens.from_chunks(d, s, c) for (d, s), c in by_doc.items()], version)

    def save(self, folder: Path) -> None:
        """Write to ``folder`` atomically: a temporary sibling renamed into place."""
        tmp = folder.with_name(f".{folder.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.size:
            self._bm25.save(str(tmp / "bm25"), show_progress=False)
        for name, array in self._a.items():
            np.save(tmp / f"{name}.npy", np.asarray(array))
        (tmp / "sections.json").write_text(json.dumps(self.sections), encoding="utf-8")
        (tmp / "meta.json").write_text(json.dumps({"format": FORMAT, "version": self.version, "docs": self.docs}),
                                       encoding="utf-8")
        try:
            os.rename(tmp, folder)
        except OSError:  # another process saved the same version first: theirs is as good
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Memory-map a saved index: cost independent of the corpus size (but the vocabularies)."""
        import bm25s

        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError("saved lexical index has another format")
        arrays = {p.stem: np.load(p, mmap_mode="r") for p in folder.glob("*.npy")}
        bm25 = None
        if (folder / "bm25").is_dir():
            bm25 = bm25s.BM25.load(str(folder / "bm25"), mmap=True, show_progress=False)
        return cls(bm25, arrays, [tuple(d) for d in meta["docs"]], meta["version"], folder)

    # sizes and lookups ------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return int(len(self._a["doc"]))

    @property
    def sections(self) -> list[str]:
        if self._sections is None and self.folder is not None:
            self._sections = json.loads((self.folder / "sections.json").read_text(encoding="utf-8"))
        return self._sections or []

    def chunk_id(self, row: int) -> str:
        offsets = self._a["offsets"]
        start, end = int(offsets[row]), int(offsets[row + 1]) - 1
        return bytes(self._a["ids"][start:end]).decode("utf-8")

    def chunk(self, row: int) -> Chunk:
        """The passage at ``row``, from the saved records (memory-mapped; no store read)."""
        from .records import chunk_from_record

        offsets = self._a["record_offsets"]
        start, end = int(offsets[row]), int(offsets[row + 1]) - 1
        cid, text, meta = json.loads(bytes(self._a["records"][start:end]).decode("utf-8"))
        return chunk_from_record(cid, text, meta)

    def row_of(self, chunk_id: str) -> int | None:
        """The row of the passage with id ``chunk_id``, or None when this version lacks it
        (a binary search over the saved id hashes, checked against the id itself)."""
        hashes = self._a.get("id_hash")
        if hashes is None or not len(hashes):
            return None
        key = _id_hashes([chunk_id])[0]
        at = int(np.searchsorted(hashes, key))
        while at < len(hashes) and hashes[at] == key:
            row = int(self._a["id_row"][at])
            if self.chunk_id(row) == chunk_id:
                return row
            at += 1
        return None

    @property
    def chunk_ids(self) -> list[str]:
        return [self.chunk_id(i) for i in range(self.size)]

    @property
    def _doc_freq_array(self) -> np.ndarray:
        return np.diff(np.asarray(self._bm25.scores["indptr"]))

    def doc_freq(self, token: str) -> int:
        if self._bm25 is None:
            return 0
        tid = self._bm25.vocab_dict.get(token)
        if tid is None:
            return 0
        indptr = self._bm25.scores["indptr"]
        return int(indptr[tid + 1] - indptr[tid])

    # spelling ------------------------------------------------------------------------------------
    def _known(self, word: str) -> bool:
        vocab = self._a["vocab"]
        if len(word) <= _MAX_VOCAB_WORD and len(vocab):
            i = int(np.searchsorted(vocab, word))
            if i < len(vocab) and vocab[i] == word:
                return True
        return self.doc_freq(stem_all([word])[0]) > 0

    def _closest(self, word: str) -> str:
        cached = self._corrections.get(word)
        if cached is None:
            cached = self._corrections[word] = self._closest_uncached(word)
            if len(self._corrections) > 4096:
                self._corrections.pop(next(iter(self._corrections)))
        return cached

    def _closest_uncached(self, word: str) -> str:
        vocab = self._a["vocab"]
        if not len(vocab):
            return word
        sig = _signatures([word])[0].astype(np.int16)
        a = len(word)
        b = np.asarray(self._a["vocab_len"], dtype=np.int32)
        l1 = np.abs(np.asarray(self._a["vocab_sig"], dtype=np.int16) - sig).sum(axis=1)
        # difflib's ratio 2M/(a+b) with M <= (a+b-L1)/2 (matches need equal letters)
        cutoff = self.spelling_cutoff
        possible = np.nonzero((a + b - l1) >= cutoff * (a + b) - 1e-9)[0]
        candidates = [str(vocab[i]) for i in possible]
        # the question words are no corpus words, but "wich" is still "which"
        match = difflib.get_close_matches(word, candidates + list(_LONG_STOPWORDS), n=1, cutoff=cutoff)
        return match[0] if match else word

    def correct(self, words: Sequence[str]) -> list[str]:
        """Replace words the corpus does not contain by a close vocabulary word, if any."""
        fixed = []
        for word in words:
            if len(word) == 3 and word.isalpha() and not self._known(word) and word not in self.dictionary:
                closest = self._closest(word)  # "wat": a question word only, short words are too alike
                fixed.append(closest if closest in _LONG_STOPWORDS else word)
            elif len(word) < 4 or word.isdigit() or is_real_word(word, self.dictionary) or self._known(word) or any(
                    self._known(v) for v in _spelling_variants(word)):
                fixed.append(word)
            else:
                fixed.append(self._closest(word))
        return fixed

    def correct_text(self, text: str) -> str:
        """The text with misspelled words replaced in place (for dense search and display)."""
        def fix(match: re.Match[str]) -> str:
            word = match.group(0)
            folded = word.casefold()
            if folded in STOPWORDS:
                return word
            fixed = self.correct([folded])[0]
            if fixed == folded:
                return word
            return fixed[:1].upper() + fixed[1:] if word[:1].isupper() else fixed

        return re.sub(r"\w+", fix, text)

    # scoring ---------------------------------------------------------------------------------------
    def idf(self, token: str) -> float:
        """Smoothed inverse document frequency of a stemmed token (unknown words weigh most)."""
        n = max(1, self.size)
        df = self.doc_freq(token)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def query_tokens(self, query: str) -> list[str]:
        """The stemmed query words (no spelling correction: the pipeline corrects once), with the
        initials of its names and the countries of the capitals it names ("Beijing" also finds
        "China") when the corpus never uses the capital's own name."""
        countries = [w for capital, country in capitals_named(query)
                     if not any(self.doc_freq(t) for t in tokenize(capital)) for w in content_words(country)]
        return stem_all(content_words(query) + initialisms(query) + countries)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage, in row order."""
        if not self.size or self._bm25 is None:
            return np.zeros(self.size)
        tokens = self.query_tokens(query)
        if not tokens:
            return np.zeros(self.size)
        return np.asarray(self._bm25.get_scores(tokens), dtype=float)

    def mask(
        self,
        documents: Sequence[str] | None = None,
        sections: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
        date_from: int | None = None,
        date_to: int | None = None,
        committed: dict[str, str] | None = None,
    ) -> np.ndarray:
        """Rows that pass a filter (vectorised over the saved columns; no passage is read)."""
        keep = np.ones(self.size, dtype=bool)
        doc = self._a["doc"]
        if committed is not None:  # an index a version behind: hide changed or removed documents
            stale = [i for i, (d, s) in enumerate(self.docs) if committed.get(d) != s]
            if stale:
                keep &= ~np.isin(doc, stale)
        if documents:
            wanted = [self._doc_index[d] for d in documents if d in self._doc_index]
            keep &= np.isin(doc, wanted)
        if kinds:
            keep &= np.isin(self._a["kind"], [_KINDS.index(k) for k in kinds if k in _KINDS])
        if sections:
            names = set(sections)
            wanted = [i for i, s in enumerate(self.sections) if s in names]
            keep &= np.isin(self._a["sec"], wanted) | np.isin(self._a["top"], wanted)
        if date_from is not None:
            keep &= self._a["date"] >= date_from
        if date_to is not None:
            keep &= self._a["date"] <= date_to
        return keep

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[Chunk, float]]:
        """Top ``k`` (passage, score) with a positive score among the rows ``mask`` keeps."""
        return [(self.chunk(row), score) for row, score in self._top_rows(query, k, mask)]

    def search_rows(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, score) with a positive score among the rows ``mask`` keeps."""
        return [(self.chunk_id(row), score) for row, score in self._top_rows(query, k, mask)]

    def _top_rows(self, query: str, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        scores = self.scores(query)
        if mask is not None and len(scores):
            scores = np.where(mask, scores, 0.0)
        positive = np.count_nonzero(scores > 0)
        if not positive or k <= 0:
            return []
        k = min(k, positive)
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        threshold = scores[top].min()
        rows = np.nonzero(scores >= threshold)[0]  # ties at the cut: lowest row first, as before
        rows = rows[np.lexsort((rows, -scores[rows]))][:k]
        return [(int(r), float(scores[r])) for r in rows if scores[r] > 0]


def _id_hashes(ids: Sequence[str]) -> np.ndarray:
    """A 64-bit hash of each chunk id (blake2b, stable across processes)."""
    return np.asarray(
        [int.from_bytes(hashlib.blake2b(i.encode("utf-8"), digest_size=8).digest(), "little") for i in ids],
        dtype=np.uint64,
    )


def _blob(items: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Strings as one UTF-8 byte array (newline-terminated) plus offsets: memory-mappable."""
    encoded = [i.encode("utf-8") + b"\n" for i in items]
    offsets = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum(np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), offsets


def _signatures(words: Sequence[str]) -> np.ndarray:
    """Per word, how many of its characters fall in each of 32 buckets (uint8)."""
    if not words:
        return np.zeros((0, _BUCKETS), dtype=np.uint8)
    width = max(len(w) for w in words)
    codes = np.asarray(list(words), dtype=f"<U{width}").view(np.uint32).reshape(len(words), width)
    sig = np.zeros((len(words), _BUCKETS), dtype=np.int32)
    rows = np.arange(len(words))
    for j in range(width):
        col = codes[:, j]
        np.add.at(sig, (rows, col % _BUCKETS), (col != 0).astype(np.int32))
    return np.minimum(sig, 255).astype(np.uint8)


# -- the on-disk cache ----------------------------------------------------------------------------
class LexicalCache:
    """Saved per-document tokens and per-version indexes for one collection.

    ``get`` returns the index of the store's current version: loaded if saved, otherwise
    built from the saved tokens (reading from the store only documents with none) and saved.
    With ``background=True`` and an older index in hand, the rebuild runs in a thread and
    the older index keeps answering meanwhile (documents changed since are masked out).
    """

    def __init__(self, folder: Path | None, spelling_cutoff: float = SPELLING_CUTOFF,
                 dictionary: frozenset[str] = frozenset()) -> None:
        self.folder = folder  # None: nothing saved (a Chroma server with no shared folder)
        self.spelling_cutoff = spelling_cutoff
        self.dictionary = dictionary  # real words never corrected (the embedding model's vocabulary)
        self._current: LexicalIndex | None = None
        self._lock = threading.Lock()
        self._building: str | None = None

    def tokens_path(self, doc_id: str, sha: str) -> Path:
        assert self.folder is not None
        key = hashlib.sha256(f"{FORMAT}\x00{doc_id}\x00{sha}".encode()).hexdigest()[:40]
        return self.folder / "tokens" / f"{key}.json"

    def save_tokens(self, doc: DocTokens) -> None:
        if self.folder is None:
            return
        path = self.tokens_path(doc.doc_id, doc.sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_text(json.dumps(doc.__dict__, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    def load_tokens(self, doc_id: str, sha: str) -> DocTokens | None:
        if self.folder is None:
            return None
        try:
            data = json.loads(self.tokens_path(doc_id, sha).read_text(encoding="utf-8"))
            return DocTokens(**data)
        except (OSError, ValueError, TypeError):
            return None

    def index_path(self, version: str) -> Path:
        assert self.folder is not None
        return self.folder / f"index-{version}-f{FORMAT}"  # another format never collides

    def get(
        self,
        version: str,
        committed: dict[str, str],
        fetch_chunks: Callable[[str, str], Sequence[Chunk]],
        background: bool = False,
    ) -> LexicalIndex:
        if not version:  # a store written before versions existed: key by its contents
            version = "c" + hashlib.sha256(repr(sorted(committed.items())).encode()).hexdigest()[:16]
        current = self._current
        if current is not None and current.version == version and version:
            return current
        with self._lock:
            current = self._current
            if current is not None and current.version == version and version:
                return current
            loaded = self._load(version) if version and self.folder is not None else None
            if loaded is not None:
                self._current = loaded
                return loaded
            if background and current is not None:
                if self._building != version:
                    self._building = version
                    threading.Thread(target=self._build_quietly, args=(version, committed, fetch_chunks),
                                     daemon=True, name="lexical-rebuild").start()
                return current
            index = self._build(version, committed, fetch_chunks)
            self._current = index
            return index

    def _load(self, version: str) -> LexicalIndex | None:
        path = self.index_path(version)
        if not (path / "meta.json").is_file():
            return None
        try:
            index = LexicalIndex.load(path)
        except (OSError, ValueError, KeyError):
            return None
        index.spelling_cutoff = self.spelling_cutoff
        index.dictionary = self.dictionary
        return index

    def _build_quietly(self, version: str, committed: dict[str, str],
                       fetch_chunks: Callable[[str, str], Sequence[Chunk]]) -> None:
        try:
            index = self._build(version, committed, fetch_chunks)
            with self._lock:
                if self._current is None or self._current.version != version:
                    self._current = index
        except Exception:  # the older index keeps serving; the next question retries
            pass
        finally:
            self._building = None

    def _build(self, version: str, committed: dict[str, str],
               fetch_chunks: Callable[[str, str], Sequence[Chunk]]) -> LexicalIndex:
        docs = []
        for doc_id, sha in committed.items():
            tokens = self.load_tokens(doc_id, sha)
            if tokens is None:
                tokens = DocTokens.from_chunks(doc_id, sha, fetch_chunks(doc_id, sha))
                try:
                    self.save_tokens(tokens)
                except OSError:
                    pass
            docs.append(tokens)
        index = LexicalIndex.build(docs, version)
        if version and self.folder is not None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                index.save(self.index_path(version))
                index = LexicalIndex.load(self.index_path(version))  # memory-mapped from now on
                self._prune(version, committed)
            except (OSError, ValueError):
                pass
        index.spelling_cutoff = self.spelling_cutoff
        index.dictionary = self.dictionary
        return index

    def _prune(self, keep_version: str, committed: dict[str, str]) -> None:
        """Drop older saved indexes (keeping one spare) and tokens of long-gone versions."""
        indexes = sorted((p for p in self.folder.glob("index-*") if p.is_dir()),
                         key=lambda p: p.stat().st_mtime, reverse=True)
        for old in indexes[2:]:
            if old != self.index_path(keep_version):
                shutil.rmtree(old, ignore_errors=True)
        wanted = {self.tokens_path(d, s).name for d, s in committed.items()}
        cutoff = time.time() - 600  # a concurrent ingest's not-yet-committed tokens are younger
        for path in (self.folder / "tokens").glob("*.json"):
            try:
                if path.name not in wanted and path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass


def lexical_folder(settings: Any) -> Path | None:
    """Where a collection's saved tokens and indexes live: beside a local store; against a
    Chroma server, which has no folder to share, in this machine's cache (``lexical_cache_dir``),
    one folder per server and collection. Indexes are saved per index version and tokens per
    document content, so a cached file is never wrong for the store, only unused."""
    if settings.chroma_host:
        server = re.sub(r"[^A-Za-z0-9.-]", "_", f"{settings.chroma_host}-{settings.chroma_port}")
        return Path(settings.lexical_cache_dir) / server / settings.collection
    return Path(settings.store_dir) / "lexical" / settings.collection
