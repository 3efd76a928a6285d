"""The in-memory semantic index of agent memory: int8-quantised vectors under one byte budget.

A scope's embeddings (:mod:`.search` keeps one index per model, tenant, flow and session) are held
as an int8 matrix with one float32 scale per row — symmetric per-row quantisation, ``x ≈ q × scale``
with ``scale = max|x| / 127`` — so 384-d e5-small at 100k memories takes 100k × 384 B ≈ 38 MB
instead of float32's 150 MB. A query is scored block by block (:data:`BLOCK` rows converted to
float32 into one reused buffer), so a float32 copy of the whole matrix never exists. The cosines differ from the exact
ones by a few thousandths, which leaves the ranking the same but for near ties
(tests/runtime/test_memory_vectors.py compares the two on a fixed corpus).

Every index of every open database in the process shares one least-recently-used cache
(:data:`CACHE`) with a byte budget: :data:`ENV_BUDGET` in MiB, default :data:`DEFAULT_BUDGET_MB`.
The index searched least recently goes first; an index bigger than the whole budget serves its
search and is not kept. A write, a consolidation or a delete evicts the indexes of the flow it
changed at once (``search.changed``, :meth:`VectorLRU.evict`), so a stale matrix never waits in
memory for a next search; the other flows' indexes stay.
"""
from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

#: The cache's byte budget, in MiB (all scopes of all databases in this process together).
ENV_BUDGET = "AXIOM_IDE_MEMORY_VECTOR_CACHE_MB"
DEFAULT_BUDGET_MB = 256
#: Rows scored per float32 block: 512 × 384-d is 768 KiB, a buffer that stays in the CPU's cache
#: (scoring 100k rows so reads 4× fewer bytes than a float32 matrix, and takes about as long).
BLOCK = 512
#: A cache key (search.py: database token, model, tenant, flow, session).
Key = tuple[Any, ...]


def budget_bytes() -> int:
    """The configured budget in bytes (the default, with a warning, when the setting is not a number ≥ 0)."""
    raw = os.environ.get(ENV_BUDGET, "").strip()
    if not raw:
        return DEFAULT_BUDGET_MB << 20
    try:
        mb = float(raw)
        if mb < 0 or mb != mb:
            raise ValueError
    except ValueError:
        log.warning("%s=%r is not a number of MiB >= 0; using %d", ENV_BUDGET, raw, DEFAULT_BUDGET_MB)
        return DEFAULT_BUDGET_MB << 20
    return int(mb * (1 << 20))


class QuantisedVectors:
    """Row vectors (normalised embeddings) as int8 with a float32 scale per row."""

    def __init__(self, codes: np.ndarray, scales: np.ndarray) -> None:
        #: The quantised rows (n × d int8).
        self.codes = codes
        #: Per-row scale: the row's largest magnitude maps to ±127 (1 for an all-zero row).
        self.scales = scales

    @classmethod
    def quantise(cls, rows: np.ndarray) -> QuantisedVectors:
        rows = np.asarray(rows, dtype=np.float32)
        peak = np.abs(rows).max(axis=1) if rows.size else np.zeros(len(rows), dtype=np.float32)
        scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
        return cls(np.rint(rows / scales[:, None]).astype(np.int8), scales)

    @classmethod
    def from_blobs(cls, blobs: Sequence[bytes]) -> QuantisedVectors:
        """From stored embeddings (``embedding.pack``: float32 bytes), quantised a block at a time."""
        if not blobs:
            return cls(np.zeros((0, 0), dtype=np.int8), np.zeros(0, dtype=np.float32))
        dim = len(blobs[0]) // 4
        parts = [cls.quantise(np.frombuffer(b"".join(blobs[i:i + BLOCK]), dtype=np.float32).reshape(-1, dim))
                 for i in range(0, len(blobs), BLOCK)]
        return cls(np.concatenate([p.codes for p in parts]), np.concatenate([p.scales for p in parts]))

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def nbytes(self) -> int:
        return int(self.codes.nbytes + self.scales.nbytes)

    def scores(self, query: Sequence[float]) -> np.ndarray:
        """Each row's dot product with ``query`` (its cosine, for normalised vectors)."""
        q = np.asarray(query, dtype=np.float32)
        out = np.empty(len(self.codes), dtype=np.float32)
        block = np.empty((min(BLOCK, len(self.codes)), self.codes.shape[1] if self.codes.ndim == 2 else 0),
                         dtype=np.float32)
        for i in range(0, len(self.codes), BLOCK):
            codes = self.codes[i:i + BLOCK]
            rows = block[:len(codes)]
            np.copyto(rows, codes, casting="unsafe")  # into the one reused buffer: no allocation per block
            np.dot(rows, q, out=out[i:i + len(codes)])
        out *= self.scales
        return out

    def top(self, query: Sequence[float], k: int) -> list[tuple[int, float]]:
        """The ``k`` best rows for ``query``: (row index, score), best first."""
        sims = self.scores(query)
        top = np.argpartition(-sims, k)[:k] if len(sims) > k else np.arange(len(sims))
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(int(i), float(sims[i])) for i in top]


class VectorLRU:
    """Indexes by key, least recently used evicted first once their bytes pass the budget.
    Values are anything with ``nbytes``."""

    def __init__(self, budget: Callable[[], int] = budget_bytes) -> None:
        self._budget = budget
        self._items: OrderedDict[Key, Any] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Key) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Key, value: Any) -> None:
        """Keep ``value`` (replacing the key's old one), then evict the least recently used until
        the budget holds; a value bigger than the whole budget is not kept."""
        size, budget = int(value.nbytes), self._budget()
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= int(old.nbytes)
            if size > budget:
                log.info("memory vector index %s (%d bytes) exceeds the %d-byte budget (%s): not cached",
                         key, size, budget, ENV_BUDGET)
                return
            self._items[key] = value
            self._bytes += size
            while self._bytes > budget and self._items:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= int(dropped.nbytes)

    def evict(self, match: Callable[[Key], bool]) -> int:
        """Drop the indexes whose key ``match`` accepts; returns how many."""
        with self._lock:
            gone = [k for k in self._items if match(k)]
            for k in gone:
                self._bytes -= int(self._items.pop(k).nbytes)
            return len(gone)

    def keys(self) -> list[Key]:
        """The keys held now, least recently used first."""
        with self._lock:
            return list(self._items)

    @property
    def nbytes(self) -> int:
        """The bytes of the indexes held now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)


#: The process's one cache of memory vector indexes (:mod:`.search` keys it by database and scope).
CACHE = VectorLRU()
