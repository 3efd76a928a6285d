"""Compile a flow into an immutable artifact; lay a flow out on the (col, row) grid.

- :mod:`.layout` — layered auto-layout (networkx); pinned nodes keep their cells.
- :mod:`.analyze` — resolve nodes, type-check edges, check topology; pure, no side effects.
- :mod:`.artifact` — the frozen compiled artifact and its JSON form.
- :mod:`.compile` — analyze + freeze + store (a new ULID per compile).
"""
