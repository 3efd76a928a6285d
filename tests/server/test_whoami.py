"""``GET /api/whoami`` on a live server: each tenant's key sees its own identity, never secret
material; a revoked key is the documented 401; the server's OpenAPI document describes the route."""
from __future__ import annotations

import httpx


def _masked(raw: str) -> str:
    return f"{raw[:8]}…{raw[-4:]}"


def test_each_tenants_key_sees_its_own_tenant(live):
    with live.client() as c, live.client(live.other_key) as other:
        mine, theirs = c.get("/api/whoami"), other.get("/api/whoami")
        assert mine.status_code == theirs.status_code == 200
        created = {k["name"]: k["created_at"] for k in c.get("/api/keys").json()["keys"]}
        assert mine.json() == {"email": None, "tenant": "local", "key": "test", "masked": _masked(live.key),
                               "created_at": created["test"]}
        assert {k: theirs.json()[k] for k in ("email", "tenant", "key", "masked")} == {
            "email": None, "tenant": "acme", "key": "other", "masked": _masked(live.other_key)}
        assert live.key not in mine.text and live.other_key not in theirs.text


def test_a_revoked_or_unknown_key_is_401_unauthorized(live):
    with live.client() as c:
        new = c.post("/api/keys", json={"name": "whoami-revoked"}).json()
        with httpx.Client(base_url=live.origin, headers={"Authorization": f"Bearer {new['key']}"}) as fresh:
            r = fresh.get("/api/whoami")
            assert (r.status_code, r.json()["key"], r.json()["tenant"]) == (200, "whoami-revoked", "local")
            assert c.delete("/api/keys/whoami-revoked").status_code == 204
            r = fresh.get("/api/whoami")
            assert (r.status_code, r.json()) == (401, {"error": "unauthorized"})
    for headers in ({}, {"Authorization": "Bearer " + "0" * 64}, {"Authorization": "Bearer nope"}):
        r = httpx.get(f"{live.origin}/api/whoami", headers=headers)
        assert (r.status_code, r.json()) == (401, {"error": "unauthorized"})


def test_the_server_spec_documents_whoami(live):
    op = httpx.get(f"{live.origin}/api/openapi.json").json()["paths"]["/api/whoami"]["get"]
    assert set(op["responses"]) >= {"200", "401"}
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == {"email", "tenant", "key", "masked", "created_at"}
    assert schema["additionalProperties"] is False
