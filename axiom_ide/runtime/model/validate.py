"""Structural validation of a flow file (``flow validate``): local checks, no packages needed.

Required fields, unique canvas ids, well-formed node references and imports, well-formed pins
(both col and row, or neither), edges that reference known nodes, well-formed edge keys. Every
diagnostic carries file:line:column. Type compatibility and topology are the compiler's job.
"""
from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap

from axiom_ide.runtime.errors import Diagnostic, Location, Severity
from axiom_ide.runtime.model.approval import APPROVAL_KEYS, parse_approval
from axiom_ide.runtime.model.flow_yaml import EDGE_KEYS, NODE_KEYS, TOP_KEYS, FlowFile, position, value_position
from axiom_ide.runtime.model.refs import CANVAS_ID_RE, FLOW_NAME_RE, RefError, parse_import, parse_node_ref


class _Collector:
    def __init__(self, ff: FlowFile) -> None:
        self.ff = ff
        self.out: list[Diagnostic] = []
        self.file = str(ff.path) if ff.path else None

    def add(self, severity: Severity, code: str, message: str, path: tuple[Any, ...], *, value: bool = False, **extra: Any) -> None:
        line, column = (value_position if value else position)(self.ff.doc, path)
        self.out.append(Diagnostic(code, message, severity, Location(file=self.file, line=line, column=column, **extra)))

    def error(self, code: str, message: str, path: tuple[Any, ...], **kw: Any) -> None:
        self.add(Severity.ERROR, code, message, path, **kw)

    def warn(self, code: str, message: str, path: tuple[Any, ...], **kw: Any) -> None:
        self.add(Severity.WARNING, code, message, path, **kw)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def validate_flow_file(ff: FlowFile) -> list[Diagnostic]:
    """All structural problems of a loaded flow file, in file order.

    A file loaded on the fast path has no positions; if it has problems, it is re-read with the
    round-trip parser so every message still carries its file:line:column.
    """
    diagnostics = _validate(ff)
    if diagnostics and not isinstance(ff.doc, CommentedMap) and ff.path is not None:
        from axiom_ide.runtime.model.flow_yaml import load_flow

        return _validate(load_flow(ff.path))
    return diagnostics


def _validate(ff: FlowFile) -> list[Diagnostic]:
    c = _Collector(ff)
    doc = ff.doc
    if not isinstance(doc, dict):
        c.error("flow_shape", "a flow file must be a YAML mapping with name, nodes and edges", ())
        return c.out
    if not doc:
        c.error("flow_shape", "flow file is empty; expected name, nodes and edges", ())
        return c.out

    for key in doc:
        if key not in TOP_KEYS:
            c.warn("unknown_key", f'unknown top-level key "{key}" (known: {", ".join(TOP_KEYS)})', (key,))

    name = doc.get("name")
    if "name" not in doc or name is None or name == "":
        c.error("missing_field", 'missing required field "name"', ())
    elif not isinstance(name, str) or not FLOW_NAME_RE.match(name):
        c.error("invalid_name", f'flow name "{name}" must be lowercase letters, digits, "-" or "_", starting with a letter or digit', ("name",), value=True)

    if "description" in doc and doc["description"] is not None and not isinstance(doc["description"], str):
        c.error("invalid_field", '"description" must be a string', ("description",), value=True)

    mode = doc.get("mode")
    if mode is not None and mode not in ("unary", "pipeline"):
        c.error("invalid_mode", f'mode must be "unary" or "pipeline", not "{mode}"', ("mode",), value=True)

    imports = doc.get("imports")
    if imports is not None:
        if not isinstance(imports, list):
            c.error("invalid_field", '"imports" must be a list of package@version', ("imports",), value=True)
        else:
            seen_imports: set[str] = set()
            for i, item in enumerate(imports):
                try:
                    parse_import(item)
                except RefError as exc:
                    c.error("invalid_import", str(exc), ("imports", i))
                    continue
                if item in seen_imports:
                    c.warn("duplicate_import", f'package "{item}" is imported twice', ("imports", i))
                seen_imports.add(item)

    node_ids = _validate_nodes(c, doc)
    _validate_edges(c, doc, node_ids)
    _validate_compensations(c, doc, node_ids)

    join = doc.get("join")
    if join is not None:
        if not isinstance(join, dict):
            c.error("invalid_field", '"join" must be a mapping of canvas id to join policy', ("join",), value=True)
        else:
            for key, policy in join.items():
                if key not in node_ids:
                    c.error("unknown_node", f'join policy for unknown node "{key}"', ("join", key))
                elif not isinstance(policy, dict):
                    c.error("invalid_join", f'join policy for "{key}" must be a mapping, e.g. {{on_failure: abort}}', ("join", key), value=True)
                elif policy.get("on_failure", "abort") not in ("abort", "ignore"):
                    c.error("invalid_join", f'join on_failure for "{key}" must be "abort" or "ignore"', ("join", key, "on_failure"), value=True)
    c.out.sort(key=lambda d: (d.location.line or 0, d.location.column or 0))
    return c.out


def _validate_nodes(c: _Collector, doc: Any) -> set[str]:
    ids: dict[str, int] = {}
    if "nodes" not in doc:
        c.error("missing_field", 'missing required field "nodes"', ())
        return set()
    nodes = doc.get("nodes")
    if nodes is None:
        return set()
    if not isinstance(nodes, list):
        c.error("invalid_field", '"nodes" must be a list', ("nodes",), value=True)
        return set()
    for i, raw in enumerate(nodes):
        where = ("nodes", i)
        if not isinstance(raw, dict):
            c.error("invalid_node", f"nodes[{i}] must be a mapping with id and node", where)
            continue
        for key in raw:
            if key not in NODE_KEYS:
                c.warn("unknown_key", f'unknown key "{key}" in nodes[{i}] (known: {", ".join(NODE_KEYS)})', where + (key,))
        if "disabled" in raw and not isinstance(raw["disabled"], bool):
            c.error("invalid_field", f'nodes[{i}]: "disabled" must be true or false', where + ("disabled",), value=True)
        if raw.get("approval") is not None:
            _, problems = parse_approval(raw["approval"])
            for sub, text in problems:
                bad_key = bool(sub) and sub[0] not in APPROVAL_KEYS
                add = c.warn if bad_key else c.error
                add("invalid_approval", f"nodes[{i}]: {text}", where + ("approval",) + sub, value=not bad_key)
        node_id = raw.get("id")
        label = f"nodes[{i}]"
        if node_id is None or node_id == "":
            c.error("missing_field", f'{label}: missing required field "id"', where)
        elif not isinstance(node_id, str) or not CANVAS_ID_RE.match(node_id):
            c.error("invalid_id", f'{label}: id "{node_id}" must match ^[a-z0-9][a-z0-9_-]*$', where + ("id",), value=True)
        elif node_id in ids:
            first_line, _ = position(c.ff.doc, ("nodes", ids[node_id]))
            c.error("duplicate_id", f'duplicate node id "{node_id}" (first defined at line {first_line})', where + ("id",), value=True, node=node_id)
        else:
            ids[node_id] = i
            label = f'node "{node_id}"'
        ref = raw.get("node")
        if ref is None or ref == "":
            c.error("missing_field", f'{label}: missing required field "node"', where)
        else:
            try:
                parse_node_ref(ref if isinstance(ref, str) else str(ref))
            except RefError as exc:
                c.error("invalid_node_ref", f"{label}: {exc}", where + ("node",), value=True)
        col, row = raw.get("col"), raw.get("row")
        if (col is None) != (row is None):
            missing = "row" if row is None else "col"
            present = "col" if row is None else "row"
            c.error("invalid_pin", f"{label}: pin has {present} but no {missing}; give both col and row, or neither", where + (present,))
        for key, value in (("col", col), ("row", row)):
            if value is not None and (not _is_int(value) or value < 0):
                c.error("invalid_pin", f"{label}: {key} must be a non-negative integer, not {value!r}", where + (key,), value=True)
    return set(ids)


def _validate_compensations(c: _Collector, doc: Any, node_ids: set[str]) -> None:
    """``compensate: <canvas id>`` names another node of the flow, which has no edges (it runs
    only to compensate) and compensates no node itself."""
    nodes = doc.get("nodes")
    if not isinstance(nodes, list):
        return
    targets: dict[str, str] = {}
    for i, raw in enumerate(nodes):
        if not isinstance(raw, dict) or "compensate" not in raw:
            continue
        where = ("nodes", i, "compensate")
        label = f'node "{raw.get("id")}"' if isinstance(raw.get("id"), str) else f"nodes[{i}]"
        target = raw["compensate"]
        if not isinstance(target, str) or not CANVAS_ID_RE.match(target):
            c.error("invalid_compensate", f'{label}: "compensate" must be the canvas id of a node, not {target!r}', where, value=True)
        elif target == raw.get("id"):
            c.error("invalid_compensate", f"{label}: a node cannot compensate itself", where, value=True)
        elif target not in node_ids:
            c.error("unknown_node", f'{label}: compensate names unknown node "{target}"', where, value=True)
        else:
            targets[target] = str(raw.get("id"))
    edges = doc.get("edges")
    for i, raw in enumerate(edges if isinstance(edges, list) else []):
        if not isinstance(raw, dict):
            continue
        for end in ("from", "to"):
            if raw.get(end) in targets:
                c.error("compensation_edge", f'edges[{i}]: "{raw[end]}" compensates "{targets[raw[end]]}" and '
                        "runs only after a failure; it cannot have edges", ("edges", i, end), value=True)
    for i, raw in enumerate(nodes):
        if isinstance(raw, dict) and raw.get("id") in targets and "compensate" in raw:
            c.error("invalid_compensate", f'node "{raw["id"]}": a compensation node cannot declare a compensation itself',
                    ("nodes", i, "compensate"), value=True)


def _validate_edges(c: _Collector, doc: Any, node_ids: set[str]) -> None:
    edges = doc.get("edges")
    if edges is None:
        return
    if not isinstance(edges, list):
        c.error("invalid_field", '"edges" must be a list', ("edges",), value=True)
        return
    seen: dict[tuple[Any, Any], int] = {}
    for i, raw in enumerate(edges):
        where = ("edges", i)
        if not isinstance(raw, dict):
            c.error("invalid_edge", f"edges[{i}] must be a mapping with from and to", where)
            continue
        for key in raw:
            if key not in EDGE_KEYS:
                c.warn("unknown_key", f'unknown key "{key}" in edges[{i}] (known: {", ".join(EDGE_KEYS)})', where + (key,))
        src, dst = raw.get("from"), raw.get("to")
        ok = True
        for key, value in (("from", src), ("to", dst)):
            if value is None or value == "":
                c.error("missing_field", f'edges[{i}]: missing required field "{key}"', where)
                ok = False
            elif value not in node_ids:
                c.error("unknown_node", f'edges[{i}]: "{key}" references unknown node "{value}"', where + (key,), value=True)
                ok = False
        edge_kw = {"edge": (str(src), str(dst))} if ok else {}
        label = f'edge "{src}" → "{dst}"' if ok else f"edges[{i}]"
        if ok and (src, dst) in seen:
            first_line, _ = position(c.ff.doc, ("edges", seen[(src, dst)]))
            c.error("duplicate_edge", f"duplicate {label} (first defined at line {first_line})", where, **edge_kw)
        seen.setdefault((src, dst), i)
        loop = raw.get("loop")
        if loop is not None and (not _is_int(loop) or loop < 1):
            c.error("invalid_loop", f"{label}: loop (max iterations) must be a positive integer, not {loop!r}", where + ("loop",), value=True, **edge_kw)
        if ok and src == dst and loop is None:
            c.error("self_edge", f"{label}: a node cannot feed itself; use a loop edge (loop: N)", where, **edge_kw)
        plan = raw.get("map")
        if plan is not None:
            if not isinstance(plan, dict):
                c.error("invalid_map", f"{label}: map must be a mapping of destination field to source expression", where + ("map",), value=True, **edge_kw)
            else:
                for field_name, expr in plan.items():
                    if not isinstance(expr, str) or not expr.strip():
                        c.error("invalid_map", f'{label}: map entry "{field_name}" must be a source expression such as "text | upper"', where + ("map", field_name), value=True, **edge_kw)
        when = raw.get("when")
        if when is not None and (not isinstance(when, str) or not when.strip()):
            c.error("invalid_condition", f"{label}: when must be a CEL expression string", where + ("when",), value=True, **edge_kw)
