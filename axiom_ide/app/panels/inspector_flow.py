"""Inspector page when nothing is selected: the flow overview.

Name, description (editable; one undoable ``set_flow_attr`` on editingFinished), mode, the API
section (invoke endpoint, "Use via API (curl)", "Open interactive docs" — both disabled on an empty
canvas) and the Run configuration card (profiles, effective node timeout).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QFrame, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from axiom_ide.app import api_info
from axiom_ide.app.panels import follow_analysis
from axiom_ide.app.panels.inspector_text import ElidedComboBox, ElidedLabel, tip_full_text

USE_API = "Use via API (curl)"
OPEN_DOCS = "Open interactive docs"
NO_PROFILES = "No profiles for this flow yet."
DEFAULT_TIMEOUT = "300 s (platform default)"


def profile_line(p: Any) -> str:
    """"load-test — 30 s · overrides TOKEN"; the tenant default says so."""
    name = f"{p.name} (tenant default)" if not p.flow_name else p.name
    parts = [f"{p.node_timeout_seconds:g} s" if p.node_timeout_seconds is not None else "timeout inherited"]
    if p.secret_overrides:
        parts.append("overrides " + ", ".join(p.secret_overrides))
    return f"{name} — {' · '.join(parts)}"


def timeout_line(view: Any) -> str:
    return f"Node timeout: {view.node_timeout_seconds:g} s ({view.timeout_source})"


def card(title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setProperty("card", True)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(10, 8, 10, 10)
    heading = QLabel(title)
    heading.setProperty("heading", True)
    layout.addWidget(heading)
    return frame, layout


class FlowOverview(QWidget):
    """The flow inspector."""

    #: "Use via API (curl)" was clicked.
    useApiRequested = Signal()
    #: "Open interactive docs" was clicked.
    openDocsRequested = Signal()
    #: "Edit in Flow Configs" in the Run configuration card: the open flow's name (Console → Flow Configs).
    flowConfigsRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("flowOverview")
        self.doc: Any = None
        #: ``config_source(flow_name, on_view)`` asks the backend for a ConfigView (set by the window).
        self.config_source: Any = None
        #: The origin the local API server listens on (set by the window once it does).
        self.origin: str = api_info.LOCAL_ORIGIN
        self._config_flow: str | None = None
        self.name = ElidedLabel(objectName="flowName")
        self.name.setProperty("heading", True)
        self.description = QLineEdit(objectName="flowDescription", placeholderText="Describe what this flow does")
        tip_full_text(self.description)
        self.mode = ElidedComboBox(objectName="flowMode")
        self.mode.addItem(api_info.UNARY_LABEL, "unary")
        self.mode.addItem(api_info.PIPELINE_LABEL, "pipeline")
        self.mode.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.mode.setMinimumContentsLength(12)
        self.entry = ElidedLabel(objectName="flowEntry")
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # fields under their labels when narrow
        form.addRow("Name", self.name)
        form.addRow("Description", self.description)
        form.addRow("Mode", self.mode)
        form.addRow("Entry → terminal", self.entry)

        api, api_layout = card("API")
        # A URL has no spaces to wrap at: a read-only field (selectable, scrolls) with the full text as its tooltip.
        self.endpoint = QLineEdit(objectName="apiEndpoint", readOnly=True, frame=False)
        self.endpoint.setStyleSheet("QLineEdit { background: transparent; }")
        tip_full_text(self.endpoint)
        self.use_api = QPushButton(USE_API, objectName="useApiButton")
        self.open_docs = QPushButton(OPEN_DOCS, objectName="openDocsButton")
        self.api_error = QLabel(objectName="apiError")
        self.api_error.setProperty("hint", True)
        self.api_error.setWordWrap(True)
        self.api_error.hide()
        for w in (self.endpoint, self.use_api, self.open_docs, self.api_error):
            api_layout.addWidget(w)

        run, run_layout = card("Run configuration")
        self.profiles = QLabel(NO_PROFILES, objectName="configProfiles")
        self.profiles.setProperty("hint", True)
        self.profiles.setWordWrap(True)
        self.profiles.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.timeout = QLabel(f"Node timeout: {DEFAULT_TIMEOUT}", objectName="nodeTimeout")
        self.timeout.setWordWrap(True)
        self.edit_configs = QPushButton("Edit in Flow Configs", objectName="editFlowConfigs")
        self.edit_configs.setToolTip("Console → Flow Configs for this flow: profiles, node timeout, secret overrides")
        self.edit_configs.clicked.connect(
            lambda: self.flowConfigsRequested.emit(self.doc.flow.name if self.doc is not None else ""))
        run_layout.addWidget(self.profiles)
        run_layout.addWidget(self.timeout)
        run_layout.addWidget(self.edit_configs)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(form)
        layout.addWidget(api)
        layout.addWidget(run)
        layout.addStretch(1)

        self.description.editingFinished.connect(self._commit_description)
        self.mode.activated.connect(self._commit_mode)
        self.use_api.clicked.connect(self.useApiRequested)
        self.open_docs.clicked.connect(self.openDocsRequested)

    def set_document(self, doc: Any) -> None:
        follow_analysis(self.doc, doc, self.refresh)
        self.doc = doc
        self.api_error.hide()
        self._config_flow = None
        self.refresh()

    def refresh(self) -> None:
        doc = self.doc
        self.setEnabled(doc is not None)
        if doc is None:
            self.name.setText("No flow open")
            return
        flow, analysis = doc.flow, doc.analysis
        self.name.setText(flow.name)
        if not self.description.hasFocus():
            self.description.setText(flow.description or "")
            self.description.setCursorPosition(0)
        mode = getattr(analysis, "mode", None) or flow.mode or "unary"
        forced = mode == "pipeline" and flow.mode != "pipeline"
        self.mode.setCurrentIndex(self.mode.findData(mode))
        self.mode.setEnabled(not forced)
        self.mode.set_note("A flow that contains a pipeline node always runs in pipeline mode." if forced else "")
        entry, terminal = getattr(analysis, "entry", None), getattr(analysis, "terminal", None)
        self.entry.setText(f"{entry or '—'} → {terminal or '—'}" if flow.nodes else "—")
        self.endpoint.setText(f"POST {api_info.endpoint(mode, self.origin)}")
        self.endpoint.setCursorPosition(0)  # a narrow inspector shows "POST http://…", not the middle of the host
        empty = not flow.nodes
        for button in (self.use_api, self.open_docs):
            button.setEnabled(not empty)
            button.setToolTip("Add a node to the canvas first" if empty else "")
        if flow.name != self._config_flow:
            self.refresh_configs()

    # -- Run configuration card -----------------------------------------------------------------
    def refresh_configs(self) -> None:
        """Ask for the profiles that apply to this flow and the effective node timeout."""
        if self.doc is None or self.config_source is None:
            return
        name = self._config_flow = self.doc.flow.name
        self.config_source(name, lambda view, n=name: self.show_configs(view) if n == self._config_flow else None)

    def show_configs(self, view: Any) -> None:
        profiles = list(getattr(view, "profiles", ()))
        self.profiles.setText("\n".join(profile_line(p) for p in profiles) if profiles else NO_PROFILES)
        self.profiles.setProperty("hint", not profiles)
        self.profiles.style().unpolish(self.profiles)
        self.profiles.style().polish(self.profiles)
        self.timeout.setText(timeout_line(view))

    def _commit_description(self) -> None:
        if self.doc is None:
            return
        text = self.description.text().strip() or None
        if text != self.doc.flow.description:
            self.doc.set_flow_attr("description", text)

    def _commit_mode(self, _index: int) -> None:
        if self.doc is not None:
            self.doc.set_flow_attr("mode", self.mode.currentData())

    def show_api_error(self, text: str) -> None:
        """Docs: "If compiling or fetching the spec fails, the error message appears under the button"."""
        self.api_error.setText(text)
        self.api_error.setVisible(bool(text))
