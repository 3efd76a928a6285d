"""The installers' static files: the release workflow, the Linux desktop entry, the macOS
Info.plist and entitlements, and the PyInstaller spec's data files against what the app loads."""
from __future__ import annotations

import configparser
import fnmatch
import plistlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import axiom_ide
from axiom_ide.server import openapi_routes

REPO = Path(__file__).resolve().parents[2]
RESOURCES = REPO / "resources"


def test_release_workflow_builds_all_three_oses_with_real_steps():
    doc = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text())
    on = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` key as True; GitHub as "on"
    assert on["push"]["tags"] == ["v*"]
    build = doc["jobs"]["build"]
    oses = [row["os"] for row in build["strategy"]["matrix"]["include"]]
    assert [o.split("-")[0] for o in oses] == ["ubuntu", "windows", "macos"]
    steps = build["steps"]
    assert all(("run" in s) != ("uses" in s) for s in steps), steps
    runs = "\n".join(s.get("run", "") for s in steps)
    for script in ("packaging/build_linux.sh", "packaging/smoke_test.sh", "packaging/build_windows.ps1",
                   "packaging/build_macos.sh"):
        assert script in runs
        assert (REPO / script).is_file(), script
    assert doc["jobs"]["release"]["needs"] == "build"


@pytest.mark.requires_tool("desktop-file-validate", why="apt-get install desktop-file-utils")
def test_desktop_entry_is_valid_and_names_the_installed_icon_and_binary():
    entry = RESOURCES / "linux" / "axiom-ide.desktop"
    tool = shutil.which("desktop-file-validate")
    assert tool is not None
    proc = subprocess.run([tool, str(entry)], capture_output=True, text=True)
    assert (proc.returncode, proc.stdout + proc.stderr) == (0, "")
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(entry)
    section = parser["Desktop Entry"]
    assert section["Exec"].split()[:2] == ["axiom-ide", "gui"]
    assert section["Icon"] == "axiom-ide"
    sizes = sorted(int(p.parent.parent.name.split("x")[0]) for p in RESOURCES.glob("icons/hicolor/*/apps/axiom-ide.png"))
    assert sizes == [16, 24, 32, 48, 64, 128, 256, 512]


def test_info_plist_has_what_notarization_needs_and_the_current_version():
    with open(RESOURCES / "macos" / "Info.plist", "rb") as f:
        info = plistlib.load(f)
    assert info["CFBundleIdentifier"] == "io.axiom.AxiomIDE"
    assert info["CFBundleShortVersionString"] == info["CFBundleVersion"] == axiom_ide.__version__
    assert info["LSMinimumSystemVersion"] == "11.0"
    assert info["NSHighResolutionCapable"] is True
    assert info["CFBundleExecutable"] == "axiom-ide-gui" and info["CFBundlePackageType"] == "APPL"
    with open(RESOURCES / "macos" / "entitlements.plist", "rb") as f:
        entitlements = plistlib.load(f)
    assert entitlements["com.apple.security.cs.allow-unsigned-executable-memory"] is True
    assert "com.apple.security.get-task-allow" not in entitlements  # notarization refuses it


def test_spec_declares_every_resource_the_app_loads():
    spec = (REPO / "packaging" / "axiom-ide.spec").read_text()
    for tree in ("axiom_ide/resources", "axiom_ide/server/static"):
        assert f'"{tree}"' in spec, tree
    includes = re.search(r'collect_data_files\("swagger_ui", includes=\[(.*?)\]\)', spec, re.S)
    assert includes is not None
    patterns = re.findall(r'"([^"]+)"', includes.group(1))
    for package, path in openapi_routes._ASSET_FILES.values():
        if package == "swagger_ui":
            assert any(fnmatch.fnmatch(path, p) for p in patterns), path
        else:
            assert path.startswith("static/") and package == "axiom_ide.server"
    assert 'collect_data_files("grpc_tools", includes=["_proto/**/*.proto"])' in spec
    assert 'collect_submodules("axiom_ide"' in spec  # server/app.py imports its route modules by name
