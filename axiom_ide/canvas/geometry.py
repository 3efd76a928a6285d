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
    """The nearest cell to a card's top-left corner. Negative left of / above the first cell: a
    drag may go there (the document re-bases the grid on drop); a new node is clamped by its caller."""
    return round(pos.x() / CELL_W), round(pos.y() / CELL_H)


def free_cell(cell: tuple[int, int], taken: set[tuple[int, int]]) -> tuple[int, int]:
    """``cell`` if free, else the nearest free cell (by distance on the grid, then below before
    above, right before left): where a card dropped onto another one lands."""
    if cell not in taken:
        return cell
    radius = 1
    while True:
        ring = [(cell[0] + dc, cell[1] + dr) for dc in range(-radius, radius + 1) for dr in range(-radius, radius + 1)
                if max(abs(dc), abs(dr)) == radius]
        free = [c for c in ring if c not in taken]
        if free:
            return min(free, key=lambda c: ((c[0] - cell[0]) ** 2 + (c[1] - cell[1]) ** 2,
                                            c[1] < cell[1], c[1] != cell[1] + 1, c[0] < cell[0]))
        radius += 1


def snap(pos: QPointF) -> QPointF:
    return cell_to_pos(pos_to_cell(pos))
