"""``axiom-ide keys create | ls | revoke`` end to end (in-process main, the test's own data dir)."""
from __future__ import annotations

import json
import re

from axiom_ide.cli.main import main
from axiom_ide.runtime.store.apikeys import ApiKeyStore
from axiom_ide.runtime.store.db import open_database


def _authenticate(tmp_data, raw):
    db = open_database(tmp_data)
    try:
        return ApiKeyStore(db).authenticate(raw)
    finally:
        db.close()


def test_create_prints_the_key_once_and_ls_shows_it_masked(tmp_path, capsys):
    data = str(tmp_path / "d")
    assert main(["keys", "create", "ci", "--data-dir", data]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Created API key ci (tenant local). Copy it now; it is never shown again:"
    raw = out[1]
    assert re.fullmatch(r"[0-9a-f]{64}", raw)
    assert main(["keys", "ls", "--data-dir", data]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "KEY", "CREATED", "LAST", "USED"]
    name, masked, day, _time, last_used = lines[1].split()
    assert (name, masked, last_used) == ("ci", f"{raw[:8]}…{raw[-4:]}", "Never")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day)
    assert raw not in "\n".join(lines)


def test_ls_shows_last_used_once_the_key_authenticates(tmp_path, capsys):
    data = tmp_path / "d"
    assert main(["keys", "create", "ci", "--json", "--data-dir", str(data)]) == 0
    created = json.loads(capsys.readouterr().out)
    assert set(created) == {"name", "tenant", "key", "masked", "created_at"}
    assert _authenticate(data, created["key"]).tenant_id == "local"
    assert main(["keys", "ls", "--json", "--data-dir", str(data)]) == 0
    [row] = json.loads(capsys.readouterr().out)["keys"]
    assert row["name"] == "ci" and row["key"] == created["masked"] and row["created_at"] == created["created_at"]
    assert isinstance(row["last_used"], int) and row["last_used"] >= row["created_at"]
    assert main(["keys", "ls", "--data-dir", str(data)]) == 0
    assert "Never" not in capsys.readouterr().out


def test_keys_are_per_tenant(tmp_path, capsys):
    data = str(tmp_path / "d")
    assert main(["keys", "create", "ci", "--tenant", "acme", "--json", "--data-dir", data]) == 0
    raw = json.loads(capsys.readouterr().out)["key"]
    assert _authenticate(tmp_path / "d", raw).tenant_id == "acme"
    assert main(["keys", "ls", "--data-dir", data]) == 0
    assert capsys.readouterr().out == "No API keys. Create one with: axiom-ide keys create NAME\n"
    assert main(["keys", "revoke", "ci", "--data-dir", data]) == 1  # local has no key "ci"
    assert capsys.readouterr().err == 'error: no active API key named "ci" for tenant local\n'
    assert main(["keys", "revoke", "ci", "--tenant", "acme", "--data-dir", data]) == 0


def test_revoke_stops_the_key_and_frees_its_name(tmp_path, capsys):
    data = str(tmp_path / "d")
    assert main(["keys", "create", "ci", "--json", "--data-dir", data]) == 0
    raw = json.loads(capsys.readouterr().out)["key"]
    assert main(["keys", "revoke", "ci", "--data-dir", data]) == 0
    assert capsys.readouterr().out == "Revoked API key ci. It stops working on its next use.\n"
    assert _authenticate(tmp_path / "d", raw) is None
    assert main(["keys", "revoke", "ci", "--data-dir", data]) == 1
    capsys.readouterr()
    assert main(["keys", "create", "ci", "--data-dir", data]) == 0


def test_duplicate_and_empty_names_are_refused(tmp_path, capsys):
    data = str(tmp_path / "d")
    assert main(["keys", "create", "ci", "--data-dir", data]) == 0
    capsys.readouterr()
    assert main(["keys", "create", "ci", "--data-dir", data]) == 1
    assert capsys.readouterr().err == ('error: an API key named "ci" already exists; '
                                       "revoke it first or pick another name\n")
    assert main(["keys", "create", " ", "--data-dir", data]) == 1
    assert capsys.readouterr().err == "error: a key name is required\n"


def test_serve_refuses_a_malformed_limits_spec(tmp_path, capsys):
    assert main(["serve", "--port", "0", "--limits", "burst=lots", "--data-dir", str(tmp_path / "d")]) == 2
    assert capsys.readouterr().err == 'error: --limits: limit burst must be a number or "off"; got "lots"\n'
