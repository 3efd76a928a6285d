"""The **Run Graph** dialog: one control per field of the entry node's input message, the flow type,
a Config profile selector (once any config applies), Debug Mode, **Use via API** and **▶ Run**
(Ctrl+Enter). Words follow getting-started/first-flow and concepts/execution-model.
"""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDoubleValidator, QKeyEvent, QRegularExpressionValidator
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
            if kind in _INTS:
                edit.setValidator(QRegularExpressionValidator(r"-?\d*", edit))
                edit.setPlaceholderText("0")
            elif kind in _FLOATS:
                edit.setValidator(QDoubleValidator(edit))
                edit.setPlaceholderText("0.0")
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
        if self.kind in _INTS:
            return True, int(text)
        if self.kind in _FLOATS:
            return True, float(text.replace(",", "."))
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
        self.debug_button.setStyleSheet("QPushButton { background: #f59e0b; color: #1f1300; font-weight: 600; }")
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
        layout.addWidget(self.flow_type)
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
        if self.controls:
            self.controls[0].widget.setFocus(Qt.FocusReason.OtherFocusReason)

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
