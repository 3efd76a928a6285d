"""Orthogonal routing around cards: the path a canvas link takes when a direct curve would pass
behind another card (pure geometry, no items).

The router is a small visibility grid, as orthogonal connector routers build it: candidate lines
run through the middle of the gutters around every card (half a column gutter left/right of a
card, half a row gutter above/below it) and through the ports; a segment between two neighbouring
line crossings is usable when it keeps ``PAD`` clear of every card. A shortest search (length,
plus ``BEND`` per turn) from the source card's ports to the destination card's ports gives the
route; on the grid layout the gutters are always free, so a route always exists.

Ports sit at the middle of a card's top and bottom, and low on its sides (``SIDE_PORT_Y``, clear of
the edge ports at mid-height). :func:`rounded_path` draws the route with rounded corners.
"""
from __future__ import annotations

import heapq
from collections.abc import Sequence
from itertools import count

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath

from axiom_ide.canvas.geometry import CARD_H, CARD_W, CELL_H, CELL_W

#: How far a route keeps from a card it passes.
PAD = 8.0
#: What a turn costs, in scene units of length: fewer corners before a slightly shorter route.
BEND = 60.0
#: Half the gutters between grid cells: the lines a route runs along.
GUTTER_X = (CELL_W - CARD_W) / 2
GUTTER_Y = (CELL_H - CARD_H) / 2
#: Where on a card's height the side ports are (the edge ports are at mid-height).
SIDE_PORT_Y = CARD_H * 0.78
#: The corner radius of :func:`rounded_path`.
CORNER_R = 10.0

Point = tuple[float, float]
Dir = tuple[int, int]
_DIRS: tuple[Dir, ...] = ((0, 1), (0, -1), (1, 0), (-1, 0))


def ports(card: QRectF) -> list[tuple[Point, Dir]]:
    """A card's link ports: (point, outward direction), bottom, top, right, left."""
    cx, y = card.center().x(), card.top() + min(SIDE_PORT_Y, card.height())
    return [((cx, card.bottom()), (0, 1)), ((cx, card.top()), (0, -1)),
            ((card.right(), y), (1, 0)), ((card.left(), y), (-1, 0))]


def search_region(src: QRectF, dst: QRectF) -> QRectF:
    """The area a route between the two cards stays in (and whose cards are its obstacles)."""
    return src.united(dst).adjusted(-CELL_W, -CELL_H, CELL_W, CELL_H)


def _blocked(a: Point, b: Point, rects: Sequence[QRectF]) -> bool:
    lo_x, hi_x = min(a[0], b[0]), max(a[0], b[0])
    lo_y, hi_y = min(a[1], b[1]), max(a[1], b[1])
    return any(lo_x < r.right() and hi_x > r.left() and lo_y < r.bottom() and hi_y > r.top() for r in rects)


def orthogonal_route(src: QRectF, dst: QRectF, obstacles: Sequence[QRectF]) -> list[QPointF] | None:
    """The corner points of the best orthogonal route from ``src`` to ``dst`` keeping clear of
    ``obstacles`` (the other cards' rects) and of both cards themselves; None when there is none."""
    region = search_region(src, dst)
    cards = [src, dst, *obstacles]
    padded = [r.adjusted(-PAD, -PAD, PAD, PAD) for r in cards]
    others_of_src = [p for r, p in zip(cards, padded, strict=True) if r is not src]
    others_of_dst = [p for r, p in zip(cards, padded, strict=True) if r is not dst]
    xs_set: set[float] = set()
    ys_set: set[float] = set()
    for r in cards:
        xs_set.update((r.left() - GUTTER_X, r.right() + GUTTER_X))
        ys_set.update((r.top() - GUTTER_Y, r.bottom() + GUTTER_Y))
    for (x, y), d in (*ports(src), *ports(dst)):
        (xs_set if d[0] == 0 else ys_set).add(x if d[0] == 0 else y)
    xs = sorted(x for x in xs_set if region.left() <= x <= region.right())
    ys = sorted(y for y in ys_set if region.top() <= y <= region.bottom())
    xi, yi = {x: i for i, x in enumerate(xs)}, {y: j for j, y in enumerate(ys)}

    def first_line(p: Point, d: Dir) -> Point | None:
        """The first grid crossing from port ``p`` in direction ``d`` (where its stub ends)."""
        if d[0] == 0:
            line = [y for y in ys if (y - p[1]) * d[1] > 0]
            return (p[0], min(line, key=lambda y: abs(y - p[1]))) if line else None
        line = [x for x in xs if (x - p[0]) * d[0] > 0]
        return (min(line, key=lambda x: abs(x - p[0])), p[1]) if line else None

    # Goal stubs: grid crossing outside a destination port → (port point, direction into the card).
    goals: dict[Point, list[tuple[Point, Dir]]] = {}
    for p, d in ports(dst):
        q = first_line(p, d)
        if q is not None and not _blocked(q, p, others_of_dst):
            goals.setdefault(q, []).append((p, (-d[0], -d[1])))
    tie = count()
    heap: list[tuple[float, int, Point, Dir, bool]] = []
    parent: dict[tuple[Point, Dir], tuple[Point, Dir] | None] = {}
    best: dict[tuple[Point, Dir], float] = {}
    for p, d in ports(src):
        q = first_line(p, d)
        if q is not None and not _blocked(p, q, others_of_src):
            cost = abs(q[0] - p[0]) + abs(q[1] - p[1])
            if cost < best.get((q, d), float("inf")):
                best[(q, d)] = cost
                parent[(p, d)] = None
                parent[(q, d)] = (p, d)
                heapq.heappush(heap, (cost, next(tie), q, d, False))
    while heap:
        cost, _, at, d, final = heapq.heappop(heap)
        if final:
            return _corners(at, d, parent)
        if cost > best.get((at, d), float("inf")):
            continue
        for p, d_in in goals.get(at, ()):
            total = cost + abs(p[0] - at[0]) + abs(p[1] - at[1]) + (BEND if d_in != d else 0.0)
            if total < best.get((p, d_in), float("inf")):
                best[(p, d_in)] = total
                parent[(p, d_in)] = (at, d)
                heapq.heappush(heap, (total, next(tie), p, d_in, True))
        i, j = xi.get(at[0]), yi.get(at[1])
        if i is None or j is None:
            continue
        for nd in _DIRS:
            if nd == (-d[0], -d[1]):
                continue
            ni, nj = i + nd[0], j + nd[1]
            if not (0 <= ni < len(xs) and 0 <= nj < len(ys)):
                continue
            nxt = (xs[ni], ys[nj])
            if _blocked(at, nxt, padded):
                continue
            step = cost + abs(nxt[0] - at[0]) + abs(nxt[1] - at[1]) + (BEND if nd != d else 0.0)
            if step < best.get((nxt, nd), float("inf")):
                best[(nxt, nd)] = step
                parent[(nxt, nd)] = (at, d)
                heapq.heappush(heap, (step, next(tie), nxt, nd, False))
    return None


def _corners(end: Point, d: Dir, parent: dict[tuple[Point, Dir], tuple[Point, Dir] | None]) -> list[QPointF]:
    chain: list[Point] = []
    state: tuple[Point, Dir] | None = (end, d)
    while state is not None:
        chain.append(state[0])
        state = parent[state]
    chain.reverse()
    points = [chain[0]]
    for k in range(1, len(chain) - 1):  # drop the crossings a straight run passes through
        a, b, c = points[-1], chain[k], chain[k + 1]
        if not ((a[0] == b[0] == c[0]) or (a[1] == b[1] == c[1])):
            points.append(b)
    points.append(chain[-1])
    return [QPointF(x, y) for x, y in points]


def rounded_path(points: Sequence[QPointF], radius: float = CORNER_R) -> QPainterPath:
    """A polyline through ``points`` with its corners rounded (at most half of each segment)."""
    path = QPainterPath(points[0])
    for k in range(1, len(points) - 1):
        a, b, c = points[k - 1], points[k], points[k + 1]
        r_in = min(radius, _length(a, b) / 2)
        r_out = min(radius, _length(b, c) / 2)
        path.lineTo(b + _unit(a, b) * r_in)
        path.quadTo(b, b + _unit(c, b) * r_out)
    path.lineTo(points[-1])
    return path


def _length(a: QPointF, b: QPointF) -> float:
    return abs(b.x() - a.x()) + abs(b.y() - a.y())  # axis-aligned segments


def _unit(towards: QPointF, frm: QPointF) -> QPointF:
    """The unit step from ``frm`` towards ``towards`` (axis-aligned)."""
    n = _length(frm, towards) or 1.0
    return (towards - frm) / n
