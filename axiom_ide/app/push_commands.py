"""Run → Push Package…: the dialog (``dialogs/push_package.py``) over the workspace's own packages and
the ``axiom`` CLI of Settings → Connections (``connection_commands.cli_backend``)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

from axiom_ide.app.dialogs.push_package import PushPackageDialog


def show_push_package(window: Any) -> PushPackageDialog:
    from axiom_ide.app.connection_commands import cli_backend

    workspace = window.workspace
    packages = sorted((key, pkg.root) for key, pkg in (workspace.packages.items() if workspace else ())
                      if window.workspace_root in pkg.root.parents)  # the workspace's own, not the registry's
    cli = cli_backend(window)

    def run_push(directory: Any, on_line: Callable[[str], None], done: Any, failed: Any) -> None:
        window.bridge.call(lambda _backend: cli.push(directory, on_line), done, failed)

    dialog = PushPackageDialog(packages, " ".join(cli.command), run_push, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.push_dialog = dialog
    dialog.show()
    return dialog
