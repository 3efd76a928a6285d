"""Console → Usage (guides/api-keys.md, Monitor usage): the last 30 days — summary cards
(**Executions**, **Success rate**, **Avg duration**), the **Executions per day** stacked bar chart
with hover values (app/console/usage_chart.py, pyqtgraph) above the same numbers as a table (date,
total, succeeded, failed), and, when the backend reports daily limits on (a server started with
limits), the quota meters of today's invocations and executions. Activity only, not a bill."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from axiom_ide.app.console.api_keys import error_text
from axiom_ide.app.console.usage_chart import DailyChart, QuotaMeters, legend

Call = Callable[..., Any]


def card(title: str, name: str) -> tuple[QFrame, QLabel]:
    frame = QFrame(objectName=f"{name}Card")
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    value = QLabel("—", objectName=name)
    value.setStyleSheet("font-size: 20pt; font-weight: bold")
    layout = QVBoxLayout(frame)
    layout.addWidget(QLabel(title))
    layout.addWidget(value)
    return frame, value


class UsagePage(QWidget):
    def __init__(self, call: Call, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("usagePage")
        self._call = call
        intro = QLabel("Your tenant's flow executions over the last 30 days. Activity only — not a bill.")
        intro.setWordWrap(True)
        cards = QHBoxLayout()
        frames = [card("Executions", "usageExecutions"), card("Success rate", "usageSuccessRate"),
                  card("Avg duration", "usageAvgDuration")]
        for frame, _value in frames:
            cards.addWidget(frame)
        self.executions, self.success_rate, self.avg_duration = (v for _f, v in frames)
        self.error = QLabel(objectName="usageError")
        self.days = QTreeWidget(objectName="usageDays")
        self.days.setHeaderLabels(["Day", "Executions", "Succeeded", "Failed"])
        self.days.setRootIsDecorated(False)
        self.chart = DailyChart(self)
        self.quotas = QuotaMeters(self)
        self.quotas.hide()  # shown when the backend reports daily limits on
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Usage</h2>"))
        layout.addWidget(intro)
        layout.addLayout(cards)
        layout.addWidget(self.quotas)
        title = QHBoxLayout()
        title.addWidget(QLabel("Executions per day"))
        title.addStretch(1)
        title.addWidget(legend())
        layout.addLayout(title)
        layout.addWidget(self.chart, 3)
        layout.addWidget(self.days, 2)
        layout.addWidget(self.error)

    def refresh(self) -> None:
        self._call(lambda b: b.console.usage(), self._show, lambda exc: self.error.setText(error_text(exc)))

    def _show(self, usage: Any) -> None:
        self.executions.setText(str(usage.executions))
        rate = usage.success_rate
        self.success_rate.setText("—" if rate is None else f"{rate:.0f}%")
        avg = usage.avg_duration_ms
        self.avg_duration.setText("—" if avg is None else (f"{avg / 1000:.1f} s" if avg >= 1000 else f"{avg:.0f} ms"))
        self.chart.set_days(usage.days)
        quotas = getattr(usage, "quotas", None)
        if quotas:
            self.quotas.set_quotas(quotas)
        self.quotas.setVisible(bool(quotas))
        self.days.clear()
        for day, total, ok, failed in reversed(usage.days):
            self.days.addTopLevelItem(QTreeWidgetItem([day, str(total), str(ok), str(failed)]))

    def rows(self) -> list[list[str]]:
        items = [self.days.topLevelItem(i) for i in range(self.days.topLevelItemCount())]
        return [[item.text(c) for c in range(4)] for item in items if item is not None]
