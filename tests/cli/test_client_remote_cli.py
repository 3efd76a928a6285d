"""``axiom-ide client ... --remote`` against a real ``axiom-ide serve``: the same verbs, texts and
``--json`` records as locally, acting on the remote's clients (members resolved and SDKs built
there); a refusal is the remote's words; the zip is saved as ``<name>-sdk-<lang>.zip``."""
from __future__ import annotations

import json
import zipfile

import live_server
import pytest

from axiom_ide.cli.main import main

live = live_server.live_fixture("client-cli-remote")


@pytest.fixture
def cli(live, tmp_path, capsys, monkeypatch):
    for name in ("AXIOM_INGRESS_URL",):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AXIOM_IDE_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("AXIOM_API_URL", live.origin)
    monkeypatch.setenv("AXIOM_API_KEY", live.key)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["client", *argv, "--remote"])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_client_verbs_on_the_remote(cli, live, tmp_path):
    assert cli("new", "billing") == (0, 'created client "billing"\n', "")
    assert cli("new", "billing")[2] == 'error: a client named "billing" already exists\n'
    assert cli("add", "billing", "--package", "examples/text@0.1.0")[0] == 0
    assert cli("rm", "billing", "concat", "score", "word_stream", "word_upper", "echo", "upper")[0] == 0
    assert cli("add", "billing", "--flow", "hello", "--alias", "helloFlow")[0] == 0
    code, _, err = cli("add", "billing", "--flow", "nope")
    assert code == 1 and err == ('error: flow "nope" not found: no flows/nope.flow.yaml in the workspace and no '
                                 "compiled flow of that name\n")
    code, out, _ = cli("show", "billing", "--json")
    assert [m["alias"] for m in json.loads(out)["members"]] == ["greet", "helloFlow"]
    code, out, _ = cli("build", "billing", "--lang", "python")
    assert (code, out) == (0, "version 1  (2 members)\n  python      succeeded\n")
    code, out, _ = cli("add-lang", "billing", "1", "ts", "--json")
    assert code in (0, 1) and [b["language"] for b in json.loads(out)["builds"]] == ["python", "typescript"]
    code, out, _ = cli("versions", "billing", "--json")
    assert [v["version"] for v in json.loads(out)] == [1]
    assert json.loads(out)[0]["members"][0]["input"] == "examples.text.GreetRequest"
    code, out, _ = cli("download", "billing", "1", "py", "--out", str(tmp_path))
    assert code == 0 and out == f"saved {tmp_path / 'billing-sdk-py.zip'}\n"
    with zipfile.ZipFile(tmp_path / "billing-sdk-py.zip") as z:
        assert json.loads(z.read("billing-sdk-py/manifest.json"))["client"] == "billing"
    with live.client() as c:  # all of it is the remote's
        assert [x["name"] for x in c.get("/api/clients").json()["clients"]] == ["billing"]
    assert cli("delete", "billing") == (0, 'deleted client "billing"\n', "")
    assert cli("delete", "billing")[2] == 'error: no client named "billing"\n'
    assert cli("ls") == (0, "no clients\n", "")
