"""The bundled example workspace: copied once into the data dir, never overwritten."""
from __future__ import annotations

from axiom_ide.runtime.examples import bundled_workspace, ensure_example_workspace
from axiom_ide.runtime.packages import Workspace


def test_first_use_copies_packages_and_flows(tmp_path):
    ws = ensure_example_workspace(tmp_path)
    assert ws == tmp_path / "workspace"
    assert sorted(p.name for p in (ws / "flows").glob("*.flow.yaml")) == sorted(
        p.name for p in (bundled_workspace() / "flows").glob("*.flow.yaml")
    )
    assert sorted(Workspace(ws).packages) == ["examples/math@0.1.0", "examples/text@0.1.0"]
    assert not any(p.name == "gen" for p in ws.rglob("*"))
    assert not (tmp_path / ".workspace.tmp").exists()


def test_an_existing_workspace_is_the_users_and_is_kept(tmp_path):
    ws = ensure_example_workspace(tmp_path)
    edited = ws / "flows" / "hello.flow.yaml"
    edited.write_text("name: mine\nnodes: []\n")
    (ws / "flows" / "linear.flow.yaml").unlink()
    assert ensure_example_workspace(tmp_path) == ws
    assert edited.read_text() == "name: mine\nnodes: []\n"
    assert not (ws / "flows" / "linear.flow.yaml").exists()
