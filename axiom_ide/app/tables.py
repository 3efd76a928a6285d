"""A read-only results table, as the Run Dataset and Compare Batches dialogs show them: no row
numbers, no editing, each column sized to its contents except those that stretch."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtWidgets import QHeaderView, QTableWidget


def results_table(headers: Sequence[str], name: str, *, stretch: Iterable[int]) -> QTableWidget:
    table = QTableWidget(0, len(headers), objectName=name)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    header = table.horizontalHeader()
    wide = set(stretch)
    for column in range(len(headers)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column in wide
                                    else QHeaderView.ResizeMode.ResizeToContents)
    return table
