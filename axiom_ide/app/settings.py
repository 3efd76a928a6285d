"""Persistent view preferences (QSettings): window layout, recent files, open tabs.

Only view state lives here — never flow content. Tests pass their own ``QSettings`` (an ini in
tmp_path) or enable ``QStandardPaths`` test mode so a user's settings are never touched.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "Axiom"
APPLICATION = "Axiom IDE"
MAX_RECENT = 10


def default_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


class Preferences:
    """Typed accessors over one QSettings object."""

    def __init__(self, settings: QSettings | None = None):
        self.qsettings = settings if settings is not None else default_settings()

    # -- layout --------------------------------------------------------------------------------
    def save_layout(self, geometry: QByteArray, state: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)
        self.qsettings.sync()

    def layout(self) -> tuple[QByteArray | None, QByteArray | None]:
        return self.qsettings.value("window/geometry"), self.qsettings.value("window/state")

    # -- files ---------------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.qsettings.value("files/recent", [])
        if isinstance(value, str):  # QSettings collapses a one-item list to a string
            value = [value]
        return [str(v) for v in value if v] if isinstance(value, list) else []

    def add_recent_file(self, path: str | Path) -> list[str]:
        path = str(Path(path).resolve())
        files = [path] + [p for p in self.recent_files() if p != path]
        files = files[:MAX_RECENT]
        self.qsettings.setValue("files/recent", files)
        return files

    def clear_recent_files(self) -> None:
        self.qsettings.setValue("files/recent", [])

    def open_files(self) -> list[str]:
        value = self.qsettings.value("files/open", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value if v] if isinstance(value, list) else []

    def set_open_files(self, paths: list[str]) -> None:
        self.qsettings.setValue("files/open", list(paths))
        self.qsettings.sync()

    def sandbox_nodes(self) -> bool:
        """Whether node code runs sandboxed (the default); off relaxes it for local debugging."""
        return str(self.qsettings.value("run/sandbox", "true")).lower() != "false"

    def set_sandbox_nodes(self, on: bool) -> None:
        self.qsettings.setValue("run/sandbox", "true" if on else "false")

    def python_for_packages(self) -> str | None:
        """The interpreter that makes the virtual environment of a package whose requirements the
        app lacks (Run → Python Interpreter for Packages…); None: AXIOM_IDE_PYTHON, if set."""
        value = self.qsettings.value("run/python_for_packages", "")
        return str(value) if value else None

    def set_python_for_packages(self, path: str | Path | None) -> None:
        self.qsettings.setValue("run/python_for_packages", str(path) if path else "")
        self.qsettings.sync()

    # -- connection (Settings → Connections; the URLs and key live in backends/credentials.py) -----
    def connection_mode(self) -> str:
        """"local" (the default: the embedded runtime) or "remote" (the stored remote)."""
        return "remote" if str(self.qsettings.value("connection/mode", "local")) == "remote" else "local"

    def set_connection_mode(self, mode: str) -> None:
        self.qsettings.setValue("connection/mode", "remote" if mode == "remote" else "local")
        self.qsettings.sync()

    def cli_path(self) -> str:
        """The ``axiom`` CLI the CLI backend runs (backends/cli_backend.py); "" = ``axiom`` on PATH."""
        return str(self.qsettings.value("connection/cli_path", "") or "")

    def set_cli_path(self, path: str) -> None:
        self.qsettings.setValue("connection/cli_path", path.strip())
        self.qsettings.sync()
