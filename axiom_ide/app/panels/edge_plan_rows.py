"""One destination field of the Edge Plan editor: source-field picker, transform steps, message.

A :class:`FieldRow` edits the text of one plan entry, ``source | step(args) | ...``. It never
touches the document: it emits :attr:`FieldRow.changed` with ``commit_now`` — True for discrete
choices (pick a source, add/remove/reorder a step), False while an argument is being typed (the
panel debounces those and commits on editingFinished).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.panels import discard

UNMAPPED = "— unmapped —"


def _transform_names() -> list[str]:
    from axiom_ide.runtime.transforms import TRANSFORMS

    return list(TRANSFORMS)


def params_hint(name: str) -> str | None:
    """The argument box's placeholder for the transform ``name`` ("from, to"; "cutset (optional)"),
    or None when it takes no arguments (``upper``, ``lower``, ``length``). An unknown name gets
    "args", so what was typed stays editable."""
    from axiom_ide.runtime.transforms.functions import TRANSFORMS, canonical_name

    spec = TRANSFORMS.get(canonical_name(name))
    if spec is None:
        return "args"
    if not spec.params:
        return None
    return ", ".join(f"{p[:-1]} (optional)" if p.endswith("?") else p for p in spec.params)


def _shrinking(combo: QComboBox, chars: int) -> QComboBox:
    """A combo that may be narrower than its longest item (it elides), its text as the tooltip."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    combo.currentTextChanged.connect(combo.setToolTip)
    return combo


def split_plan(text: str) -> tuple[str | None, list[tuple[str, str]]] | None:
    """(source path, [(step name, args text)]) of a plan, or None when it does not parse."""
    from axiom_ide.runtime.transforms import PlanSyntaxError, parse_plan
    from axiom_ide.runtime.transforms.plan import format_arg

    try:
        plan = parse_plan(text)
    except PlanSyntaxError:
        return None
    source = ".".join(plan.source) if plan.source is not None else None
    steps = [(s.name, ", ".join(format_arg(a) for a in s.args)) for s in plan.steps]
    return source, steps


def join_plan(source: str | None, steps: list[tuple[str, str]]) -> str:
    parts = [source] if source else []
    for name, args in steps:
        parts.append(f"{name}({args})" if args.strip() else name)
    return " | ".join(parts)


class StepRow(QWidget):
    """``| [NAME ▾] ↑ ↓ ✕`` with the ``[args]`` box on the line below it (none for a transform
    without parameters): two short lines, so the row fits the Inspector's narrowest dock."""

    #: (commit_now) the step changed.
    changed = Signal(bool)
    #: (action) "up" | "down" | "remove".
    moveRequested = Signal(str)

    def __init__(self, name: str, args: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.name_combo = QComboBox(objectName="stepName")
        for n in _transform_names():
            self.name_combo.addItem(n.upper(), n)
        index = self.name_combo.findData(name)
        if index < 0:  # an alias such as ``mult`` keeps its spelling
            self.name_combo.addItem(name.upper(), name)
            index = self.name_combo.count() - 1
        self.name_combo.setCurrentIndex(index)
        _shrinking(self.name_combo, 4).setToolTip(self.name_combo.currentText())
        self.args_edit = QLineEdit(args, objectName="stepArgs", placeholderText="args")
        self.args_edit.setMinimumWidth(40)
        self.args_edit.textChanged.connect(self.args_edit.setToolTip)
        self.args_edit.setToolTip(args)
        bar = QLabel("|")
        head = QHBoxLayout()
        head.setSpacing(3)
        head.addWidget(bar)
        head.addWidget(self.name_combo, 1)
        for action, glyph, tip in (("up", "↑", "Move step up"), ("down", "↓", "Move step down"), ("remove", "✕", "Remove step")):
            b = QToolButton(objectName=f"step-{action}")
            b.setText(glyph)
            b.setToolTip(tip)
            b.setFixedWidth(b.fontMetrics().height() + 6)  # a glyph each: no style padding to spare
            b.clicked.connect(lambda _c=False, a=action: self.moveRequested.emit(a))
            head.addWidget(b)
        args_line = QHBoxLayout()  # under the name, indented past the "|"
        args_line.setContentsMargins(bar.sizeHint().width() + head.spacing(), 0, 0, 0)
        args_line.addWidget(self.args_edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addLayout(args_line)
        self._show_args()
        self.name_combo.currentIndexChanged.connect(self._name_changed)
        self.args_edit.textEdited.connect(lambda _t: self.changed.emit(False))
        self.args_edit.editingFinished.connect(lambda: self.changed.emit(True))

    def _show_args(self) -> None:
        # A step without parameters gets no box; a typed argument stays visible to be removed.
        hint = params_hint(self.name_combo.currentData())
        self.args_edit.setPlaceholderText(hint or "args")
        self.args_edit.setVisible(hint is not None or bool(self.args_edit.text().strip()))

    def _name_changed(self, _index: int) -> None:
        self._show_args()
        self.changed.emit(True)

    def value(self) -> tuple[str, str]:
        args = self.args_edit.text() if self.args_edit.isVisibleTo(self) else ""
        return self.name_combo.currentData(), args


class FieldRow(QFrame):
    """Editor of one destination field's mapping."""

    #: (commit_now) the mapping text changed.
    changed = Signal(bool)

    def __init__(self, dst: str, kind: str, required: bool, src_fields: list[tuple[str, str, bool]],
                 text: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.dst = dst
        self.setObjectName(f"fieldRow:{dst}")
        title = QLabel(f"<b>{dst}</b> <span style='color:gray'>{kind}</span>" + (" <i>required</i>" if required else ""))
        title.setWordWrap(True)
        title.setToolTip(f"{dst}: {kind}" + (", required" if required else ""))
        self.source = _shrinking(QComboBox(objectName="sourceCombo"), 5)
        self.source.addItem(UNMAPPED, None)
        for name, src_kind, _req in src_fields:
            self.source.addItem(f"{name}  ({src_kind})", name)
        self.add_step = QPushButton("+ Step", objectName="addStep")
        self.add_step.setToolTip("Add a transform step")
        self.raw = QLineEdit(objectName="rawPlan")  # for plans the picker cannot show
        self.raw.textChanged.connect(self.raw.setToolTip)
        # The field's name on its own line, the source picker below it, the steps, then "+ Step"
        # (where the next step goes): each line short enough for a narrow dock.
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(QLabel("←"))
        top.addWidget(self.source, 1)
        add_line = QHBoxLayout()
        add_line.addWidget(self.add_step)
        add_line.addStretch(1)
        self.steps_box = QVBoxLayout()
        self.steps_box.setSpacing(2)
        self.message = QLabel(objectName="fieldMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addWidget(title)
        layout.addLayout(top)
        layout.addWidget(self.raw)
        layout.addLayout(self.steps_box)
        layout.addLayout(add_line)
        layout.addWidget(self.message)
        self.steps: list[StepRow] = []
        self._raw_mode = False
        self.set_text(text)
        self.source.currentIndexChanged.connect(self._source_changed)
        self.add_step.clicked.connect(self._add_step)
        self.raw.textEdited.connect(lambda _t: self.changed.emit(False))
        self.raw.editingFinished.connect(lambda: self.changed.emit(True))

    # -- value -----------------------------------------------------------------------------------
    def set_text(self, text: str | None) -> None:
        parsed = split_plan(text) if text else (None, [])
        self.source.blockSignals(True)
        self._raw_mode = parsed is None
        if parsed is None:  # keep a plan we cannot split as raw text
            self.raw.setText(text or "")
            self.raw.show()
            self.source.setCurrentIndex(0)
            self.source.setEnabled(False)
            self.add_step.setEnabled(False)
            self._set_steps([])
        else:
            self.raw.hide()
            self.raw.clear()
            source, steps = parsed
            index = self.source.findData(source) if source else (-1 if steps else 0)
            if index < 0:
                label = source if source else "(whole output)"
                self.source.addItem(label, source or "")
                index = self.source.count() - 1
            self.source.setCurrentIndex(index)
            self._set_steps(steps)
        self.source.blockSignals(False)
        self.source.setToolTip(self.source.currentText())
        self._update_enabled()

    def text(self) -> str | None:
        """The plan text, or None when the field is unmapped."""
        if self._raw_mode:
            return self.raw.text().strip() or None
        source = self.source.currentData()
        if source is None:
            return None
        return join_plan(source, [s.value() for s in self.steps])

    def set_message(self, text: str, severity: str = "warning") -> None:
        self.message.setText(text)
        self.message.setProperty("error", severity == "error")
        self.message.setProperty("warning", severity == "warning")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(text))

    # -- steps -----------------------------------------------------------------------------------
    def _set_steps(self, steps: list[tuple[str, str]]) -> None:
        for row in self.steps:
            discard(row)
        self.steps = []
        for name, args in steps:
            row = StepRow(name, args, self)
            row.changed.connect(self.changed)
            row.moveRequested.connect(lambda action, r=row: self._move(r, action))
            self.steps_box.addWidget(row)
            self.steps.append(row)

    def _add_step(self) -> None:
        self._set_steps([s.value() for s in self.steps] + [("upper", "")])
        self.changed.emit(True)

    def _move(self, row: StepRow, action: str) -> None:
        values = [s.value() for s in self.steps]
        i = self.steps.index(row)
        if action == "remove":
            values.pop(i)
        elif action == "up" and i > 0:
            values[i - 1], values[i] = values[i], values[i - 1]
        elif action == "down" and i < len(values) - 1:
            values[i + 1], values[i] = values[i], values[i + 1]
        else:
            return
        self._set_steps(values)
        self.changed.emit(True)

    def _source_changed(self, _index: int) -> None:
        if self.source.currentData() is None:
            self._set_steps([])
        self._update_enabled()
        self.changed.emit(True)

    def _update_enabled(self) -> None:
        mapped = self.source.currentData() is not None
        self.add_step.setEnabled(mapped and not self._raw_mode)

    def step_rows(self) -> list[StepRow]:
        return list(self.steps)

    def source_field(self) -> Any:
        return self.source.currentData()
