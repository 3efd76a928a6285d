"""Edge Plan panel: how the source node's output becomes the destination node's input.

Headed "Source → Destination" message names. Same types and no plan: "Types match — fields pass
through automatically." plus "Configure field mapping anyway". Otherwise a mapping editor, one
:class:`~.edge_plan_rows.FieldRow` per destination field with live compatibility messages from
``check_edge``; then the CEL condition and, for loop edges, max iterations.

Every change is ONE undoable ``doc.set_edge`` (typing is debounced and committed on
editingFinished). The panel rebuilds only when the model differs from what it shows (undo/redo,
reload), so committing never steals focus from the field being edited.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.panels import discard, follow_analysis
from axiom_ide.app.panels.edge_plan_rows import FieldRow
from axiom_ide.app.panels.inspector_text import ElidedLabel, WrappingButton, tip_full_text

TYPES_MATCH = "Types match — fields pass through automatically."
CONFIGURE_ANYWAY = "Configure field mapping anyway"
USE_PASSTHROUGH = "Use pass-through"
COMMIT_DELAY_MS = 600


def _label(text: str = "", *, name: str = "", **props: Any) -> QLabel:
    label = QLabel(text, objectName=name)
    label.setWordWrap(True)
    for key, value in props.items():
        label.setProperty(key, value)
    return label


class EdgePlanPanel(QWidget):
    """Inspector page for one selected edge."""

    #: (edge key) the edge the panel shows no longer exists.
    edgeGone = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("edgePlanPanel")
        self.doc: Any = None
        self.key: tuple[str, str] | None = None
        self.rows: dict[str, FieldRow] = {}
        self._shown: tuple[Any, Any, Any] | None = None
        self._mapping = False  # whether the editor shows a map (vs pass-through)
        self.src_desc: Any = None
        self.dst_desc: Any = None

        # One line each, elided with the full text in the tooltip (message names and node ids
        # have no spaces to wrap at).
        self.title = ElidedLabel(objectName="edgePlanTitle")
        self.title.setProperty("heading", True)
        self.subtitle = ElidedLabel(objectName="edgePlanSubtitle")
        self.subtitle.setProperty("hint", True)
        self.edge_message = _label(name="edgeMessage")
        self.configure_button = WrappingButton(CONFIGURE_ANYWAY, objectName="configureMappingButton")
        self.passthrough_button = WrappingButton(USE_PASSTHROUGH, objectName="usePassthroughButton")
        for button in (self.configure_button, self.passthrough_button):  # one at a time, by rebuild():
            button.hide()  # both side by side would set the dock's minimum width
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(6)

        self.condition = QLineEdit(objectName="conditionEdit", placeholderText='e.g. output.greeting != ""')
        tip_full_text(self.condition)
        self.condition_error = _label(name="conditionError", error=True)
        self.condition_error.hide()
        self.loop_spin = QSpinBox(objectName="loopSpin")
        self.loop_spin.setRange(1, 1000)
        self.loop_label = QLabel("Max iterations")
        form = QFormLayout()
        form.addRow(_label("Condition (CEL)", heading=True))
        form.addRow(self.condition)
        form.addRow(self.condition_error)
        form.addRow(self.loop_label, self.loop_spin)

        buttons = QHBoxLayout()
        buttons.addWidget(self.configure_button)
        buttons.addWidget(self.passthrough_button)
        buttons.addStretch(1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.edge_message)
        layout.addLayout(buttons)
        layout.addLayout(self.rows_box)
        layout.addWidget(line)
        layout.addLayout(form)
        layout.addStretch(1)

        self.timer = QTimer(self, singleShot=True, interval=COMMIT_DELAY_MS)
        self.timer.timeout.connect(self.commit)
        self.configure_button.clicked.connect(self.configure_anyway)
        self.passthrough_button.clicked.connect(self.use_passthrough)
        self.condition.textChanged.connect(self._validate_condition)
        self.condition.textEdited.connect(lambda _t: self.timer.start())
        self.condition.editingFinished.connect(self.commit)
        self.loop_spin.valueChanged.connect(lambda _v: self.timer.start())
        self.loop_spin.editingFinished.connect(self.commit)

    # -- binding ---------------------------------------------------------------------------------
    def show_edge(self, doc: Any, key: tuple[str, str]) -> None:
        if self.doc is not doc:
            follow_analysis(self.doc, doc, self._on_doc_changed)
            self.doc = doc
        self.key = (key[0], key[1])
        self.rebuild()

    def clear(self) -> None:
        self.commit()
        self._disconnect()
        self.doc = None
        self.key = None

    def _disconnect(self) -> None:
        follow_analysis(self.doc, None, self._on_doc_changed)

    def edge(self) -> Any:
        return self.doc.flow.edge(*self.key) if self.doc is not None and self.key else None

    def _on_doc_changed(self) -> None:
        edge = self.edge()
        if edge is None:
            self.edgeGone.emit(self.key)
            return
        if self._model_values(edge) != self._shown:
            self.rebuild()
        else:
            self.refresh_messages()

    @staticmethod
    def _model_values(edge: Any) -> tuple[Any, Any, Any]:
        return (dict(edge.map) if edge.map is not None else None, edge.when, edge.loop)

    # -- building --------------------------------------------------------------------------------
    def rebuild(self) -> None:
        self.timer.stop()
        edge = self.edge()
        if edge is None:
            return
        from axiom_ide.runtime.typecheck import describe_fields

        self._shown = self._model_values(edge)
        src_spec, dst_spec = self.doc.spec(edge.src), self.doc.spec(edge.dst)
        self.src_desc = getattr(src_spec, "output_type", None)
        self.dst_desc = getattr(dst_spec, "input_type", None)
        for row in self.rows.values():
            discard(row)
        self.rows = {}
        self.subtitle.setText(f"{edge.src} → {edge.dst}" + ("  (loop edge)" if edge.is_loop else ""))
        if self.src_desc is None or self.dst_desc is None:
            self.title.setText("Edge Plan")
            self._mapping = False
            self.edge_message.setText("Resolve both nodes' packages to edit this edge's field mapping.")
            self.configure_button.hide()
            self.passthrough_button.hide()
        else:
            self.title.setText(f"{self.src_desc.name} → {self.dst_desc.name}")
            same = self.src_desc.full_name == self.dst_desc.full_name
            self._mapping = edge.map is not None or not same
            if self._mapping:
                src_fields = describe_fields(self.src_desc)
                plan = edge.map or {}
                for name, kind, required in describe_fields(self.dst_desc):
                    row = FieldRow(name, kind, required, src_fields, plan.get(name), self)
                    row.changed.connect(self._row_changed)
                    self.rows_box.addWidget(row)
                    self.rows[name] = row
            self.configure_button.setVisible(same and not self._mapping)
            self.passthrough_button.setVisible(same and self._mapping)
        self.condition.blockSignals(True)
        self.condition.setText(edge.when or "")
        self.condition.setCursorPosition(0)  # a long condition shows its start
        self.condition.blockSignals(False)
        self.condition.setToolTip(self.condition.text())
        self._validate_condition(self.condition.text())
        self.loop_spin.blockSignals(True)
        self.loop_spin.setValue(edge.loop or 1)
        self.loop_spin.blockSignals(False)
        self.loop_spin.setVisible(edge.is_loop)
        self.loop_label.setVisible(edge.is_loop)
        self.refresh_messages()

    # -- values ----------------------------------------------------------------------------------
    def current_map(self) -> dict[str, str] | None:
        if not self._mapping:
            return None
        out: dict[str, str] = {}
        for name, row in self.rows.items():
            text = row.text()
            if text:
                out[name] = text
        return out

    def refresh_messages(self) -> None:
        if self.src_desc is None or self.dst_desc is None:
            return
        from axiom_ide.runtime.compiler.analyze import joined_elsewhere, without_joined
        from axiom_ide.runtime.typecheck import check_edge

        check = check_edge(self.src_desc, self.dst_desc, self.current_map())
        edge = self.edge()
        if edge is not None and not edge.is_loop:  # a join's other inputs supply their fields
            check = without_joined(check, joined_elsewhere(self.doc.flow, edge))
        by_field: dict[str, list[Any]] = {}
        edge_level = []
        for issue in check.issues:
            if issue.dst_field in self.rows:
                by_field.setdefault(issue.dst_field, []).append(issue)
            else:
                edge_level.append(issue.message)
        for name, row in self.rows.items():
            issues = by_field.get(name, [])
            severity = "warning" if all(i.kind == "required_unmapped" for i in issues) else "error"
            row.set_message("\n".join(i.message for i in issues), severity)
        if check.passthrough:
            self.edge_message.setText(TYPES_MATCH)
            self.edge_message.setProperty("warning", False)
        else:
            self.edge_message.setText("\n".join(edge_level))
            self.edge_message.setProperty("warning", bool(edge_level))
        self.edge_message.setVisible(bool(self.edge_message.text()))
        self.edge_message.style().unpolish(self.edge_message)
        self.edge_message.style().polish(self.edge_message)

    def _row_changed(self, commit_now: bool) -> None:
        self.refresh_messages()
        if commit_now:
            self.commit()
        else:
            self.timer.start()

    def _validate_condition(self, text: str) -> bool:
        from axiom_ide.runtime.conditions import ConditionError, compile_condition

        error = ""
        if text.strip():
            try:
                compile_condition(text, self.src_desc)  # fields checked against the source
            except ConditionError as exc:
                error = str(exc)
        self.condition_error.setText(error)
        self.condition_error.setVisible(bool(error))
        return not error

    # -- commands --------------------------------------------------------------------------------
    def commit(self) -> None:
        """Push one ``set_edge`` with whatever differs from the model."""
        self.timer.stop()
        edge = self.edge()
        if edge is None or self._shown is None:
            return
        changes: dict[str, Any] = {}
        new_map = self.current_map()
        if self._mapping or edge.map is not None:
            if new_map != (dict(edge.map) if edge.map is not None else None):
                changes["map"] = new_map
        when = self.condition.text().strip() or None
        if when != edge.when and self._validate_condition(self.condition.text()):
            changes["when"] = when
        if edge.is_loop and self.loop_spin.value() != edge.loop:
            changes["loop"] = self.loop_spin.value()
        if not changes:
            return
        merged = self._model_values(edge)
        self._shown = (changes.get("map", merged[0]), changes.get("when", merged[1]), changes.get("loop", merged[2]))
        self.doc.set_edge(self.key, **changes)

    def configure_anyway(self) -> None:
        """Same types: start an explicit mapping with every field mapped to itself."""
        from axiom_ide.runtime.typecheck import describe_fields

        if self.dst_desc is None:
            return
        identity = {name: name for name, _k, _r in describe_fields(self.dst_desc)}
        self.doc.set_edge(self.key, map=identity)
        self.rebuild()

    def use_passthrough(self) -> None:
        self.doc.set_edge(self.key, map=None)
        self.rebuild()
