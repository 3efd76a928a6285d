"""Secrets at rest, configs and their four-layer resolution, agent memory plumbing."""
from __future__ import annotations

import asyncio
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store.configs import ConfigStore
from axiom_ide.runtime.store.db import open_database
from axiom_ide.runtime.store.memory import SqliteMemory
from axiom_ide.runtime.store.memory_inspect import MemoryInspector
from axiom_ide.runtime.store.secrets import KEY_FILE, SecretBox, SecretStore, load_master_key


@pytest.fixture
def stores(tmp_path):
    db = open_database(tmp_path)
    box = SecretBox(load_master_key(tmp_path, use_keyring=False)[0])
    yield db, SecretStore(db, box), ConfigStore(db, box)
    db.close()


def test_secret_values_are_encrypted_and_never_listed(stores, tmp_path):
    db, secrets, _ = stores
    assert secrets.set("API_KEY", "sk-very-secret") is False
    assert secrets.set("API_KEY", "sk-very-secret-2") is True
    raw = db.conn.execute("SELECT value FROM secrets").fetchone()[0]
    assert b"sk-very-secret" not in raw
    assert b"sk-very-secret" not in (tmp_path / "axiom.db").read_bytes()
    assert [s["name"] for s in secrets.list()] == ["API_KEY"]
    assert "sk" not in repr(secrets.list())
    assert secrets.resolve() == {"API_KEY": "sk-very-secret-2"}
    assert stat.S_IMODE(os.stat(tmp_path / KEY_FILE).st_mode) == 0o600
    assert secrets.delete("API_KEY") and secrets.resolve() == {}
    with pytest.raises(AxiomError):
        secrets.set("bad name", "x")


def test_concurrent_first_opens_of_a_data_dir_agree_on_one_key_file(tmp_path):
    start = Barrier(8)

    def open_key(_):
        start.wait()
        return load_master_key(tmp_path, use_keyring=False)

    with ThreadPoolExecutor(8) as pool:
        results = set(pool.map(open_key, range(8)))
    assert results == {((tmp_path / KEY_FILE).read_bytes(), "file")}
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE]  # no half-written or temp files left


def test_a_key_file_that_is_not_a_key_is_reported_not_replaced(tmp_path):
    (tmp_path / KEY_FILE).write_bytes(b"")
    with pytest.raises(AxiomError) as caught:
        load_master_key(tmp_path)
    diag = caught.value.diagnostics[0]
    assert (diag.code, diag.message) == ("secret_key_unavailable",
                                         f"{tmp_path / KEY_FILE} does not hold a valid master key")
    assert (tmp_path / KEY_FILE).read_bytes() == b""


def test_config_layers_merge_in_order(stores):
    _, _, configs = stores
    assert configs.resolve("f").node_timeout_seconds == 300
    configs.set("default", node_timeout_seconds=100, secret_overrides={"K": "tenant"})
    assert configs.resolve("f").node_timeout_seconds == 100
    configs.set("default", flow_name="f", node_timeout_seconds=50, max_attempts=3)
    prof = configs.set("load-test", flow_name="f", node_timeout_seconds=10, secret_overrides={"K": "profile"})
    r = configs.resolve("f", secrets={"K": "base", "J": "j"})
    assert (r.node_timeout_seconds, r.max_attempts, r.secrets) == (50, 3, {"K": "tenant", "J": "j"})
    r = configs.resolve("f", "load-test")
    assert (r.node_timeout_seconds, r.max_attempts, r.secrets["K"]) == (10, 3, "profile")
    # by id: straight on top of the tenant default (flow default's max_attempts not layered in)
    r = configs.resolve("f", prof.id)
    assert (r.node_timeout_seconds, r.max_attempts, r.secrets["K"]) == (10, 1, "profile")
    assert configs.resolve("g").node_timeout_seconds == 100
    with pytest.raises(AxiomError, match='config "nope" not found for flow "f"'):
        configs.resolve("f", "nope")
    with pytest.raises(AxiomError, match="between 1 and 3600"):
        configs.set("x", node_timeout_seconds=0)
    assert configs.list(flow_name="f")[1].secret_overrides == ("K",)


def test_memory_is_scoped_and_searchable(stores):
    db, _, _ = stores
    mem = SqliteMemory(db)

    async def go():
        a = await mem.call("t", "f", "write", {"content": "likes green tea", "importance": 0.9})
        await mem.call("t", "other", "write", {"content": "likes tea too"})
        found = await mem.call("t", "f", "search", {"query": "tea", "limit": 5})
        assert [e["id"] for e in found] == [a]
        assert await mem.call("t", "empty", "search", {"query": "coffee"}) == []
        await mem.call("t", "f", "history_append", {"session_id": "s", "role": "user", "content": "hi"})
        await mem.call("t", "f", "history_append", {"session_id": "s", "role": "assistant", "content": "yo"})
        turns = await mem.call("t", "f", "history_last", {"session_id": "s", "n": 5})
        assert [(t["role"], t["content"]) for t in turns] == [("user", "hi"), ("assistant", "yo")]
        await mem.call("t", "f", "session_end", {"session_id": "s"})  # non-destructive: marks it ended
        kept = await mem.call("t", "f", "history_last", {"session_id": "s", "n": 5})
        assert [(t["role"], t["content"]) for t in kept] == [("user", "hi"), ("assistant", "yo")]
        ended = MemoryInspector(mem.db).session("t", "s", "f")
        assert ended["ended_at"] is not None and len(ended["turns"]) == 2
        assert MemoryInspector(mem.db).delete_session("t", "s", "f") == 2  # `rm` is what deletes
        assert await mem.call("t", "f", "history_last", {"session_id": "s", "n": 5}) == []

    asyncio.run(go())
