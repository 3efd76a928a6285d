"""The questions the main window asks the user (modal dialogs), as plain functions of the window.

``MainWindow.ask_*`` call these; tests replace the window's methods with answers.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from axiom_ide.app.dialogs.new_flow import NewFlowDialog
from axiom_ide.app.dialogs.open_flow import OpenFlowDialog


def new_flow_name(parent: QWidget, flows_dir: Path) -> str | None:
    dialog = NewFlowDialog(flows_dir, parent)
    return dialog.flow_name() if dialog.exec() == QDialog.DialogCode.Accepted else None


def open_path(parent: QWidget, workspace_root: Path) -> Path | None:
    dialog = OpenFlowDialog(workspace_root, parent)
    return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None


def save_path(parent: QWidget, flows_dir: Path, doc: Any) -> Path | None:
    start = str(doc.path or flows_dir / f"{doc.flow.name or 'flow'}.flow.yaml")
    path, _ = QFileDialog.getSaveFileName(parent, "Save Flow As", start, "Flows (*.flow.yaml)")
    if not path:
        return None
    return Path(path if path.endswith(".flow.yaml") else path.removesuffix(".yaml") + ".flow.yaml")


def package_python(parent: QWidget, current: str | None) -> Path | None:
    """Run → Python Interpreter for Packages…: an executable file (the window vets it)."""
    start = current or ("C:\\" if sys.platform == "win32" else "/usr/bin")
    pattern = "Python (python*.exe);;All files (*)" if sys.platform == "win32" else ""
    path, _ = QFileDialog.getOpenFileName(parent, "Python Interpreter for Packages", start, pattern)
    return Path(path) if path else None


def unsaved(parent: QWidget, doc: Any) -> str:
    """"save" | "discard" | "cancel" for a dirty document about to close."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                      f'Save changes to "{doc.flow.name}" before closing?',
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    answer = box.exec()
    return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
        QMessageBox.StandardButton(answer), "cancel")


def unsaved_many(parent: QWidget, docs: list[Any]) -> str:
    """"save_all" | "discard_all" | "cancel" for several dirty documents about to close at once."""
    names = "\n".join(f"• {d.flow.name or 'untitled'}" for d in docs)
    box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                      f"{len(docs)} flows have unsaved changes:\n{names}\n\nSave them before closing?",
                      QMessageBox.StandardButton.SaveAll | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("unsavedManyBox")
    box.button(QMessageBox.StandardButton.SaveAll).setText("Save All")
    box.button(QMessageBox.StandardButton.Discard).setText("Discard All")
    box.setDefaultButton(QMessageBox.StandardButton.SaveAll)
    answer = box.exec()
    return {QMessageBox.StandardButton.SaveAll: "save_all", QMessageBox.StandardButton.Discard: "discard_all"}.get(
        QMessageBox.StandardButton(answer), "cancel")


def reload_dirty(parent: QWidget, doc: Any) -> bool:
    answer = QMessageBox.question(
        parent, "File changed on disk",
        f'"{doc.path.name}" changed on disk and has unsaved edits here.\n'
        "Reload it and lose your edits?")
    return answer == QMessageBox.StandardButton.Yes


def restore(parent: QWidget, entries: list[Any]) -> bool:
    names = "\n".join(f"• {e.name or 'untitled'} ({e.original_path or 'never saved'})" for e in entries)
    answer = QMessageBox.question(
        parent, "Restore unsaved changes?",
        f"Axiom IDE closed with unsaved edits last time:\n{names}\n\nRestore them?")
    return answer == QMessageBox.StandardButton.Yes


def stop_debug_run(parent: QWidget, doc: Any, status: str) -> bool:
    """True when the user agrees to cancel the Debug run of a tab about to close."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Debug run in progress",
                      f'The debug run of "{doc.flow.name}" is '
                      f'{"paused" if status == "Debug paused" else "still running"}.\nClosing cancels it.',
                      QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("stopDebugBox")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return QMessageBox.StandardButton(box.exec()) == QMessageBox.StandardButton.Close
