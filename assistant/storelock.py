"""One store, several processes: an index version and a cross-process reader/writer lock.

A web server, the UI and a shell ``assistant ingest`` may all open the same persistent store.
Chroma's local client keeps the vector index in memory, so a process that does not notice
another's writes queries a stale index (deleted ids, missing documents). Two small pieces
make sharing safe:

* **The index version** (``index.version`` in the store folder, replaced atomically): every
  commit or removal writes a new one. Readers compare it before each question (one tiny file
  read); when it changed they reopen their Chroma client and reload derived indexes, so a
  server sees another process's documents without a restart. Everything derived from the
  store (manifest cache, BM25 index, spelling vocabulary) is keyed by this version.
* **The lock** (``index.lock``, ``fcntl.flock``): writers hold it exclusively only for the
  short Chroma write + commit of a batch of documents (parsing and embedding happen outside
  it); readers hold it shared around a query. So a reader never sees a half-applied write and
  never holds a client that is being changed under it.

Against a Chroma server (``chroma_host``) there is no shared folder: the version lives in a
one-record collection instead and no file lock is taken (the server serialises writes itself).
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:  # POSIX only; elsewhere the lock is a per-process lock and sharing is not supported
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

VERSION_FILE = "index.version"
LOCK_FILE = "index.lock"


def new_version(previous: str = "") -> str:
    """A fresh version string: a counter (readable in logs) and a random part (never reused)."""
    try:
        counter = int(previous.split(".", 1)[0]) + 1
    except ValueError:
        counter = 1
    return f"{counter}.{secrets.token_hex(6)}"


class FolderVersion:
    """The version file of a persistent store folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / VERSION_FILE

    def read(self) -> str:
        try:
            return self.path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return ""

    def bump(self) -> str:
        """Write a new version atomically (write a temporary file, then rename it)."""
        version = new_version(self.read())
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{VERSION_FILE}.{os.getpid()}.{threading.get_ident()}"
        tmp.write_text(version, encoding="ascii")
        os.replace(tmp, self.path)
        return version


class StoreLock:
    """A reader/writer lock shared by every process that opens the same store folder.

    Re-entrant per thread (a writer may read while it holds the lock), and a no-op without a
    folder (server mode).
    """

    def __init__(self, folder: Path | None) -> None:
        self.path = folder / LOCK_FILE if folder is not None else None
        self._local = threading.local()
        # flock is per open file, so threads of one process would not exclude each other's
        # writes through it alone; this in-process lock orders writers among threads.
        self._writer = threading.Lock()

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._hold(exclusive=False):
            yield

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._hold(exclusive=True):
            yield

    @contextmanager
    def _hold(self, exclusive: bool) -> Iterator[None]:
        depth = getattr(self._local, "depth", 0)
        if depth or self.path is None or fcntl is None:
            self._local.depth = depth + 1
            try:
                yield
            finally:
                self._local.depth = depth
            return
        if exclusive:
            self._writer.acquire()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
                self._local.depth = 1
                try:
                    yield
                finally:
                    self._local.depth = 0
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        finally:
            if exclusive:
                self._writer.release()
