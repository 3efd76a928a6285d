"""A row's action button in a Console list, at its natural width (an item widget alone is
stretched across the whole last column); :func:`fit_columns` keeps that button in view."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QPushButton, QTreeWidget, QWidget


def button_cell(button: QPushButton) -> QWidget:
    cell = QWidget()
    layout = QHBoxLayout(cell)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(button)
    layout.addStretch(1)
    return cell


def fit_columns(tree: QTreeWidget, stretch: int = 0) -> None:
    """Every column as wide as its contents (the row buttons' column included) but ``stretch``, the
    name column, which takes what is left and elides its text (the full name in the tooltip), so a
    long name cannot push the row's button out of view ("Revoke ci-pipeline-deploy-key" was cut off
    at the list's edge). Call again after the rows change."""
    header = tree.header()
    header.setStretchLastSection(False)
    header.setMinimumSectionSize(60)
    for column in range(tree.columnCount()):
        mode = QHeaderView.ResizeMode.Stretch if column == stretch else QHeaderView.ResizeMode.ResizeToContents
        header.setSectionResizeMode(column, mode)
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        if item is not None:
            item.setToolTip(stretch, item.text(stretch))
