"""ConsoleWindow: the sub-nav (left) and the current page (right).

Pages talk only to the active Backend's ``console`` API through ``call(fn, on_done, on_error)``
(``RuntimeBridge.call``): ``fn(backend)`` is a coroutine run on the runtime loop, its result or
exception reaches the page on the GUI thread.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QStackedWidget, QWidget

from axiom_ide.app.console.api_keys import ApiKeysPage
from axiom_ide.app.console.client_builder import ClientBuilderPage
from axiom_ide.app.console.flow_configs import FlowConfigsPage
from axiom_ide.app.console.memory import MemoryPage
from axiom_ide.app.console.secrets import SecretsPage
from axiom_ide.app.console.usage import UsagePage
from axiom_ide.runtime.errors import AxiomError

Call = Callable[..., Any]

#: What a page says when the active backend has no Console API (a remote, until RemoteConsole exists).
NO_CONSOLE = "The connected backend does not offer the Console's pages yet"


def console_call(call: Call) -> Call:
    """``call`` for the pages: a backend without ``console`` is a clear refusal, not an AttributeError."""
    def wrapped(fn: Callable[[Any], Any], on_done: Any = None, on_error: Any = None) -> Any:
        async def guarded(backend: Any) -> Any:
            if getattr(backend, "console", None) is None:
                raise AxiomError.of("console_unavailable", NO_CONSOLE)
            return await fn(backend)

        return call(guarded, on_done, on_error)

    return wrapped

#: Sub-nav entries, in the order the docs list the Console's pages (only the ones built so far).
PAGES = ("Client Builder", "API Keys", "Usage", "Secrets", "Flow Configs", "Memory")


class ConsoleWindow(QWidget):
    """A top-level window owned by the main window; :meth:`show_page` opens it on a page."""

    def __init__(self, call: Call, flow_names: Callable[[], list[str]] = list, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("consoleWindow")
        self.setWindowTitle("Console")
        call = console_call(call)
        self.nav = QListWidget(objectName="consoleNav")
        self.nav.addItems(list(PAGES))
        self.nav.setFixedWidth(160)
        self.stack = QStackedWidget(objectName="consoleStack")
        self.api_keys = ApiKeysPage(call, self)
        self.secrets = SecretsPage(call, self)
        self.flow_configs = FlowConfigsPage(call, flow_names, self)
        self.usage = UsagePage(call, self)
        self.memory = MemoryPage(call, self)
        self.pages: dict[str, QWidget] = {"API Keys": self.api_keys, "Usage": self.usage, "Secrets": self.secrets,
                                          "Flow Configs": self.flow_configs, "Memory": self.memory}
        self.client_builder = ClientBuilderPage(call, self)
        self.pages["Client Builder"] = self.client_builder
        for name in PAGES:
            self.stack.addWidget(self.pages[name])
        layout = QHBoxLayout(self)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.nav.currentRowChanged.connect(self._select)
        self.resize(960, 600)

    def _select(self, row: int) -> None:
        if 0 <= row < len(PAGES):
            page = self.pages[PAGES[row]]
            self.stack.setCurrentWidget(page)
            fill = getattr(page, "fill_flows", None)
            if fill is not None:
                fill()
            refresh = getattr(page, "refresh", None)
            if refresh is not None:
                refresh()

    def show_page(self, name: str) -> QWidget:
        row = PAGES.index(name)
        if self.nav.currentRow() == row:
            self._select(row)
        else:
            self.nav.setCurrentRow(row)
        self.show()
        self.raise_()
        self.activateWindow()
        return self.pages[name]
