"""Bearer API keys on a live server: 401s, revocation on the very next request, last-used throttle."""
from __future__ import annotations

import json

import httpx

from axiom_ide.cli.main import main
from axiom_ide.runtime.store.db import open_database

UNAUTHORIZED = {"error": "unauthorized"}
URL = "/invocations/v1/executions"


def _create_key(live, name: str, capsys, tenant: str = "local") -> str:
    assert main(["keys", "create", name, "--tenant", tenant, "--json", "--data-dir", str(live.data_dir)]) == 0
    return json.loads(capsys.readouterr().out)["key"]


def _last_used(live, name: str, tenant: str = "local"):
    db = open_database(live.data_dir)
    try:
        return db.conn.execute("SELECT last_used FROM api_keys WHERE tenant_id = ? AND name = ?",
                               (tenant, name)).fetchone()[0]
    finally:
        db.close()


def test_every_malformed_authorization_is_401(live):
    for headers in ({}, {"Authorization": ""}, {"Authorization": "Bearer"}, {"Authorization": "Bearer  x"},
                    {"Authorization": f"Basic {live.key}"}, {"Authorization": f"Token {live.key}"},
                    {"Authorization": f"Bearer {live.key[:-1]}"}, {"Authorization": f"Bearer {live.key.upper()}"},
                    {"Authorization": f"Bearer {live.key}x"}):
        r = httpx.get(live.origin + URL, headers=headers)
        assert (r.status_code, r.json()) == (401, UNAUTHORIZED), headers


def test_scheme_is_case_insensitive_and_the_key_works(live):
    for scheme in ("Bearer", "bearer", "BEARER"):
        r = httpx.get(live.origin + URL, headers={"Authorization": f"{scheme} {live.key}"})
        assert r.status_code == 200, scheme


def test_unknown_paths_need_a_key_too(live):
    r = httpx.get(live.origin + "/invocations/v1/nope")
    assert (r.status_code, r.json()) == (401, UNAUTHORIZED)
    with live.client() as c:
        assert c.get("/invocations/v1/nope").status_code == 404


def test_revoked_key_fails_on_its_very_next_request(live, capsys):
    raw = _create_key(live, "short-lived", capsys)
    with httpx.Client(base_url=live.origin, headers={"Authorization": f"Bearer {raw}"}) as c:
        assert c.get(URL).status_code == 200
        assert main(["keys", "revoke", "short-lived", "--data-dir", str(live.data_dir)]) == 0
        r = c.get(URL)  # same connection, no cache anywhere
        assert (r.status_code, r.json()) == (401, UNAUTHORIZED)
    with live.client() as c:  # other keys are unaffected
        assert c.get(URL).status_code == 200


def test_a_key_resolves_to_its_own_tenant(live, capsys):
    raw = _create_key(live, "acme-ci", capsys, tenant="acme")
    with httpx.Client(base_url=live.origin, headers={"Authorization": f"Bearer {raw}"}) as c:
        assert c.get(URL).status_code == 200
    with live.client(live.other_key) as acme, live.client() as local:
        assert acme.get(URL).json() == httpx.get(live.origin + URL, headers={"Authorization": f"Bearer {raw}"}).json()
        local_ids = {e["execution_id"] for e in local.get(URL).json()["executions"]}
        acme_ids = {e["execution_id"] for e in acme.get(URL).json()["executions"]}
        assert not local_ids & acme_ids


def test_last_used_is_updated_at_most_once_a_minute(live, capsys):
    raw = _create_key(live, "burst", capsys)
    assert _last_used(live, "burst") is None
    with httpx.Client(base_url=live.origin, headers={"Authorization": f"Bearer {raw}"}) as c:
        assert c.get(URL).status_code == 200
        first = _last_used(live, "burst")
        assert first is not None
        for _ in range(5):
            assert c.get(URL).status_code == 200
        assert _last_used(live, "burst") == first  # a burst writes once
        db = open_database(live.data_dir)
        try:  # as if that use were 61 s ago
            db.conn.execute("UPDATE api_keys SET last_used = ? WHERE name = 'burst'", (first - 61,))
        finally:
            db.close()
        assert c.get(URL).status_code == 200
        assert _last_used(live, "burst") >= first
