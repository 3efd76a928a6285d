"""A node card: canvas id (the title), node name, package@version, input → output message, two ports.

The item mirrors one FlowNode plus its resolved NodeSpec and diagnostics (set by the scene); it
never edits the model. Everything is drawn in ``paint`` (no child items); painting uses shared
pens/fonts (``style``) and QStaticText built on the first detailed paint, so a card that is never
seen at readable zoom never lays out text. Below ``LOD_DETAIL`` zoom only a filled rectangle is
drawn. The tooltip is composed when asked for (``toolTip()``, shown by the scene's help event),
not stored on every analysis.

Cards do not override ``itemChange`` (a Python ``itemChange`` runs for every flag, z, scene and
position change — ten calls per card while a 5,000-node flow opens); whoever moves a card
(``FlowScene.flush``, the drag in ``interactions.MoveDrag``) re-routes its edges.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QStaticText
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from axiom_ide.canvas.diagnostics import code_html
from axiom_ide.canvas.geometry import CARD_H, CARD_W, PORT_HIT, PORT_R
from axiom_ide.canvas.items.style import style
from axiom_ide.runtime.model.refs import is_artifact_id

#: Below this level of detail (scale), cards are drawn as plain rectangles.
LOD_DETAIL = 0.4
_PAD = 10.0
_BP_CENTER = QPointF(_PAD + 4, 17)
_BADGE_W = 64.0
_CARD = QRectF(0, 0, CARD_W, CARD_H)
_BOUNDS = QRectF(-PORT_R - 2, -2, CARD_W + 2 * PORT_R + 4, CARD_H + 4)
_IN = QPointF(0, CARD_H / 2)
_OUT = QPointF(CARD_W, CARD_H / 2)
_RULE = (QPointF(_PAD, 68), QPointF(CARD_W - _PAD, 68))
_BADGE = QRectF(CARD_W - _PAD - _BADGE_W, 8, _BADGE_W, 18)
#: The pin badge ("pinned": editor runs use the node's pinned output), left of a pipeline badge.
_PIN_W = 54.0
_PIN = QRectF(CARD_W - _PAD - _PIN_W, 8, _PIN_W, 18)
_PIN_BESIDE = QRectF(_BADGE.x() - 4 - _PIN_W, 8, _PIN_W, 18)
#: The card's outline, built once (drawPath of a kept path beats drawRoundedRect by ~15 %).
_OUTLINE = QPainterPath()
_OUTLINE.addRoundedRect(_CARD, 8, 8)
# Looked up once: enum attribute access is slow and runs for every card built.
_FLAGS = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable


def _static(text: str) -> QStaticText:
    st = QStaticText(text)
    st.setTextFormat(Qt.TextFormat.PlainText)
    st.setPerformanceHint(QStaticText.PerformanceHint.AggressiveCaching)
    return st


def _short(full_name: str) -> str:
    return full_name.rsplit(".", 1)[-1] if full_name else "?"


class NodeItem(QGraphicsItem):
    """The card for canvas id ``node_id``. Position = top-left of its grid cell."""

    Type = QGraphicsItem.UserType + 1  # type: ignore[attr-defined]  # PySide6's stubs omit UserType

    def __init__(self, node_id: str, ref: str) -> None:
        super().__init__()
        self.node_id = node_id
        self.ref = ref
        self.spec: Any = None
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.run_state: str | None = None
        self.breakpoint = False
        #: The node's output is pinned for editor runs (app/pins.py): a pin badge, view state.
        self.pinned = False
        #: Port under a connect drag: None | "ok" | "bad" (view state while dragging).
        self.port_hint: str | None = None
        #: Why a connect drag onto this card would be refused; shown instead of the usual tooltip.
        self.refusal: str | None = None
        #: The scene forces full detail for headless rendering.
        self.force_detail = False
        # Selectable only: a drag is moved by the scene (snapped, one undo step on release).
        self.setFlags(_FLAGS)
        self.setZValue(1.0)
        #: Prepared texts, built on first detailed paint (None = stale).
        self._texts: list[tuple[QPointF, QStaticText, Any, Any]] | None = None
        self._badge: QStaticText | None = None
        self._state_key: Any = None

    def type(self) -> int:
        return self.Type

    # -- model mirror ------------------------------------------------------------------------
    def set_state(self, node_id: str, ref: str, spec: Any, problems: list[str], warnings: list[str]) -> None:
        """Update from the model/analysis; repaints only when something shown changed."""
        key = (node_id, ref, id(spec) if spec is not None else None, tuple(problems), tuple(warnings))
        if key == self._state_key:
            return
        self._state_key = key
        self.node_id, self.ref, self.spec = node_id, ref, spec
        self.problems, self.warnings = list(problems), list(warnings)
        self._texts = None
        self.update()

    @property
    def is_pipeline(self) -> bool:
        return self.spec is not None and (getattr(self.spec, "kind", "") == "pipeline" or bool(getattr(self.spec, "is_pipeline", False)))

    def _names(self) -> tuple[str, str]:
        """(node name, package@version) from the reference text."""
        ref = self.ref
        if ref.startswith("flow:"):
            if is_artifact_id(ref[5:]):  # a marketplace flow: its name once resolved, not its id
                flow = getattr(getattr(self.spec, "analysis", None), "flow", None)
                return getattr(flow, "name", "") or ref[5:], "marketplace flow"
            return ref[5:], "subflow"
        if ":" in ref:
            package, name = ref.rsplit(":", 1)
            return name, package
        return ref or "?", ""

    def _rebuild_text(self) -> None:
        s = style()
        spec = self.spec
        name, package = self._names()
        if spec is not None and getattr(spec, "input_type", None) is not None and getattr(spec, "output_type", None) is not None:
            types = f"{_short(spec.input_type.full_name)} → {_short(spec.output_type.full_name)}"
        elif spec is None:
            types = "unresolved"
        else:
            types = "? → ?"
        name_w = CARD_W - 2 * _PAD - 14 - (_BADGE_W + 4 if self.is_pipeline else 0) - (_PIN_W + 4 if self.pinned else 0)
        inner = CARD_W - 2 * _PAD
        ok = spec is not None
        # The canvas id is the title: it is what tells two cards of the same node apart, and what
        # errors, edges and breakpoints name. The node's own name comes second.
        self._texts = [
            (QPointF(_PAD + 14, 8), _static(s.fm_name.elidedText(self.node_id, Qt.TextElideMode.ElideMiddle, name_w)), s.font_name, s.text),
            (QPointF(_PAD, 34), _static(s.fm_small.elidedText(name, Qt.TextElideMode.ElideRight, inner)), s.font_small, s.text_id),
            (QPointF(_PAD, 52), _static(s.fm_small.elidedText(package, Qt.TextElideMode.ElideMiddle, inner)), s.font_small, s.text_dim),
            (QPointF(_PAD, 72), _static(s.fm_small.elidedText(types, Qt.TextElideMode.ElideRight, inner)), s.font_small, s.text if ok else s.text_error),
        ]
        if self._badge is None and self.is_pipeline:
            self._badge = _static("⚡ pipeline")

    def set_pinned(self, on: bool) -> None:
        """Show (or hide) the pin badge; the title makes room for it."""
        if on != self.pinned:
            self.pinned = on
            self._texts = None
            self.update()

    def toolTip(self) -> str:  # noqa: N802 - Qt API, composed on demand
        """Rich text: name, id, package, description, message types, problems and warnings."""
        if self.refusal:
            return self.refusal
        spec = self.spec
        name, package = self._names()
        tips = [f"<b>{_esc(name)}</b> &nbsp;<code>{_esc(self.node_id)}</code>", package]
        if spec is not None and getattr(spec, "description", None):
            tips.append(_esc(spec.description))
        if spec is not None and getattr(spec, "input_type", None) is not None:
            tips.append(f"{spec.input_type.full_name} → {spec.output_type.full_name}")
        tips += [f"<span style='color:#b3261e'>{code_html(p)}</span>" for p in self.problems]
        tips += [f"<span style='color:#a06800'>{code_html(w)}</span>" for w in self.warnings]
        return "<br>".join(t for t in tips if t)

    # -- geometry ----------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return _BOUNDS

    def card_rect(self) -> QRectF:
        return QRectF(_CARD)

    def input_port(self) -> QPointF:
        """Scene position of the input port (left edge, middle)."""
        return self.pos() + _IN

    def output_port(self) -> QPointF:
        return self.pos() + _OUT

    def port_at(self, scene_pos: QPointF) -> str | None:
        """"in" / "out" when ``scene_pos`` is on a port (with a forgiving hit radius)."""
        local = scene_pos - self.pos()
        for kind, center in (("in", _IN), ("out", _OUT)):
            d = local - center
            if d.x() * d.x() + d.y() * d.y() <= PORT_HIT * PORT_HIT * 1.6:
                return kind
        return None

    def on_breakpoint_slot(self, scene_pos: QPointF) -> bool:
        d = scene_pos - self.pos() - _BP_CENTER
        return d.x() * d.x() + d.y() * d.y() <= 49

    # -- painting ----------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        s = style()
        selected = self.isSelected()
        bad = self.spec is None or bool(self.problems)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod < LOD_DETAIL and not self.force_detail:
            painter.setPen(s.no_pen)
            painter.setBrush(s.lod_sel_fill if selected else (s.lod_error_fill if bad else s.run_fill.get(self.run_state or "", s.lod_fill)))
            painter.drawRect(_CARD)
            return
        fill = s.run_fill.get(self.run_state or "") or (s.card_error_fill if bad else s.card_fill)
        if selected:
            pen = s.card_error_sel if bad else s.card_selected
        elif self.run_state in s.run_pen:
            pen = s.run_pen[self.run_state]
        else:
            pen = s.card_error if bad else s.card_border
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawPath(_OUTLINE)
        # Separator above the message line.
        painter.setPen(s.label_pen)
        painter.drawLine(*_RULE)
        # Breakpoint: a red dot only when set (set/cleared from the card's right-click menu).
        if self.breakpoint:
            painter.setPen(s.no_pen)
            painter.setBrush(s.bp_fill)
            painter.drawEllipse(_BP_CENTER, 5, 5)
        if self._texts is None:
            self._rebuild_text()
        assert self._texts is not None  # _rebuild_text made them
        for pos, text, font, tpen in self._texts:
            painter.setFont(font)
            painter.setPen(tpen)
            painter.drawStaticText(pos, text)
        if self.is_pipeline:
            painter.setPen(s.no_pen)
            painter.setBrush(s.badge_fill)
            painter.drawRoundedRect(_BADGE, 9, 9)
            painter.setFont(s.font_badge)
            painter.setPen(s.badge_text)
            painter.drawStaticText(QPointF(_BADGE.x() + 7, _BADGE.y() + 2.5), self._badge or _static("⚡ pipeline"))
        if self.pinned:  # drawn only when pinned
            rect = _PIN_BESIDE if self.is_pipeline else _PIN
            painter.setPen(s.no_pen)
            painter.setBrush(s.pin_fill)
            painter.drawRoundedRect(rect, 9, 9)
            painter.setBrush(s.pin_head)  # a pin head (fonts may lack the emoji)
            painter.drawEllipse(QPointF(rect.x() + 10, rect.y() + 9), 3.5, 3.5)
            painter.setFont(s.font_badge)
            painter.setPen(s.pin_text)
            painter.drawStaticText(QPointF(rect.x() + 17, rect.y() + 2.5), _PIN_TEXT)
        # Ports: input on the left edge, output on the right edge.
        painter.setPen(s.port_pen)
        hint = self.port_hint
        painter.setBrush(s.port_hot if hint == "ok" else s.port_bad if hint == "bad" else s.port_fill)
        painter.drawEllipse(_IN, PORT_R, PORT_R)
        painter.setBrush(s.port_fill)
        painter.drawEllipse(_OUT, PORT_R, PORT_R)


_PIN_TEXT = _static("pinned")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
