"""The credentials store the CLI and Settings → Connections share: a 0600 file in the config dir
with the key in it when no OS keyring answers; with a keyring that answers (a real file-backed
keyrings.alt backend, ranked as a recommended one), the key there and not in the file."""
from __future__ import annotations

import json
import os
import stat

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

from axiom_ide.backends import credentials
from axiom_ide.cli import remote_cmds
from axiom_ide.runtime.errors import AxiomError

KEY = "ab" * 32


class RecommendedFileKeyring(PlaintextKeyring):
    priority = 1  # type: ignore[assignment]  # what a desktop keyring reports


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AXIOM_IDE_CONFIG_DIR", str(tmp_path / "config"))
    for name in ("AXIOM_API_URL", "AXIOM_INGRESS_URL", "AXIOM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "config"


@pytest.fixture
def os_keyring(tmp_path):
    previous = keyring.get_keyring()
    ring = RecommendedFileKeyring()
    ring.file_path = str(tmp_path / "keyring.cfg")
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def test_without_a_keyring_the_key_is_in_the_0600_file(config_dir):
    saved = credentials.save("http://127.0.0.1:8765/", "", KEY)
    assert saved.key_in == "file"
    path = config_dir / "credentials.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(path.read_text()) == {"api_url": "http://127.0.0.1:8765",
                                            "ingress_url": "http://127.0.0.1:8765", "key": KEY}
    assert credentials.load() == credentials.Credentials("http://127.0.0.1:8765", "http://127.0.0.1:8765", KEY)


def test_with_a_keyring_the_file_holds_no_key_and_the_cli_reads_it_back(config_dir, os_keyring):
    saved = credentials.save("https://api.example.com", "https://flows.example.com", KEY)
    assert saved.key_in == "keyring"
    text = (config_dir / "credentials.json").read_text()
    assert KEY not in text and json.loads(text)["key_in"] == "keyring"
    assert os_keyring.get_password(credentials.KEYRING_SERVICE, "https://api.example.com") == KEY
    assert credentials.load().key == KEY
    settings = remote_cmds.remote_settings()  # `axiom-ide whoami` finds the same key
    assert (settings.api_url, settings.ingress_url, settings.key) == ("https://api.example.com",
                                                                     "https://flows.example.com", KEY)
    os_keyring.delete_password(credentials.KEYRING_SERVICE, "https://api.example.com")
    with pytest.raises(AxiomError) as err:
        credentials.load()
    assert err.value.message == ('the API key for https://api.example.com is not in the OS keyring any more; run '
                                 '"axiom-ide login" again (or save it in Settings → Connections)')


def test_a_damaged_file_is_named(config_dir):
    config_dir.mkdir()
    (config_dir / "credentials.json").write_text("{not json")
    with pytest.raises(AxiomError) as err:
        credentials.load()
    assert err.value.message.startswith(f"{config_dir / 'credentials.json'}: cannot read the stored credentials")
