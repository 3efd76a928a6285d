"""API commands of the main window: the local HTTP server, "Use via API" and "Open interactive docs".

:class:`ApiController` is handed what it works with — the runtime bridge, the Inspector's flow
page, the status bar, the workspace the server serves, the active document and the browser — and
owns the local server and its status-bar label. Both API actions compile the canvas first (a clone
of the flow, through the backend) so what they describe is exactly what is drawn.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from axiom_ide.app import api_info
from axiom_ide.app.local_server import LocalServer
from axiom_ide.app.qt_bridge import alive

COMPILING = "Compiling flow…"
SERVER_LABEL = "API {origin}"
SERVER_DOWN = "API server not running"


class ApiController(QObject):
    def __init__(self, bridge: Any, flow_page: Any, status_bar: QStatusBar, workspace_root: Path,
                 current_doc: Callable[[], Any], open_url: Callable[[str], bool], window: QWidget) -> None:
        super().__init__(window)
        self.bridge = bridge
        self.flow_page = flow_page
        self.status_bar = status_bar
        self.workspace_root = workspace_root
        self.current_doc = current_doc
        self.open_url = open_url
        #: Parent of the dialogs.
        self.window = window
        self.local_server: LocalServer | None = None
        #: The status bar's server label, added on first use.
        self.server_status: QLabel | None = None
        #: The Use via API dialog last opened.
        self.use_api_dialog: Any = None
        flow_page.useApiRequested.connect(lambda: self.show_use_api())
        flow_page.openDocsRequested.connect(self.open_interactive_docs)

    # -- the local server ---------------------------------------------------------------------
    def _server_label(self) -> QLabel:
        label = self.server_status
        if label is None:
            label = self.server_status = QLabel(SERVER_DOWN, objectName="serverStatus")
            label.setProperty("hint", True)
            self.status_bar.addPermanentWidget(label)
        return label

    def start_local_server(self, on_ready: Callable[[str], None] | None = None, *, port: int = 8765) -> None:
        """Serve the HTTP API on 127.0.0.1:``port`` (or the next free port); the status bar shows it."""
        server = self.local_server = self.local_server or LocalServer()
        workspace = self.workspace_root

        def ready(origin: str) -> None:
            self._server_label().setText(SERVER_LABEL.format(origin=origin))
            self._server_label().setToolTip("The local runtime's HTTP API (invoke, executions, OpenAPI docs)")
            self.flow_page.origin = origin
            self.flow_page.refresh()
            if on_ready is not None:
                on_ready(origin)

        def failed(exc: BaseException) -> None:
            self._server_label().setText(SERVER_DOWN)
            self._server_label().setToolTip(str(exc))
            self.flow_page.show_api_error(f"The local API server could not start: {exc}")

        self.bridge.call(lambda b: server.start(b, workspace, port=port), ready, failed)

    def stop_local_server(self, timeout: float = 5) -> None:
        server = self.local_server
        if server is not None and self.bridge.started:
            try:
                self.bridge.call(lambda _b: server.stop()).result(timeout)
            except Exception:  # noqa: BLE001 — quitting goes on regardless
                pass

    @property
    def api_origin(self) -> str:
        server = self.local_server
        return (server.origin if server is not None else None) or api_info.LOCAL_ORIGIN

    # -- compile the canvas -------------------------------------------------------------------
    def compile_current(self, on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> bool:
        doc = self.current_doc()
        if doc is None or not doc.flow.nodes:
            return False
        snapshot = doc.flow.clone()
        self.bridge.call(lambda b: b.compile(snapshot), on_done, on_error)
        return True

    # -- Use via API ----------------------------------------------------------------------------
    def show_use_api(self, data: Any = None) -> Any:
        """Use via API: compile the canvas, then curl / Python / JavaScript for that graph_id.
        ``data`` (from the Run Graph dialog) prefills the input; else one placeholder per field."""
        from axiom_ide.app.dialogs.use_api import UseApiDialog
        from axiom_ide.app.run_controller import error_text

        doc = self.current_doc()
        if doc is None:
            return None
        dialog = UseApiDialog(self.window)
        dialog.setModal(False)
        dialog.show()
        self.use_api_dialog = dialog
        descriptor = getattr(doc.analysis, "input_type", None)
        value = data if data is not None else descriptor

        def compiled(c: Any) -> None:
            if alive(dialog):
                dialog.show_compiled(c.mode, c.graph_id, value, self.api_origin)

        def failed(exc: BaseException) -> None:
            if alive(dialog):
                dialog.show_error(error_text(exc))

        if not self.compile_current(compiled, failed):
            dialog.show_error("Add a node to the canvas first.")
        return dialog

    # -- Open interactive docs --------------------------------------------------------------
    def open_interactive_docs(self) -> None:
        """Compile the canvas, make sure the local server runs, open its docs page in the browser."""
        from axiom_ide.app.run_controller import error_text

        page = self.flow_page
        page.show_api_error("")
        page.open_docs.setText(COMPILING)
        page.open_docs.setEnabled(False)

        def done() -> None:
            from axiom_ide.app.panels.inspector_flow import OPEN_DOCS

            page.open_docs.setText(OPEN_DOCS)
            page.refresh()

        def failed(exc: BaseException) -> None:
            done()
            page.show_api_error(error_text(exc))

        def compiled(c: Any) -> None:
            def serve(origin: str) -> None:
                done()
                server = self.local_server
                assert server is not None  # serve() is called once the server has started
                self.open_url(api_info.docs_url(origin, c.graph_id, server.docs_key))

            server = self.local_server
            if server is not None and server.origin:
                serve(server.origin)
            else:
                self.start_local_server(serve)

        if not self.compile_current(compiled, failed):
            done()
