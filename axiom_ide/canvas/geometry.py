"""The canvas grid: every node card sits in one (col, row) cell of a coarse grid.

A cell is CELL_W × CELL_H scene units; the card (CARD_W × CARD_H) sits at the cell's top-left,
leaving a gutter for edges and labels. Positions are model data (col/row on the node, or the
compiler's layout for unpinned nodes); the canvas only converts cells to points and back.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF

CELL_W = 330.0
CELL_H = 140.0
CARD_W = 220.0
CARD_H = 96.0
#: Radius of the input/output port circles on the card's left/right edge.
PORT_R = 6.0
#: Extra radius that still counts as a hit on a port when starting a connection.
PORT_HIT = 10.0


def cell_to_pos(cell: tuple[int, int]) -> QPointF:
    """Scene position of the card's top-left corner in ``cell``."""
    return QPointF(cell[0] * CELL_W, cell[1] * CELL_H)


def pos_to_cell(pos: QPointF) -> tuple[int, int]:
    """The nearest cell to a card's top-left corner (never negative)."""
    return max(0, round(pos.x() / CELL_W)), max(0, round(pos.y() / CELL_H))


def snap(pos: QPointF) -> QPointF:
    return cell_to_pos(pos_to_cell(pos))
