"""A module that fails to import is an error, never a silent fallback (node code run in-process
when the host package is broken, verbs missing from the CLI, an editor analysis without the compiler)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from axiom_ide.runtime.model.flow import Flow
from axiom_ide.runtime.model.flow_yaml import new_flow_file
from axiom_ide.runtime.runtime import default_invoker

ROOT = Path(__file__).resolve().parents[1]


def test_a_broken_host_package_fails_the_runtime_instead_of_running_node_code_in_process(monkeypatch):
    monkeypatch.setitem(sys.modules, "axiom_ide.runtime.host", None)  # importing it raises ImportError
    with pytest.raises(ImportError, match=r"axiom_ide\.runtime\.host"):
        default_invoker(None, None)


def test_a_broken_command_module_fails_the_cli_instead_of_dropping_its_verbs():
    probe = ("import sys; sys.modules['axiom_ide.cli.gui_cmds'] = None\n"
             "from axiom_ide.cli.main import main\nmain(['--help'])\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 1 and "ModuleNotFoundError: import of axiom_ide.cli.gui_cmds halted" in out.stderr, out


def test_the_editor_analysis_without_its_compiler_module_raises(monkeypatch, example_workspace):
    from axiom_ide.document.analysis import analyze
    from axiom_ide.runtime.packages import Workspace

    monkeypatch.setitem(sys.modules, "axiom_ide.runtime.compiler.analyze", None)
    with pytest.raises(ImportError, match=r"axiom_ide\.runtime\.compiler\.analyze"):
        analyze(new_flow_file(Flow("f")), Workspace(example_workspace))


def test_a_tab_without_its_canvas_package_raises_instead_of_showing_a_placeholder(monkeypatch, qtbot, example_workspace):
    from axiom_ide.app.flow_tab import FlowTab
    from axiom_ide.document import FlowDocument

    doc = FlowDocument.open(example_workspace / "flows" / "hello.flow.yaml")
    monkeypatch.setitem(sys.modules, "axiom_ide.canvas", None)
    with pytest.raises(ImportError, match=r"axiom_ide\.canvas"):
        FlowTab(doc)
