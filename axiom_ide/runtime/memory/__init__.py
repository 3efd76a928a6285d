"""Agent memory's search and consolidation (no Qt, no I/O beyond the database and a configured endpoint).

- :mod:`.embedding` — the embedding provider (bundled model, local model2vec, OpenAI-compatible URL, off);
- :mod:`.search` — hybrid keyword + semantic search and the documented score;
- :mod:`.vectors` — the in-memory semantic index: int8-quantised vectors in one byte-budgeted LRU;
- :mod:`.extract` — fact extractors (rule-based default, LLM endpoint);
- :mod:`.consolidation` — the background job that turns ended sessions into semantic memories,
  and episodic retention.

The tables are the store's (``runtime/store/memory*.py``, migrations 3, 7 and 12 in ``db.py``).
"""
