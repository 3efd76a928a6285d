"""Run → Publish…: the editor's Publish action (guides/publish-a-flow: "the same action" as ``axiom
flow publish``). The canvas is compiled on the remote, then an irreversible confirmation in the
docs' words, then the remote publishes that artifact and the result names its id. Publishing needs
a Remote connection (Settings → Connections): on Local it says so and does nothing. Every refusal
(a second publish of a version, an unknown artifact, 401, unreachable) is shown in the server's
words; nothing is half-done locally.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox

from axiom_ide.app import connection as conn
from axiom_ide.app.qt_bridge import alive

TITLE = "Publish flow"
#: The CLI's texts (guides/publish-a-flow), the prompt without its "[y/N]".
CONFIRM = ("Publishing flow {id} makes it publicly visible to every Axiom tenant. This cannot be undone — "
           "published flows are immutable.")
DONE = ("✓ published flow {id}\n  visibility: public — marketplace-visible, forkable, importable as a subflow\n"
        "  this version is immutable; compile a new flow to iterate further")
NEEDS_REMOTE = ("Publishing puts a compiled flow on a remote Axiom deployment's marketplace; connect to one first "
                "(Settings → Connections → Remote).")
NO_FLOW = "Open a flow with at least one node to publish it."
PUBLISH_BUTTON = "Publish"


class PublishFlow:
    """One Publish of the window's current flow; ``box`` is the message box showing now."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.box: QMessageBox | None = None
        self.graph_id: str | None = None

    def _show(self, icon: QMessageBox.Icon, text: str, buttons: Any = QMessageBox.StandardButton.Close) -> QMessageBox:
        box = QMessageBox(icon, TITLE, text, buttons, self.window)
        box.setObjectName("publishFlowBox")
        box.open()  # window-modal: the event loop (and the runtime's replies) go on
        self.box = box
        return box

    def start(self) -> None:
        from axiom_ide.app.run_controller import error_text

        if self.window.backend_label == conn.LOCAL:
            self._show(QMessageBox.Icon.Information, NEEDS_REMOTE)
            return
        doc = self.window.current_doc()
        if doc is None or not doc.flow.nodes:
            self._show(QMessageBox.Icon.Information, NO_FLOW)
            return
        snapshot = doc.flow.clone()
        self.window._status(f"Compiling {doc.flow.name} on {self.window.backend_label}…", 0)
        self.window.bridge.call(lambda b: b.compile(snapshot), self._compiled,
                                lambda exc: self._failed(error_text(exc)))

    def _compiled(self, compiled: Any) -> None:
        self.window._status("", 0)
        self.graph_id = compiled.graph_id
        box = QMessageBox(QMessageBox.Icon.Warning, TITLE, CONFIRM.format(id=compiled.graph_id),
                          QMessageBox.StandardButton.Cancel, self.window)
        box.setObjectName("publishFlowBox")
        publish = box.addButton(PUBLISH_BUTTON, QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # irreversible: never the default
        publish.clicked.connect(self._publish)
        box.open()
        self.box = box

    def _publish(self) -> None:
        from axiom_ide.app.run_controller import error_text

        graph_id = self.graph_id
        assert graph_id is not None

        async def publish(b: Any) -> dict[str, Any]:
            fn = getattr(b, "publish_flow", None)
            if fn is None:
                raise RuntimeError(NEEDS_REMOTE)
            result: dict[str, Any] = await fn(graph_id)
            return result

        self.window.bridge.call(publish, self._published, lambda exc: self._failed(error_text(exc)))

    def _published(self, result: dict[str, Any]) -> None:
        if alive(self.window):
            self._show(QMessageBox.Icon.Information, DONE.format(id=result.get("artifact_id", self.graph_id)))
            self.window._status(f"Published flow {result.get('artifact_id', self.graph_id)}", 8000)

    def _failed(self, text: str) -> None:
        if alive(self.window):
            self.window._status(f"{TITLE}: {text}", 8000)
            self._show(QMessageBox.Icon.Warning, text)


def publish_flow(window: Any) -> PublishFlow:
    run = PublishFlow(window)
    window.publishing = run  # the one showing now, for tests and for its boxes' lifetime
    run.start()
    return run
