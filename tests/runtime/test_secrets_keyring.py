"""Where the secrets master key lives: the OS keyring when one answers, else a 0600 key file — and a
data dir never silently gets a second key.

The OS keyring here is keyrings.alt's real file backend in tmp_path, declared recommended (keyring
only trusts backends with priority >= 1; Keychain, Credential Locker and Secret Service are). Each
test installs its backends with ``keyring.set_keyring`` and the fixture restores the previous one.
"""
from __future__ import annotations

import asyncio
import configparser
import json
import logging
import os
import stat
import warnings

import keyring
import pytest
from engine_support import add_faults_package, chain, compile_file
from keyring.backends import fail
from keyring.errors import KeyringLocked
from keyrings.alt.escape import unescape
from keyrings.alt.file import PlaintextKeyring

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.runtime import Runtime
from axiom_ide.runtime.store import secrets as secrets_mod
from axiom_ide.runtime.store.secrets import KEY_FILE, KEYRING_REF_FILE, KEYRING_SERVICE, load_master_key

SECRET = "sk-live-0123456789abcdef"


class FileKeyring(PlaintextKeyring):
    """keyrings.alt's plaintext file backend, standing in for an OS keyring."""

    priority = 1


class LockedKeyring(FileKeyring):
    """A recommended backend whose collection is locked (the Secret Service answer when the user
    dismisses the unlock prompt)."""

    def get_password(self, service, username):
        raise KeyringLocked("the collection is locked")

    set_password = get_password


@pytest.fixture
def use_backend():
    previous = keyring.get_keyring()

    def use(backend):
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(previous)


def file_keyring(tmp_path, cls=FileKeyring):
    backend = cls()
    backend.file_path = str(tmp_path / "os-keyring" / "keyring_pass.cfg")
    return backend


@pytest.fixture
def os_keyring(tmp_path, use_backend):
    return use_backend(file_keyring(tmp_path))


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "data"
    path.mkdir()
    return path


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def ref_of(data):
    return json.loads((data / KEYRING_REF_FILE).read_text())


def test_master_key_is_stored_in_and_read_back_from_the_keyring(data, os_keyring):
    key, where = load_master_key(data)
    assert where == "keyring"
    assert not (data / KEY_FILE).exists()
    ref = ref_of(data)
    assert ref["service"] == KEYRING_SERVICE
    assert ref["username"].startswith(f"master-key:{data.resolve()}#")
    assert os_keyring.get_password(KEYRING_SERVICE, ref["username"]) == key.decode("ascii")
    assert mode(data / KEYRING_REF_FILE) == 0o600
    assert not any(key in p.read_bytes() for p in data.iterdir())  # the key stays in the keyring
    assert load_master_key(data) == (key, "keyring")
    assert sorted(p.name for p in data.iterdir()) == [KEYRING_REF_FILE]  # no temp files left over


def test_secrets_set_through_the_runtime_survive_a_reopen_via_the_keyring(
        tmp_path, data, os_keyring, example_workspace, caplog):
    caplog.set_level(logging.DEBUG)
    add_faults_package(example_workspace)
    chain(example_workspace, "sec", ["Secret"])

    def run_secret_flow(rt):
        artifact = compile_file(example_workspace / "flows" / "sec.flow.yaml", example_workspace, store=rt._artifacts)
        return asyncio.run(rt.run(artifact, {"text": ""}, timeout=20)).output["text"]

    rt = Runtime(data, inline=True)
    rt.set_secret("TOKEN", SECRET)
    asyncio.run(rt.close())
    on_disk = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert SECRET.encode() not in on_disk  # (the flow below outputs it, so it lands in its execution record)

    rt = Runtime(data, inline=True)
    try:
        assert rt._secrets.resolve() == {"TOKEN": SECRET}
        assert [s["name"] for s in rt.list_secrets()] == ["TOKEN"]
        assert run_secret_flow(rt) == SECRET
    finally:
        asyncio.run(rt.close())
    assert not (data / KEY_FILE).exists()
    key = os_keyring.get_password(KEYRING_SERVICE, ref_of(data)["username"]).encode("ascii")
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert SECRET not in logged and key.decode("ascii") not in logged
    assert "stored in the OS keyring" in caplog.text  # debug logging was on and captured


@pytest.mark.parametrize("backend", ["fail", "locked", "not-recommended"])
def test_falls_back_to_a_0600_key_file_quietly_when_the_keyring_cannot_be_used(
        tmp_path, data, use_backend, backend, caplog):
    chosen = {"fail": fail.Keyring(), "locked": file_keyring(tmp_path, LockedKeyring),
              "not-recommended": file_keyring(tmp_path, PlaintextKeyring)}[backend]
    use_backend(chosen)
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        key, where = load_master_key(data)
    assert where == "file"
    assert (data / KEY_FILE).read_bytes() == key
    assert mode(data / KEY_FILE) == 0o600
    assert not (data / KEYRING_REF_FILE).exists()
    assert not (tmp_path / "os-keyring").exists()  # nothing written to the keyring's file
    assert warned == []
    assert [r.levelno for r in caplog.records] == [logging.DEBUG] * len(caplog.records)
    assert f"using {KEY_FILE}" in caplog.text
    assert load_master_key(data) == (key, "file")


def test_without_the_keyring_module_a_new_data_dir_gets_a_key_file(data, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "keyring", None)  # import keyring -> ImportError
    key, where = load_master_key(data)
    assert where == "file" and (data / KEY_FILE).read_bytes() == key


def test_use_keyring_false_never_touches_the_keyring(data, os_keyring):
    key, where = load_master_key(data, use_keyring=False)
    assert where == "file" and (data / KEY_FILE).read_bytes() == key
    assert not os.path.exists(os_keyring.file_path)


def test_a_key_file_keeps_its_key_when_a_keyring_becomes_available(tmp_path, data, use_backend):
    use_backend(fail.Keyring())
    rt = Runtime(data, inline=True)
    rt.set_secret("TOKEN", SECRET)
    asyncio.run(rt.close())
    file_key = (data / KEY_FILE).read_bytes()

    later = use_backend(file_keyring(tmp_path))
    assert load_master_key(data) == (file_key, "file")
    rt = Runtime(data, inline=True)
    try:
        assert rt._secrets.resolve() == {"TOKEN": SECRET}
    finally:
        asyncio.run(rt.close())
    assert not (data / KEYRING_REF_FILE).exists()
    assert not os.path.exists(later.file_path)  # no migration, not even a copy in the keyring


def test_a_keyring_key_is_never_replaced_when_the_keyring_is_unusable(tmp_path, data, os_keyring, use_backend):
    rt = Runtime(data, inline=True)
    rt.set_secret("TOKEN", SECRET)
    asyncio.run(rt.close())
    key = load_master_key(data)[0]
    entry = ref_of(data)["username"]

    def refused(**kw):
        with pytest.raises(AxiomError) as caught:
            load_master_key(data, **kw)
        diag = caught.value.diagnostics[0]
        assert diag.code == "secret_key_unavailable"
        assert diag.location.file == str(data / KEYRING_REF_FILE)
        assert f'service "{KEYRING_SERVICE}", entry "{entry}"' in diag.message
        assert "no new key was made" in diag.message
        assert not (data / KEY_FILE).exists()
        return diag.message

    use_backend(fail.Keyring())
    assert "but no recommended keyring backend (keyring.backends.fail.Keyring)" in refused()
    with pytest.raises(AxiomError, match="no recommended keyring backend"):
        Runtime(data, inline=True)
    use_backend(file_keyring(tmp_path, LockedKeyring))
    assert "but reading it failed (KeyringLocked; a locked keyring needs unlocking)" in refused()
    use_backend(os_keyring)
    assert "but this runtime was opened with use_keyring=False" in refused(use_keyring=False)

    os_keyring.set_password(KEYRING_SERVICE, entry, "A" * 43 + "=")  # a valid key, but another one
    assert "but the entry holds a different key than the one secret.keyring records" in refused()
    os_keyring.delete_password(KEYRING_SERVICE, entry)
    assert "but the keyring has no such entry" in refused()

    os_keyring.set_password(KEYRING_SERVICE, entry, key.decode("ascii"))  # the keyring is back
    rt = Runtime(data, inline=True)
    try:
        assert rt._secrets.resolve() == {"TOKEN": SECRET}
    finally:
        asyncio.run(rt.close())


def test_a_data_dir_with_both_a_key_file_and_a_keyring_key_is_refused(data, os_keyring):
    load_master_key(data)
    (data / KEY_FILE).write_bytes(b"A" * 43 + b"=")
    with pytest.raises(AxiomError) as caught:
        load_master_key(data)
    diag = caught.value.diagnostics[0]
    assert diag.code == "secret_key_ambiguous"
    assert diag.message == (f"the data dir has both {KEY_FILE} (a master key) and {KEYRING_REF_FILE} (a master key "
                            "in the OS keyring); keep the one its secrets were written with and move the other away")


def test_an_older_versions_keyring_entry_for_the_data_dir_is_adopted(data, os_keyring):
    legacy = f"master-key:{data.resolve()}"
    old_key = b"B" * 43 + b"="
    os_keyring.set_password(KEYRING_SERVICE, legacy, old_key.decode("ascii"))
    assert load_master_key(data) == (old_key, "keyring")
    assert ref_of(data)["username"] == legacy
    assert load_master_key(data) == (old_key, "keyring")


def keyring_entries(backend):
    """Every (service, username) stored in a keyrings.alt file backend."""
    config = configparser.RawConfigParser()
    config.read(backend.file_path)
    return sorted((unescape(section), unescape(user)) for section in config.sections()
                  for user in config.options(section))


def test_the_loser_of_a_first_open_race_adopts_the_winners_key_and_drops_its_own_entry(data, os_keyring):
    winner, _ = load_master_key(data)
    # A second opener that passed the "no key yet" checks before the winner wrote secret.keyring:
    assert secrets_mod._new_key_in_keyring(data) == winner
    assert keyring_entries(os_keyring) == [(KEYRING_SERVICE, ref_of(data)["username"])]
