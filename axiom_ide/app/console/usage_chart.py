"""Console → Usage: the **Executions per day** chart (guides/api-keys.md, Monitor usage) and the
daily quota meters (reference/http-api.md, Daily quotas).

:class:`DailyChart` is a pyqtgraph plot: a stacked bar per UTC day — succeeded and failed runs
coloured distinctly, runs still in flight (or paused) on top, counting toward the total only.
Hovering a bar shows the date, the day's total and the succeeded/failed split (a label over the
plot and the tooltip). :class:`QuotaMeters` shows the two daily budgets (invocations and
executions) used/limit when the backend reports limits on, with when they reset (midnight UTC).
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")  # the IDE's binding, whatever else is installed

import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QToolTip, QVBoxLayout, QWidget

#: Bar colours: succeeded, failed, in flight.
SUCCEEDED, FAILED, IN_FLIGHT = "#3fa45b", "#d9534f", "#9aa4ae"
#: The hover text of one day.
HOVER = "{day} · {total} executions · {ok} succeeded, {failed} failed"
#: The meters' names and their reset line.
METERS = (("invocations", "Invocations today"), ("executions", "Executions today"))
RESETS = "Daily quotas reset at midnight UTC."


class DailyChart(pg.PlotWidget):
    """Stacked bars of (day, total, succeeded, failed) rows, oldest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background=None)
        self.setObjectName("usageChart")
        self.setMinimumHeight(180)
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.showGrid(x=False, y=True, alpha=0.25)
        self.getAxis("left").setLabel("Executions")
        self.days: list[tuple[str, int, int, int]] = []
        #: What the hover shows now ("" when the pointer is over no bar).
        self.hover_text = ""
        self.label = pg.TextItem("", anchor=(0.5, 1.0), color="#222", fill=pg.mkBrush(255, 255, 255, 230))
        self.label.setZValue(10)
        self.label.hide()

    def mouseMoveEvent(self, ev: Any) -> None:  # noqa: N802 - Qt API
        """Every move over the plot updates the hover (the scene's own move signal is throttled
        to the screen's refresh rate and would drop the last move of a quick gesture)."""
        super().mouseMoveEvent(ev)
        self._moved(self.mapToScene(ev.position().toPoint()))

    def leaveEvent(self, ev: Any) -> None:  # noqa: N802 - Qt API
        super().leaveEvent(ev)
        self._hover(None)

    def set_days(self, days: Sequence[tuple[str, int, int, int]]) -> None:
        self.days = [tuple(d) for d in days]  # type: ignore[misc]
        plot = self.getPlotItem()
        plot.clear()
        n = len(self.days)
        x = list(range(n))
        ok = [d[2] for d in self.days]
        failed = [d[3] for d in self.days]
        flight = [max(0, d[1] - d[2] - d[3]) for d in self.days]
        for heights, base, colour in ((ok, [0] * n, SUCCEEDED), (failed, ok, FAILED),
                                      (flight, [a + b for a, b in zip(ok, failed, strict=True)], IN_FLIGHT)):
            plot.addItem(pg.BarGraphItem(x=x, height=heights, y0=base, width=0.7, brush=colour, pen=None))
        plot.addItem(self.label, ignoreBounds=True)
        top = max((d[1] for d in self.days), default=0)
        plot.setYRange(0, max(1, top) * 1.15, padding=0)
        every = max(1, -(-top // 5))  # whole executions: at most about five labelled steps
        self.getAxis("left").setTicks([[(v, str(v)) for v in range(0, top + every + 1, every)], []])
        plot.setXRange(-0.6, max(0, n - 1) + 0.6, padding=0)
        axis = self.getAxis("bottom")
        step = max(1, n // 6)
        axis.setTicks([[(i, self.days[i][0][5:]) for i in range(0, n, step)]])
        self._hover(None)

    def bar_center(self, index: int) -> QPointF:
        """Where bar ``index`` is drawn, in the viewport (the middle of its height, or its foot)."""
        total = self.days[index][1]
        scene = self.getPlotItem().vb.mapViewToScene(QPointF(index, total / 2 if total else 0.02))
        return QPointF(self.mapFromScene(scene))

    def _moved(self, scene_pos: Any) -> None:
        vb = self.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            self._hover(None)
            return
        at = vb.mapSceneToView(scene_pos)
        index = round(at.x())
        inside = 0 <= index < len(self.days) and abs(at.x() - index) <= 0.35
        self._hover(index if inside else None, at.y())

    def _hover(self, index: int | None, y: float = 0.0) -> None:
        if index is None:
            self.hover_text = ""
            self.label.hide()
            QToolTip.hideText()
            return
        day, total, ok, failed = self.days[index]
        self.hover_text = HOVER.format(day=day, total=total, ok=ok, failed=failed)
        self.label.setText(self.hover_text)
        # beside the bar, on the side with room: the text never runs off the plot
        self.label.setAnchor((1.0, 1.0) if index >= len(self.days) / 2 else (0.0, 1.0))
        self.label.setPos(index, max(total, y))
        self.label.show()
        self.setToolTip(self.hover_text)


def legend() -> QLabel:
    """The bar colours' key, under the chart's title."""
    swatch = '<span style="color:{c}">&#9632;</span> {t}'
    return QLabel("&nbsp;&nbsp;".join(swatch.format(c=c, t=t) for c, t in (
        (SUCCEEDED, "Succeeded"), (FAILED, "Failed"), (IN_FLIGHT, "In flight"))), objectName="usageLegend")


class QuotaMeters(QWidget):
    """``{"invocations": (used, limit), "executions": (used, limit)}``; a None limit reads "no limit"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usageQuotas")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Daily quotas</b>"))
        grid = QGridLayout()
        self.bars: dict[str, QProgressBar] = {}
        self.texts: dict[str, QLabel] = {}
        for row, (key, title) in enumerate(METERS):
            bar = QProgressBar(objectName=f"quota_{key}")
            bar.setTextVisible(False)
            text = QLabel("—", objectName=f"quota_{key}_text")
            grid.addWidget(QLabel(title), row, 0)
            grid.addWidget(bar, row, 1)
            grid.addWidget(text, row, 2)
            self.bars[key], self.texts[key] = bar, text
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        layout.addWidget(QLabel(RESETS, objectName="usageQuotaReset"))

    def set_quotas(self, quotas: dict[str, tuple[int, int | None]]) -> None:
        for key, _title in METERS:
            used, limit = quotas.get(key, (0, None))
            bar, text = self.bars[key], self.texts[key]
            bar.setRange(0, limit or 1)
            bar.setValue(min(used, limit) if limit else 0)
            text.setText(f"{used:,} / {limit:,}" if limit is not None else f"{used:,} (no limit)")
