"""The **Run Graph** dialog: one control per field of the entry node's input message, the flow type
with **Switch**, the topology-error and unregistered-secrets warnings, a Config profile selector
(once any config applies), Debug Mode, **Use via API**, the amber **Debug** and **▶ Run**
(Ctrl+Enter). A number field with letters names the field and keeps Run disabled. Words follow
getting-started/first-flow and concepts/execution-model.
"""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app import api_info

TITLE = "Run Graph"
RUN = "▶ Run"
DEBUG = "Debug"
TENANT_DEFAULT = "Tenant default"
NO_FIELDS = "The entry node's input message has no fields."
_INTS = {"int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64"}
_FLOATS = {"float", "double"}
SWITCH = "Switch"
#: Switch is disabled with this tooltip when a pipeline node exists (concepts/execution-model).
SWITCH_DISABLED = ("Switching is disabled: the flow contains a pipeline node, and a pipeline node's "
                   "streaming frames cannot be delivered through a unary run.")
SWITCH_TOOLTIP = "Switch the flow type (one undoable edit)"
#: The compiler's topology diagnostics (compiler/analyze._check_topology).
TOPOLOGY_CODES = {"start_nodes", "terminal_nodes", "cycle", "unreachable", "loop_forward"}
TOPOLOGY_WARNING = "Topology error: {message}"
SECRETS_WARNING = ("Secrets required by nodes in this flow are not registered: {names}. "
                   "Register them in Console → Secrets (the run still starts; the nodes read not-found).")
NOT_INT = '{name}: "{text}" is not a whole number'
NOT_FLOAT = '{name}: "{text}" is not a number'


def _parse_number(kind: str, text: str) -> int | float:
    """The number in ``text`` for a field of ``kind``; ValueError when it is none."""
    if kind in _INTS:
        return int(text)
    return float(text.replace(",", "."))


class NumberValidator(QValidator):
    """Letters stay visible in the field (never silently dropped) but make it unacceptable, so the
    dialog can say what is wrong and keep Run disabled."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind

    def validate(self, text: str, pos: int) -> Any:  # Qt API
        stripped = text.strip()
        if not stripped:
            return QValidator.State.Acceptable, text, pos
        try:
            _parse_number(self.kind, stripped)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos


class FieldControl:
    """One input field: its widget and how to read/write its JSON value."""

    def __init__(self, name: str, kind: str, enum_values: list[str] | None = None):
        self.name, self.kind = name, kind
        if kind == "bool":
            self.widget: QCheckBox | QComboBox | QLineEdit = QCheckBox()
        elif enum_values is not None:
            combo = QComboBox()
            combo.addItems(enum_values)
            self.widget = combo
        else:
            edit = QLineEdit()
            if kind in _INTS or kind in _FLOATS:
                edit.setValidator(NumberValidator(kind, edit))
                edit.setPlaceholderText("0" if kind in _INTS else "0.0")
            elif kind.startswith("repeated:"):
                edit.setPlaceholderText("JSON list, e.g. []")
            elif kind.startswith(("map:", "message:")):
                edit.setPlaceholderText("JSON object, e.g. {}")
            elif kind == "bytes":
                edit.setPlaceholderText("base64")
            self.widget = edit
        self.widget.setObjectName(f"field-{name}")

    def value(self) -> tuple[bool, Any]:
        """(present, JSON value). Raises ValueError with a message for a malformed entry."""
        w = self.widget
        if isinstance(w, QCheckBox):
            return True, w.isChecked()
        if isinstance(w, QComboBox):
            return True, w.currentText()
        text = w.text().strip() if self.kind != "string" else w.text()
        if self.kind == "string":
            return True, text
        if not text:
            return False, None
        if self.kind in _INTS or self.kind in _FLOATS:
            try:
                return True, _parse_number(self.kind, text)
            except ValueError:
                msg = NOT_INT if self.kind in _INTS else NOT_FLOAT
                raise ValueError(msg.format(name=self.name, text=text)) from None
        if self.kind.startswith(("repeated:", "map:", "message:")):
            try:
                return True, json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{self.name}: not valid JSON ({exc.msg})") from None
        return True, text

    def set_value(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QComboBox):
            w.setCurrentText(str(value))
        elif isinstance(value, (list, dict)):
            w.setText(json.dumps(value, ensure_ascii=False))
        elif value is not None:
            w.setText(str(value))


def _fields(descriptor: Any) -> list[FieldControl]:
    if descriptor is None:
        return []
    from axiom_ide.runtime.typecheck import describe_fields

    controls = []
    for (name, kind, _req), fd in zip(describe_fields(descriptor), descriptor.fields, strict=True):
        enum = [v.name for v in fd.enum_type.values] if kind.startswith("enum:") and fd.enum_type else None
        controls.append(FieldControl(name, kind, enum))
    return controls


class RunGraphDialog(QDialog):
    #: "Use via API" was clicked; carries the input as filled in so far.
    useApiRequested = Signal(object)
    #: Switch was clicked; carries the flow type asked for ("unary" / "pipeline").
    switchRequested = Signal(str)

    def __init__(self, flow_name: str, mode: str, input_descriptor: Any, *, initial: dict[str, Any] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setObjectName("runGraphDialog")
        self.mode = mode
        heading = QLabel(f"{TITLE} — {flow_name}")
        heading.setProperty("heading", True)
        self.flow_type = QLabel(api_info.PIPELINE_LABEL if mode == "pipeline" else api_info.UNARY_LABEL,
                                objectName="flowType")
        self.flow_type.setProperty("hint", True)
        self.switch_button = QPushButton(SWITCH, objectName="runSwitchMode")
        self.switch_button.clicked.connect(lambda: self.switchRequested.emit(
            "unary" if self.mode == "pipeline" else "pipeline"))
        self.has_pipeline_node = False
        self.topology = QLabel(objectName="runTopologyWarning")
        self.secrets = QLabel(objectName="runSecretsWarning")
        for warning in (self.topology, self.secrets):
            warning.setProperty("warning", True)
            warning.setWordWrap(True)
            warning.hide()
        self._field_errors: list[str] = []
        #: Returns the flow's current analysis (set by the run commands); None: not followed.
        self.analysis_source: Any = None

        self.controls = _fields(input_descriptor)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for control in self.controls:
            label = QLabel(f"{control.name}  <span style='color:gray'>{control.kind}</span>")
            form.addRow(label, control.widget)
            if initial and control.name in initial:
                control.set_value(initial[control.name])
        body = QWidget()
        body.setLayout(form)
        scroll = QScrollArea(objectName="inputForm")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        scroll.setMinimumHeight(min(36 * max(1, len(self.controls)) + 12, 320))
        if not self.controls:
            form.addRow(QLabel(NO_FIELDS))

        self.config_label = QLabel("Config profile")
        self.config = QComboBox(objectName="configProfile")
        self.config.addItem(TENANT_DEFAULT, None)
        self.config_label.hide()
        self.config.hide()
        self.debug_mode = QCheckBox("Debug Mode — watch execution node by node on the canvas",
                                    objectName="debugMode")
        self.debug_mode.setChecked(mode != "pipeline")
        self.debug_mode.setVisible(mode != "pipeline")
        self.error = QLabel(objectName="runError")
        self.error.setProperty("error", True)
        self.error.setWordWrap(True)
        self.error.hide()

        self.use_api = QPushButton("Use via API", objectName="runUseApiButton")
        self.cancel = QPushButton("Cancel")
        self.run_button = QPushButton(RUN, objectName="runGraphButton")
        self.run_button.setDefault(True)
        self.run_button.setToolTip("Run (Ctrl+Enter)")
        # guides/debug-a-flow: the amber Debug button next to ▶ Run, unary flows only.
        self.debug = False  # set when Debug (not ▶ Run) accepted the dialog
        self.debug_button = QPushButton(DEBUG, objectName="runDebugButton")
        self.debug_button.setStyleSheet("QPushButton { background: #f59e0b; color: #1f1300; font-weight: 600; }"
                                        "QPushButton:disabled { background: #f5deb0; color: #8a7a5a; }")
        self.debug_button.setToolTip("Debug: run honoring breakpoints, with Pause / Continue / Step")
        self.debug_button.setVisible(mode != "pipeline")
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_api)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.debug_button)
        buttons.addWidget(self.run_button)

        config_row = QHBoxLayout()
        config_row.addWidget(self.config_label)
        config_row.addWidget(self.config, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        type_row = QHBoxLayout()
        type_row.addWidget(self.flow_type, 1)
        type_row.addWidget(self.switch_button)
        layout.addLayout(type_row)
        layout.addWidget(self.topology)
        layout.addWidget(self.secrets)
        layout.addWidget(scroll, 1)
        layout.addLayout(config_row)
        layout.addWidget(self.debug_mode)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.resize(520, min(180 + 36 * len(self.controls), 560))

        self.run_button.clicked.connect(self._try_accept)
        self.debug_button.clicked.connect(self._try_debug)
        self.cancel.clicked.connect(self.reject)
        self.use_api.clicked.connect(self._use_api)
        for control in self.controls:
            if isinstance(control.widget, QLineEdit) and (control.kind in _INTS or control.kind in _FLOATS):
                control.widget.textChanged.connect(self._check_fields)
        self.set_mode(mode, has_pipeline_node=False)
        self._check_fields()
        if self.controls:
            self.controls[0].widget.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- flow type, warnings ------------------------------------------------------------------
    def set_mode(self, mode: str, *, has_pipeline_node: bool) -> None:
        """Show the flow type; Switch is disabled (tooltip says why) when a pipeline node exists."""
        changed = mode != self.mode
        self.mode = mode
        self.has_pipeline_node = has_pipeline_node
        self.flow_type.setText(api_info.PIPELINE_LABEL if mode == "pipeline" else api_info.UNARY_LABEL)
        self.switch_button.setEnabled(not has_pipeline_node)
        self.switch_button.setToolTip(SWITCH_DISABLED if has_pipeline_node else SWITCH_TOOLTIP)
        unary = mode != "pipeline"
        self.debug_mode.setVisible(unary)
        if changed:  # the default for the new type; a choice the user made stays otherwise
            self.debug_mode.setChecked(unary)
        self.debug_button.setVisible(unary)

    def set_analysis(self, analysis: Any) -> None:
        """Follow the flow's analysis: its type, Switch, and the topology-error warning."""
        from axiom_ide.document.analysis import is_pipeline

        nodes = getattr(analysis, "nodes", {}) or {}
        self.set_mode(getattr(analysis, "mode", None) or "unary",
                      has_pipeline_node=any(is_pipeline(s) for s in nodes.values()))
        messages = [d.message for d in getattr(analysis, "diagnostics", ()) or ()
                    if d.is_error and d.code in TOPOLOGY_CODES]
        self.topology.setText("\n".join(TOPOLOGY_WARNING.format(message=m) for m in dict.fromkeys(messages)))
        self.topology.setVisible(bool(messages))
        self._update_buttons()
        self._fit()

    def follow_analysis(self) -> None:
        """The flow's analysis changed (a slot of the document's ``analysisChanged``)."""
        if self.analysis_source is not None:
            self.set_analysis(self.analysis_source())

    def set_missing_secrets(self, missing: list[tuple[str, str]]) -> None:
        """(secret, ``package@version:Node``) the flow's nodes require and the tenant has not set."""
        names = ", ".join(f"{secret} ({node})" for secret, node in missing)
        self.secrets.setText(SECRETS_WARNING.format(names=names) if missing else "")
        self.secrets.setVisible(bool(missing))
        self._fit()

    def _fit(self) -> None:
        """Grow to show every wrapped warning line (a word-wrapped label's height is not part of
        the layout's minimum size)."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else layout.sizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)

    def _check_fields(self) -> None:
        errors = []
        for control in self.controls:
            try:
                control.value()
            except ValueError as exc:
                if control.kind in _INTS or control.kind in _FLOATS:
                    errors.append(str(exc))
        self._field_errors = errors
        self.error.setText("\n".join(errors))
        self.error.setVisible(bool(errors))
        self._update_buttons()
        self._fit()

    def _update_buttons(self) -> None:
        ok = not self._field_errors and not self.topology.text()
        self.run_button.setEnabled(ok)
        self.debug_button.setEnabled(ok)

    # -- reading ------------------------------------------------------------------------------
    def input_value(self) -> dict[str, Any]:
        """The input object; raises ValueError for a malformed field."""
        out: dict[str, Any] = {}
        for control in self.controls:
            present, value = control.value()
            if present:
                out[control.name] = value
        return out

    def config_id(self) -> str | None:
        return self.config.currentData()

    def control(self, name: str) -> QWidget:
        return next(c.widget for c in self.controls if c.name == name)

    def set_configs(self, view: Any) -> None:
        """Show the Config profile selector once any config applies (a ConfigView)."""
        profiles = [p for p in getattr(view, "profiles", ()) if p.flow_name]
        self.config.clear()
        self.config.addItem(TENANT_DEFAULT, None)
        for p in profiles:
            self.config.addItem(p.name, p.id)
        shown = bool(getattr(view, "profiles", ()))
        self.config_label.setVisible(shown)
        self.config.setVisible(shown)

    # -- actions ------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        # Ctrl+Enter runs from any field (QDialog itself only handles a bare Enter).
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self._try_accept()
            return
        super().keyPressEvent(event)

    def _try_accept(self) -> None:
        if not self.run_button.isEnabled():
            return
        try:
            self.input_value()
        except ValueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()

    def _try_debug(self) -> None:
        self.debug = self.mode != "pipeline"
        self._try_accept()

    def _use_api(self) -> None:
        try:
            value = self.input_value()
        except ValueError:
            value = {}
        self.useApiRequested.emit(value)
