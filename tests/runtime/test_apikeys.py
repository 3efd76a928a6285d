"""ApiKeyStore: 64-hex keys shown once, SHA-256 at rest, tenants, revocation, last-used throttle."""
from __future__ import annotations

import hashlib

import pytest

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store.apikeys import LAST_USED_INTERVAL, ApiKeyStore, created_json
from axiom_ide.runtime.store.db import open_database


class Clock:
    """A settable clock for the store (time is an input, not something to wait for)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path)
    yield db
    db.close()


def test_create_returns_a_64_hex_key_and_stores_only_its_sha256(db):
    raw, key = ApiKeyStore(db).create("ci")
    assert len(raw) == 64 and all(c in "0123456789abcdef" for c in raw)
    assert (key.name, key.tenant_id, key.masked, key.last_used) == ("ci", "local", f"{raw[:8]}…{raw[-4:]}", None)
    row = dict(db.conn.execute("SELECT * FROM api_keys").fetchone())
    assert row["key_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in repr(row).replace(row["key_hash"], "")  # the raw key is nowhere in the row
    assert created_json(raw, key) == {"name": "ci", "tenant": "local", "key": raw, "masked": key.masked,
                                      "created_at": int(key.created_at * 1000)}


def test_authenticate_resolves_the_tenant_and_rejects_anything_else(db):
    keys = ApiKeyStore(db)
    raw, _ = keys.create("laptop", tenant_id="acme")
    assert keys.authenticate(raw).tenant_id == "acme"
    for bad in (None, "", raw.upper(), raw[:-1], raw + "0", raw + "\n", " " + raw, "0" * 64, "g" * 64):
        assert keys.authenticate(bad) is None, bad


def test_revoke_is_effective_on_the_next_lookup_and_per_tenant(db):
    keys = ApiKeyStore(db)
    raw, _ = keys.create("ci")
    acme_raw, _ = keys.create("ci", tenant_id="acme")
    assert keys.revoke("ci", tenant_id="acme") is True
    assert keys.authenticate(acme_raw) is None
    assert keys.authenticate(raw).tenant_id == "local"  # same name, other tenant: untouched
    assert keys.revoke("ci", tenant_id="acme") is False  # already revoked
    assert keys.revoke("nope") is False
    assert [k.name for k in keys.list(tenant_id="acme")] == []
    assert [(k.name, k.revoked_at is not None) for k in keys.list(tenant_id="acme", include_revoked=True)] == [
        ("ci", True)]


def test_names_are_unique_per_tenant_until_revoked(db):
    keys = ApiKeyStore(db)
    old, _ = keys.create("ci")
    with pytest.raises(AxiomError) as err:
        keys.create(" ci ")
    assert err.value.message == 'an API key named "ci" already exists; revoke it first or pick another name'
    keys.revoke("ci")
    new, _ = keys.create("ci")
    assert keys.authenticate(old) is None and keys.authenticate(new) is not None
    assert [k.name for k in keys.list()] == ["ci"]


@pytest.mark.parametrize("name, message", [
    ("", "a key name is required"), ("   ", "a key name is required"),
    ("x" * 65, "a key name is at most 64 printable characters"),
    ("tab\there", "a key name is at most 64 printable characters"),
])
def test_key_names_must_be_short_printable_and_present(db, name, message):
    with pytest.raises(AxiomError) as err:
        ApiKeyStore(db).create(name)
    assert err.value.message == message


def test_list_is_per_tenant_masked_in_creation_order(db):
    clock = Clock()
    keys = ApiKeyStore(db, clock=clock)
    a, _ = keys.create("a")
    clock.now += 1
    b, _ = keys.create("b")
    keys.create("c", tenant_id="acme")
    assert [(k.name, k.masked) for k in keys.list()] == [("a", f"{a[:8]}…{a[-4:]}"), ("b", f"{b[:8]}…{b[-4:]}")]
    assert [k.tenant_id for k in keys.list(tenant_id=None)] == ["local", "local", "acme"]
    assert keys.list()[0].to_json() == {"name": "a", "key": f"{a[:8]}…{a[-4:]}",
                                        "created_at": int(clock.now * 1000) - 1000, "last_used": None}


def test_a_key_without_masking_metadata_shows_a_dash(db):
    db.conn.execute("INSERT INTO api_keys (name, tenant_id, key_hash, prefix, suffix, created_at) "
                    "VALUES ('cli', 'local', 'x', '', '', 1)")
    assert ApiKeyStore(db).list()[0].masked == "—"


def test_last_used_is_written_at_most_once_a_minute(db):
    clock = Clock()
    keys = ApiKeyStore(db, clock=clock)
    raw, _ = keys.create("ci")
    first = clock.now
    assert keys.authenticate(raw).last_used == first
    clock.now += LAST_USED_INTERVAL - 1
    assert keys.authenticate(raw).last_used == first           # a burst: no new write
    assert keys.list()[0].last_used == first
    clock.now = first + LAST_USED_INTERVAL
    assert keys.authenticate(raw).last_used == first + LAST_USED_INTERVAL
    assert keys.list()[0].last_used == first + LAST_USED_INTERVAL
