"""``axiom-ide flow diff``: semantic diff of flow files and git revisions, in a real git repository
made by the test; layout moves apart; precise errors for a revision or path that is not there;
``--render`` draws added/removed/changed with the canvas items."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from axiom_ide.cli.main import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

FLOW = "flows/branching.flow.yaml"


ROOT = Path(__file__).resolve().parents[2]


def git(repo: Path, *argv: str) -> str:
    """Run git in ``repo``; a diff driver it starts imports this checkout's axiom_ide."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *argv], cwd=repo,
                          check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(example_workspace, monkeypatch) -> Path:
    """The example workspace as a git repo: commit 1 as shipped, then a commit that changes the flow's
    behaviour in every way a diff reports plus one layout-only move; the working tree is at commit 2."""
    git(example_workspace, "init", "-q")
    git(example_workspace, "add", "-A")
    git(example_workspace, "commit", "-qm", "one")
    path = example_workspace / FLOW
    text = path.read_text(encoding="utf-8")
    text = text.replace("  - id: quiet\n    node: examples/text@0.1.0:Echo\n",
                        "  - id: quiet\n    node: examples/text@0.1.0:Upper\n  - id: extra\n    node: examples/text@0.1.0:Echo\n")
    text = text.replace("when: output.score < 1.0", "when: output.score < 0.5")
    text = text.replace("  - id: score\n    node: examples/text@0.1.0:Score\n",
                        "  - id: score\n    node: examples/text@0.1.0:Score\n    col: 0\n    row: 2\n")
    text = text.replace("  - from: loud\n    to: both\n    map:\n      left: text\n", "")
    text = text.replace("join:\n", "  - from: quiet\n    to: extra\njoin:\n")
    path.write_text(text, encoding="utf-8")
    git(example_workspace, "commit", "-qam", "two")
    monkeypatch.chdir(example_workspace)
    return example_workspace


def test_diff_of_two_revisions_is_semantic_with_layout_apart(repo, capsys):
    assert main(["flow", "diff", f"HEAD~1:{FLOW}", f"HEAD:{FLOW}", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["identical"] is False
    assert d["nodes"]["added"] == [{"id": "extra", "node": "examples/text@0.1.0:Echo"}]
    assert d["nodes"]["removed"] == []
    assert d["nodes"]["changed"] == [{"id": "quiet", "changes": [
        {"field": "node", "old": "examples/text@0.1.0:Echo", "new": "examples/text@0.1.0:Upper"}]}]
    assert d["edges"]["added"] == [{"from": "quiet", "to": "extra"}]
    assert d["edges"]["removed"] == [{"from": "loud", "to": "both", "map": {"left": "text"}}]
    assert d["edges"]["changed"] == [{"from": "score", "to": "quiet", "changes": [
        {"field": "when", "old": "output.score < 1.0", "new": "output.score < 0.5"}]}]
    assert d["layout"] == [{"id": "score", "old": None, "new": [0, 2]}]


def test_text_report_and_ignore_layout(repo, capsys):
    assert main(["flow", "diff", f"HEAD~1:{FLOW}", FLOW]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "+ node extra (examples/text@0.1.0:Echo)" in out
    assert "- edge loud → both [map={left: text}]" in out
    assert "~ edge score → quiet when: output.score < 1.0 → output.score < 0.5" in out
    assert out[-2:] == ["layout only (1 moved):", "  node score: auto → col 0, row 2"]
    assert main(["flow", "diff", f"HEAD~1:{FLOW}", FLOW, "--ignore-layout", "--json"]) == 0
    assert "layout" not in json.loads(capsys.readouterr().out)


def test_layout_only_change_is_no_difference_when_ignored(repo, capsys):
    path = repo / FLOW
    path.write_text(path.read_text(encoding="utf-8").replace("    col: 0\n    row: 2\n", "    col: 3\n    row: 1\n"),
                    encoding="utf-8")
    assert main(["flow", "diff", f"HEAD:{FLOW}", FLOW, "--ignore-layout", "--exit-code"]) == 0
    assert capsys.readouterr().out == "no differences (1 layout move(s) hidden)\n"
    assert main(["flow", "diff", f"HEAD:{FLOW}", FLOW, "--exit-code"]) == 1
    assert "node score: col 0, row 2 → col 3, row 1" in capsys.readouterr().out


def test_missing_revision_and_path_are_precise_errors(repo, capsys):
    assert main(["flow", "diff", f"HEAD~7:{FLOW}", FLOW]) == 1
    err = capsys.readouterr().err
    assert err.startswith('error: git revision "HEAD~7" does not exist in ') and f"HEAD~7:{FLOW}" in err
    assert main(["flow", "diff", "HEAD~1:flows/nope.flow.yaml", FLOW, "--json"]) == 1
    e = json.loads(capsys.readouterr().out)["errors"][0]
    assert e["code"] == "git_path_not_found"
    assert e["message"].startswith('flows/nope.flow.yaml does not exist at git revision "HEAD~1"')
    assert main(["flow", "diff", "missing.flow.yaml", FLOW]) == 1
    assert "flow file not found: missing.flow.yaml" in capsys.readouterr().err


def test_git_external_diff_arguments(repo, capsys):
    """What git passes a diff driver (`diff.axiomflow.command`): path, old file, hex, mode, new file, hex, mode."""
    old = repo / "old.flow.yaml"
    old.write_text(git(repo, "show", f"HEAD~1:{FLOW}"), encoding="utf-8")
    assert main(["flow", "diff", FLOW, str(old), "0" * 7, "100644", FLOW, "1" * 7, "100644"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"flow diff {FLOW}" and "+ node extra (examples/text@0.1.0:Echo)" in out
    assert main(["flow", "diff", "/dev/null", FLOW, "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["nodes"]["added"]) == 5


def test_through_git_diff_with_gitattributes(repo):
    """The README's setup: `.gitattributes` + `diff.axiomflow.command` make `git diff` print the semantic diff."""
    import sys

    (repo / ".gitattributes").write_text("*.flow.yaml diff=axiomflow\n", encoding="utf-8")
    cmd = f"{sys.executable} -m axiom_ide flow diff"
    out = git(repo, "-c", f"diff.axiomflow.command={cmd}", "diff", "HEAD~1", "HEAD", "--", FLOW)
    assert "+ node extra (examples/text@0.1.0:Echo)" in out and "~ node quiet node:" in out


def test_render_colours_the_changes(qapp, repo, tmp_path, capsys):
    from PySide6.QtGui import QColor, QImage

    out = tmp_path / "diff.png"
    assert main(["flow", "diff", f"HEAD~1:{FLOW}", FLOW, "--render", str(out), "--workspace", str(repo)]) == 0
    assert f"{out} (" in capsys.readouterr().out
    img = QImage(str(out))
    assert img.width() > 300
    colours = {QColor(img.pixel(x, y)).name() for y in range(0, img.height(), 2) for x in range(0, img.width(), 2)}
    assert {"#2e9e44", "#d03b3b", "#e0a100"} <= colours
    svg = tmp_path / "diff.svg"
    assert main(["flow", "diff", f"HEAD~1:{FLOW}", FLOW, "--render", str(svg), "--workspace", str(repo)]) == 0
    assert "<svg" in svg.read_text(encoding="utf-8")


def test_readme_git_setup_log_show_and_difftool(repo):
    """The README's other commands, as written: `git log -p --ext-diff` and `git show --ext-diff` use the
    driver (plain `git log -p` does not), and `git difftool -y -t axiomflow` with `difftool.axiomflow.cmd`."""
    import sys

    (repo / ".gitattributes").write_text("*.flow.yaml diff=axiomflow\n", encoding="utf-8")
    driver = f"diff.axiomflow.command={sys.executable} -m axiom_ide flow diff"
    semantic = "+ node extra (examples/text@0.1.0:Echo)"
    assert semantic in git(repo, "-c", driver, "log", "-p", "--ext-diff", "-1", "--", FLOW)
    assert semantic in git(repo, "-c", driver, "show", "--ext-diff", "HEAD")
    assert semantic not in git(repo, "-c", driver, "log", "-p", "-1", "--", FLOW)  # hence the README's --ext-diff
    tool = f'difftool.axiomflow.cmd={sys.executable} -m axiom_ide flow diff "$LOCAL" "$REMOTE"'
    out = git(repo, "-c", tool, "difftool", "-y", "-t", "axiomflow", "HEAD~1", "HEAD", "--", FLOW)
    assert semantic in out and "~ node quiet node:" in out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "git difftool -y -t axiomflow HEAD~1 -- flows/" in readme and "git log -p --ext-diff" in readme
