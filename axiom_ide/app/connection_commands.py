"""The window's side of Settings → Connections: which backend it starts with, the dialog, and the
switch (one :class:`~axiom_ide.app.qt_bridge.RuntimeBridge`, another backend behind it).

Switching applies to the whole window: runs, the Executions view, the result panel, the Console
and the debugger all call the bridge, so they all follow. The local HTTP API (127.0.0.1:8765)
serves the embedded runtime only: it stops while Remote is active and starts again on Local. A
switch is refused while a flow runs (its run belongs to the backend it started on).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from axiom_ide.app import connection as conn
from axiom_ide.runtime.errors import AxiomError

RUN_IN_PROGRESS = "Stop the running flow before switching the connection."
SWITCHED = "Connected to {label}"
#: The status bar while a remote's 429/503 is waited out (remote_http.py's Retry-After backoff).
RETRYING = "{host} answered {status} ({why}); retrying in {seconds:g}s"
_WHY = {429: "rate limited", 503: "unavailable"}


class RetryNotices(QObject):
    """The remote's retries, said in the status bar: ``on_retry`` runs on the backend's loop
    thread; the queued signal brings the words to the GUI thread."""

    said = Signal(str)

    def __init__(self, window: Any, host: str) -> None:
        super().__init__(window)
        self.window, self.host = window, host
        self.said.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def on_retry(self, status: int, seconds: float) -> None:
        try:
            self.said.emit(RETRYING.format(host=self.host, status=status, why=_WHY.get(status, "busy"),
                                           seconds=round(seconds, 1)))
        except RuntimeError:  # the window is gone
            pass

    @Slot(str)
    def _show(self, text: str) -> None:
        self.window._status(text, 10000)


def _remote_factory(window: Any, settings: conn.RemoteSettings) -> Any:
    notices = RetryNotices(window, conn.host_of(settings.api_url))

    def make() -> Any:
        backend = conn.remote_backend(settings, on_retry=notices.on_retry)
        backend.batch_dir = window.data_dir  # a remote's dataset batches are saved beside the local ones
        return backend

    return make


def initial_backend(window: Any, *, explicit: bool) -> tuple[Any, str]:
    """(factory(window), label): Remote when it was chosen and its credentials are stored, else
    Local. An explicit ``backend_factory`` (tests, scripts) always wins."""
    if not explicit and window.prefs.connection_mode() == "remote":
        try:
            settings = conn.stored_remote()
            problem = None if settings is not None else conn.NO_CREDENTIALS
        except AxiomError as exc:
            settings, problem = None, f"{exc.message} Using Local."
        if settings is not None:
            remote = _remote_factory(window, settings)
            return (lambda _w: remote()), conn.label("remote", settings.api_url)
        QTimer.singleShot(0, lambda: window._status(problem, 15000))
    return window.local_factory, conn.LOCAL


def show_connections(window: Any) -> Any:
    from axiom_ide.app.dialogs.connections import ConnectionsDialog

    try:
        stored = conn.stored_remote()
    except AxiomError as exc:
        stored = None
        window._status(exc.message, 10000)

    def run_check(fn: Any, done: Any, failed: Any) -> None:
        window.bridge.call(lambda _backend: fn(), done, failed)

    mode = "local" if window.backend_label == conn.LOCAL else "remote"
    dialog = ConnectionsDialog(mode, stored, window.prefs.cli_path(), run_check,
                               lambda m, settings, _who, cli: apply_connection(window, m, settings, cli), window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.connections_dialog = dialog
    dialog.show()
    return dialog


def _running(window: Any) -> bool:
    return any(getattr(tab, "running", False) for tab in window.files.flow_tabs())


def apply_connection(window: Any, mode: str, settings: conn.RemoteSettings | None, cli_path: str = "") -> None:
    """Store the choice and switch the window's backend to it (raises AxiomError, switching
    nothing, while a flow runs or when the credentials cannot be stored)."""
    new_label = conn.label(mode, settings.api_url if settings else None)
    switching = not (mode == "local" and window.backend_label == conn.LOCAL)  # a remote saved again: a new key
    if switching and _running(window):
        raise AxiomError.of("run_in_progress", RUN_IN_PROGRESS)
    window.prefs.set_cli_path(cli_path)
    if mode == "remote":
        from axiom_ide.backends import credentials

        assert settings is not None
        credentials.save(settings.api_url, settings.ingress_url, settings.key)
        factory = _remote_factory(window, settings)
    else:
        def factory() -> Any:
            return window.local_factory(window)
    window.prefs.set_connection_mode(mode)
    if not switching:
        return  # already there
    was_local = window.backend_label == conn.LOCAL
    if was_local:
        window.api.stop_local_server()  # it serves the embedded runtime only
        if window.api.server_status is not None:
            from axiom_ide.app.api_commands import SERVER_DOWN

            window.api.server_status.setText(SERVER_DOWN)
    window.bridge.switch(factory)
    page = window.inspector.flow_page  # the API section's endpoint: the remote's ingress, or local again
    window.api.remote_origin = settings.ingress_url if mode == "remote" and settings else None
    window.api.remote_api_url = settings.api_url if mode == "remote" and settings else None
    page.origin = window.api.api_origin
    page.refresh()
    window.backend_label = new_label
    window.backend_status.setText(new_label)
    window._update_window_title()
    window._status(SWITCHED.format(label=new_label), 6000)
    if window._console is not None:  # its pages read the previous backend: built again on use
        window._console.close()
        window._console = None
    if window.executions_dock.isVisible():
        window.executions_page.refresh()
    if mode == "local" and window.serve_api and window.workspace is not None:
        window.start_local_server()


def cli_backend(window: Any) -> Any:
    """The ``axiom`` CLI of Settings → Connections (``axiom`` on PATH when none is set) as a
    :class:`~axiom_ide.backends.cli_backend.CliBackend`; on Remote it talks to the same remote."""
    from axiom_ide.backends.cli_backend import CliBackend

    remote = None
    if window.backend_label != conn.LOCAL:
        settings = conn.stored_remote()
        if settings is not None:
            remote = {"api_url": settings.api_url, "ingress_url": settings.ingress_url, "key": settings.key}
    return CliBackend(window.prefs.cli_path() or "axiom", remote=remote, cwd=window.workspace_root)
