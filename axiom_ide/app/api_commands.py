"""API commands of the main window: the local HTTP server, "Use via API" and "Open interactive docs".

:class:`ApiController` is handed what it works with — the runtime bridge, the Inspector's flow
page, the status bar, the workspace the server serves, the active document and the browser — and
owns the local server and its status-bar label. Both API actions compile the canvas first (a clone
of the flow, through the backend) so what they describe is exactly what is drawn; the backend hands
back the same ``graph_id`` while the flow is unchanged.

The docs address carries the session's docs key (``#key=…``). It is never printed: Qt's own
warnings while opening it ("… does not support openUrl() for '<url>'") go through a message
handler that masks the key, and when no browser opens, a message box says so and offers the
address on the clipboard instead of anywhere on a terminal.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMessageLogContext, QObject, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMessageBox, QStatusBar, QWidget

from axiom_ide.app import api_info
from axiom_ide.app.local_server import LocalServer
from axiom_ide.app.qt_bridge import alive

COMPILING = "Compiling flow…"
SERVER_LABEL = "API {origin}"
SERVER_DOWN = "API server not running"
NO_BROWSER_TITLE = "Open interactive docs"
NO_BROWSER = ("No web browser could be opened for the interactive docs. Copy the address and open "
              "it in a browser yourself; it holds this session's docs key, so keep it to yourself.")
COPY_URL = "Copy URL"
URL_COPIED = "Docs address copied to the clipboard"
_KEY_IN_URL = re.compile(r"(#key=)[0-9A-Za-z]+")


def mask_key(text: str) -> str:
    """``text`` with any ``#key=<key>`` masked: what may reach a terminal or a log."""
    return _KEY_IN_URL.sub(r"\1…", text)


def open_url_masked(open_url: Callable[[str], bool], url: str) -> bool:
    """``open_url(url)`` with Qt's messages meanwhile passed on key-masked (the platform plugins
    warn with the whole address when they cannot open it)."""
    def handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if previous is not None:
            previous(mode, context, mask_key(message))
        else:
            sys.stderr.write(mask_key(message) + "\n")

    previous = qInstallMessageHandler(handler)
    try:
        return bool(open_url(url))
    finally:
        qInstallMessageHandler(previous)


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
        #: The remote's ingress URL and API URL while Settings → Connections has the window on
        #: Remote (else None): snippets and the interactive docs point there, not at the local server.
        self.remote_origin: str | None = None
        self.remote_api_url: str | None = None
        #: The status bar's server label, added on first use.
        self.server_status: QLabel | None = None
        #: The Use via API dialog last opened.
        self.use_api_dialog: Any = None
        #: The "no browser" message box last shown.
        self.no_browser_box: QMessageBox | None = None
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
        if self.remote_origin:
            return self.remote_origin
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
                url = api_info.docs_url(origin, c.graph_id, server.docs_key)
                if not open_url_masked(self.open_url, url):
                    self.offer_url(url)

            if self.remote_api_url:  # the remote's docs page; the key is typed there, never put in a URL
                done()
                url = api_info.docs_url(self.remote_api_url, c.graph_id)
                if not open_url_masked(self.open_url, url):
                    self.offer_url(url)
                return
            server = self.local_server
            if server is not None and server.origin:
                serve(server.origin)
            else:
                self.start_local_server(serve)

        if not self.compile_current(compiled, failed):
            done()

    def offer_url(self, url: str) -> QMessageBox:
        """No browser opened ``url``: say so, and offer it on the clipboard (window-modal, so the
        event loop goes on)."""
        box = QMessageBox(QMessageBox.Icon.Information, NO_BROWSER_TITLE, NO_BROWSER,
                          QMessageBox.StandardButton.Close, self.window)
        box.setObjectName("noBrowserBox")
        copy = box.addButton(COPY_URL, QMessageBox.ButtonRole.ActionRole)

        def copy_url() -> None:
            QGuiApplication.clipboard().setText(url)
            self.status_bar.showMessage(URL_COPIED, 6000)

        copy.clicked.connect(copy_url)
        box.open()
        self.no_browser_box = box
        return box
