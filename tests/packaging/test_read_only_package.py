"""A run of a read-only package (the example workspace inside an installed app) generates its code
in the data dir, never in the package tree; a package whose requirements the app lacks says what
to configure."""
from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from axiom_ide.cli.main import main
from axiom_ide.runtime.examples import bundled_workspace


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*")}


def _chmod_tree(root: Path, writable: bool) -> None:
    for p in [root, *root.rglob("*")]:
        mode = p.stat().st_mode
        p.chmod(mode | stat.S_IWUSR if writable else mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


@pytest.fixture
def read_only_workspace(tmp_path):
    ws = tmp_path / "install" / "workspace"
    shutil.copytree(bundled_workspace(), ws, ignore=shutil.ignore_patterns("gen", "__pycache__", ".pytest_cache"))
    _chmod_tree(ws, writable=False)
    yield ws
    _chmod_tree(ws, writable=True)


@pytest.mark.parametrize("how", [["--inline"], []], ids=["inline", "host"])
def test_flow_run_of_a_read_only_package_writes_gen_to_the_data_dir(read_only_workspace, tmp_path, capsys, how):
    data = Path(os.environ["AXIOM_IDE_DATA_DIR"])
    before = _snapshot(read_only_workspace)
    code = main(["--workspace", str(read_only_workspace), "flow", "run",
                 str(read_only_workspace / "flows" / "greeter.flow.yaml"), "-d", '{"name": "Ada"}', *how])
    out = capsys.readouterr()
    assert (code, out.err) == (0, "")
    assert json.loads(out.out) == {"text": "HEY! HELLO, ADA!"}
    assert _snapshot(read_only_workspace) == before  # no gen/, no __pycache__, nothing touched
    generated = sorted(p.relative_to(data / "gen") for p in (data / "gen").glob("*/gen/messages_pb2.py"))
    assert [p.parts[0].split("@")[0] for p in generated] == ["examples_text"]


def test_a_package_needing_more_than_the_app_has_says_to_configure_a_python(example_workspace, capsys, monkeypatch):
    monkeypatch.delenv("AXIOM_IDE_PYTHON", raising=False)
    reqs = example_workspace / "packages" / "text" / "requirements.txt"
    reqs.write_text("# the node needs it\nno-such-distribution-axiom>=1.0\n")
    code = main(["--workspace", str(example_workspace), "flow", "run",
                 str(example_workspace / "flows" / "hello.flow.yaml"), "-d", '{"name": "Ada"}'])
    err = capsys.readouterr().err
    assert code == 1
    assert ("package examples/text@0.1.0 needs no-such-distribution-axiom>=1.0, which this app does not include: "
            "set AXIOM_IDE_PYTHON to a Python 3.11+ interpreter") in err, err


def test_requirements_the_running_interpreter_satisfies_need_no_venv(tmp_path):
    from axiom_ide.runtime.host.interpreter import unmet_requirements

    (tmp_path / "requirements.txt").write_text(
        "pytest>=8  # installed here\n\nprotobuf\npytest<1\nwin-only-thing; sys_platform == 'nonesuch'\n"
        "-r more.txt\nno-such-distribution-axiom\n")
    assert unmet_requirements(tmp_path) == ["pytest<1", "-r more.txt", "no-such-distribution-axiom"]


def test_an_unusable_configured_python_is_named_in_the_error(example_workspace, capsys, monkeypatch, tmp_path):
    missing = tmp_path / "no" / "python3"
    monkeypatch.setenv("AXIOM_IDE_PYTHON", str(missing))
    (example_workspace / "packages" / "text" / "requirements.txt").write_text("no-such-distribution-axiom\n")
    code = main(["--workspace", str(example_workspace), "flow", "run",
                 str(example_workspace / "flows" / "hello.flow.yaml"), "-d", '{"name": "Ada"}'])
    err = capsys.readouterr().err
    assert code == 1
    assert f"AXIOM_IDE_PYTHON={missing}: cannot create a virtual environment: " in err, err
