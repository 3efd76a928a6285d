"""Settings → Connections: **Local** (the embedded runtime, the default) or **Remote** (API URL,
ingress URL, API key; the key in a password field with Show/Hide), and the ``axiom`` CLI the CLI
backend runs.

**Save** on Remote first asks the remote who the key is (``whoami``): the answer is shown
("✓ Logged in as … (tenant: …)") and only then are the URLs and key stored (the CLI's credentials
store, ``backends/credentials.py``) and the window switched; a refusal (unreachable, TLS, 401, ...)
is shown in the server's words and nothing is stored or switched. Save on Local switches back and
closes. The dialog stays open after a successful remote save, showing the answer, until Close.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app import connection as conn
from axiom_ide.app.qt_bridge import alive

TITLE = "Connections"
CHECKING = "Checking the key with {url}…"
CHECKING_CLI = "Checking the axiom CLI ({cli} version)…"
SHOW, HIDE = "Show", "Hide"


class ConnectionsDialog(QDialog):
    """``run_check(coroutine_fn, on_done, on_error)`` runs the whoami off the GUI thread;
    ``on_saved(mode, RemoteSettings | None, who | None)`` applies the choice."""

    def __init__(self, mode: str, stored: conn.RemoteSettings | None, cli_path: str,
                 run_check: Callable[..., Any], on_saved: Callable[[str, Any, Any, str], None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("connectionsDialog")
        self.setWindowTitle(TITLE)
        self._run_check, self._on_saved = run_check, on_saved
        #: The CLI path last checked (``<cli> version`` answered) and what it said.
        self._checked_cli: str | None = None
        self.cli_version = ""
        self.local_button = QRadioButton(conn.LOCAL + " (the runtime in this app)", objectName="connection-local")
        self.remote_button = QRadioButton("Remote (an Axiom deployment)", objectName="connection-remote")
        group = QButtonGroup(self)
        group.addButton(self.local_button)
        group.addButton(self.remote_button)
        (self.remote_button if mode == "remote" else self.local_button).setChecked(True)

        self.api_url = QLineEdit(stored.api_url if stored else "", objectName="connection-api-url")
        self.api_url.setPlaceholderText("https://api.example-axiom-host.com")
        self.ingress_url = QLineEdit(stored.ingress_url if stored and stored.ingress_url != stored.api_url else "",
                                     objectName="connection-ingress-url")
        self.ingress_url.setPlaceholderText("the API URL when empty")
        self.key = QLineEdit(stored.key if stored else "", objectName="connection-key")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_key = QPushButton(SHOW, objectName="connection-show-key")
        self.show_key.setCheckable(True)
        self.show_key.setAutoDefault(False)
        self.show_key.toggled.connect(self._toggle_key)
        key_row = QHBoxLayout()
        key_row.setContentsMargins(0, 0, 0, 0)
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.show_key)
        self.cli_path = QLineEdit(cli_path, objectName="connection-cli-path")
        self.cli_path.setPlaceholderText("axiom (on PATH)")

        self.remote_form = QWidget()
        form = QFormLayout(self.remote_form)
        form.addRow("API URL (AXIOM_API_URL)", self.api_url)
        form.addRow("Ingress URL (AXIOM_INGRESS_URL)", self.ingress_url)
        form.addRow("API key", key_row)
        self.result_label = QLabel("", objectName="connection-result")
        self.result_label.setWordWrap(True)
        self.result_label.setMinimumWidth(420)
        self.setMinimumWidth(580)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("connection-save")
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        cli_form = QFormLayout()
        cli_form.addRow("axiom CLI", self.cli_path)
        layout = QVBoxLayout(self)
        layout.addWidget(self.local_button, 0, Qt.AlignmentFlag.AlignLeft)  # the click area is the label
        layout.addWidget(self.remote_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.remote_form)
        layout.addLayout(cli_form)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self.remote_button.toggled.connect(lambda _on: self._follow_mode())
        self._follow_mode()

    def _follow_mode(self) -> None:
        self.remote_form.setEnabled(self.remote_button.isChecked())

    def _toggle_key(self, shown: bool) -> None:
        self.key.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_key.setText(HIDE if shown else SHOW)

    def _say(self, text: str, state: str) -> None:
        self.result_label.setText(text)
        self.result_label.setProperty("state", state)  # "ok" | "error" | "busy" (theme colours)
        self.result_label.setStyleSheet({"ok": "color: #2e7d32;", "error": "color: #c62828;"}.get(state, ""))

    # -- save ---------------------------------------------------------------------------------
    def save(self) -> None:
        cli = self.cli_path.text().strip()
        if cli and cli != self._checked_cli:
            self._check_cli(cli)  # then save() again
            return
        if self.local_button.isChecked():
            try:
                self._on_saved("local", None, None, self.cli_path.text())
            except Exception as exc:  # noqa: BLE001 — a run in progress: say so, switch nothing
                self._say(f"{getattr(exc, 'message', None) or exc}", "error")
                return
            self.accept()
            return
        api, ingress, key = self.api_url.text().strip(), self.ingress_url.text().strip(), self.key.text().strip()
        problem = conn.validate(api, ingress, key)
        if problem:
            self._say(problem, "error")
            return
        settings = conn.RemoteSettings(api.rstrip("/"), (ingress or api).rstrip("/"), key)
        self.save_button.setEnabled(False)
        self._say(CHECKING.format(url=settings.api_url), "busy")

        def done(who: dict[str, Any]) -> None:
            if not alive(self):
                return
            self.save_button.setEnabled(True)
            try:
                self._on_saved("remote", settings, who, self.cli_path.text())
            except Exception as exc:  # noqa: BLE001 — storing failed: say so, switch nothing
                self._say(f"{getattr(exc, 'message', None) or exc}", "error")
                return
            self._say(conn.whoami_text(who) + (f"\naxiom CLI: {self.cli_version}" if self.cli_version else ""), "ok")
            self.close_button.setText("Close")

        def failed(exc: BaseException) -> None:
            if alive(self):
                self.save_button.setEnabled(True)
                self._say(getattr(exc, "message", None) or str(exc) or type(exc).__name__, "error")

        self._run_check(lambda: conn.check_remote(settings), done, failed)

    def _check_cli(self, cli: str) -> None:
        """``<cli> version`` must answer before the path is kept (a missing CLI is said here)."""
        from axiom_ide.backends.cli_backend import CliBackend

        self.save_button.setEnabled(False)
        self._say(CHECKING_CLI.format(cli=cli), "busy")

        def done(version: str) -> None:
            if alive(self):
                self._checked_cli, self.cli_version = cli, version
                self.save_button.setEnabled(True)
                self.save()

        def failed(exc: BaseException) -> None:
            if alive(self):
                self.save_button.setEnabled(True)
                self._say(getattr(exc, "message", None) or str(exc) or type(exc).__name__, "error")

        self._run_check(lambda: CliBackend(cli, timeout=60).version(), done, failed)
