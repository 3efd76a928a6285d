"""Windows and macOS get a second, windowed executable for the GUI (no console window beside the
IDE); the CLI stays a console program. Only Linux builds here, so the spec is executed with
stand-ins for PyInstaller's build classes, once per OS, and what it asks PyInstaller to build is
checked; the installer script and the entry point are checked against it."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from PyInstaller.utils import hooks

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "packaging" / "axiom-ide.spec"


class _Built(SimpleNamespace):
    pass


def _run_spec(monkeypatch, platform: str) -> dict:
    """The spec's namespace after running it as if on ``platform``, with every EXE/COLLECT/BUNDLE."""
    built: dict[str, list] = {"EXE": [], "COLLECT": [], "BUNDLE": []}

    def recorder(kind):
        def make(*args, **kwargs):
            obj = _Built(kind=kind, args=args, **kwargs)
            built[kind].append(obj)
            return obj
        return make

    # the data-file helpers answer from this environment; what they collect is test_release_files'
    monkeypatch.setattr(hooks, "collect_data_files", lambda *a, **k: [])
    monkeypatch.setattr(hooks, "collect_submodules", lambda *a, **k: [])
    monkeypatch.setattr(hooks, "copy_metadata", lambda *a, **k: [])
    namespace = {
        "SPECPATH": str(SPEC.parent), "__file__": str(SPEC),
        "Analysis": lambda *a, **k: _Built(pure=[], scripts=["entry"], datas=[], binaries=[]),
        "PYZ": lambda *a, **k: _Built(kind="PYZ"),
        "EXE": recorder("EXE"), "COLLECT": recorder("COLLECT"), "BUNDLE": recorder("BUNDLE"),
    }
    monkeypatch.setattr(sys, "platform", platform)
    try:
        exec(compile(SPEC.read_text(), str(SPEC), "exec"), namespace)
    finally:
        monkeypatch.undo()
    namespace["built"] = built
    return namespace


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_windows_and_macos_build_a_console_cli_and_a_windowed_gui(monkeypatch, platform):
    ns = _run_spec(monkeypatch, platform)
    exes = {e.name: e for e in ns["built"]["EXE"]}
    assert sorted(exes) == ["axiom-ide", "axiom-ide-gui"]
    assert exes["axiom-ide"].console is True
    assert exes["axiom-ide-gui"].console is False
    assert all(e.exclude_binaries for e in exes.values())  # onedir: both share one COLLECT
    [coll] = ns["built"]["COLLECT"]
    # the GUI last: COLLECT (and BUNDLE) take `console` from the last EXE; True would make the .app
    # LSBackgroundOnly (no Dock icon, no menu bar)
    assert [a.name for a in coll.args if getattr(a, "kind", "") == "EXE"] == ["axiom-ide", "axiom-ide-gui"]


def test_the_app_bundle_launches_the_windowed_executable(monkeypatch):
    ns = _run_spec(monkeypatch, "darwin")
    [bundle] = ns["built"]["BUNDLE"]
    assert bundle.info_plist["CFBundleExecutable"] == "axiom-ide-gui"
    assert bundle.name == "Axiom IDE.app"


def test_linux_builds_the_cli_only(monkeypatch):
    ns = _run_spec(monkeypatch, "linux")
    assert [(e.name, e.console) for e in ns["built"]["EXE"]] == [("axiom-ide", True)]
    assert ns["built"]["BUNDLE"] == []


def test_the_installer_shortcuts_and_association_run_the_windowed_executable():
    iss = (REPO / "packaging" / "windows" / "axiom-ide.iss").read_text()
    assert '#define AppGuiExe "axiom-ide-gui.exe"' in iss
    icons = re.search(r"^\[Icons\]\n(.*?)\n\n", iss, re.S | re.M).group(1).splitlines()
    launchers = [line for line in icons if "{uninstallexe}" not in line]
    assert len(launchers) == 2 and all('Filename: "{app}\\{#AppGuiExe}"' in line for line in launchers), launchers
    assert '"""{app}\\{#AppGuiExe}"" gui ""%1"""' in iss  # opening a .flow.yaml
    [run] = [line for line in iss.split("[Run]\n", 1)[1].splitlines() if line.startswith("Filename:")]
    assert "{#AppGuiExe}" in run and "runhidden" not in run  # runhidden would hide the IDE's window
    assert "UninstallDisplayIcon={app}\\{#AppGuiExe}" in iss


def _entry():
    spec = importlib.util.spec_from_file_location("axiom_entry", REPO / "packaging" / "entry.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_windowed_executable_opens_the_ide_when_started_without_arguments():
    entry = _entry()
    gui = r"C:\Program Files\Axiom IDE\axiom-ide-gui.exe"
    cli = r"C:\Program Files\Axiom IDE\axiom-ide.exe"
    assert entry.default_argv([], executable=gui, frozen=True, platform="win32") == ["gui"]
    assert entry.default_argv(["gui", "a.flow.yaml"], executable=gui, frozen=True, platform="win32") == [
        "gui", "a.flow.yaml"]
    assert entry.default_argv(["-m", "axiom_ide.runtime.host.worker"], executable=gui, frozen=True,
                              platform="win32") == ["-m", "axiom_ide.runtime.host.worker"]  # hosts it starts
    assert entry.default_argv([], executable=cli, frozen=True, platform="win32") == []  # the CLI's help
    assert entry.default_argv([], executable=gui, frozen=False, platform="win32") == []
    assert entry.default_argv(["-psn_0_1"], executable="/A.app/Contents/MacOS/axiom-ide-gui", frozen=True,
                              platform="darwin") == ["gui"]
    assert entry.GUI_NAME == _spec_gui_name()


def _spec_gui_name() -> str:
    return re.search(r'^GUI_NAME = "([^"]+)"', SPEC.read_text(), re.M).group(1)
