"""flow.yaml v1 ⇄ :class:`Flow`, losslessly.

Loading keeps the ruamel round-trip tree beside the model. Saving *syncs* the model into that
tree — changing only the keys whose values differ — and dumps it, so:
- loading then saving a canonical file is byte-identical;
- an edit changes only the lines it must; comments, key order and quoting elsewhere survive.
Parsing is lenient: whatever is malformed is left for :mod:`.validate` to report with its
file:line:column; only unreadable YAML raises here.

The fast path (:func:`loads_flow_fast`, libyaml) builds the model ~15x faster and keeps the source
text instead of the tree; :meth:`FlowFile.round_trip` parses that text with ruamel the first time
the tree is needed (saving), then syncs the model into it as usual — so a file opened fast still
saves touching only the edited lines. The fast loader resolves scalars as YAML 1.2 (like ruamel):
``no``/``on`` stay strings, only ``true``/``false`` are booleans.
"""
from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from axiom_ide.runtime import yaml_limits
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.fileio import atomic_write_text
from axiom_ide.runtime.model.flow import Flow, FlowEdge, FlowNode

#: Top-level keys in canonical order; new keys are inserted to keep this order.
TOP_KEYS = ("name", "description", "mode", "imports", "nodes", "edges", "join")
NODE_KEYS = ("id", "node", "col", "row", "disabled", "approval", "compensate")
EDGE_KEYS = ("from", "to", "map", "when", "loop")


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    # A value the model holds twice is written twice, never as an anchor and alias: reading refuses
    # those (runtime/yaml_limits.py).
    y.representer.ignore_aliases = lambda data: True
    return y


@dataclass
class FlowFile:
    """A loaded flow document: the model plus the YAML tree it came from."""

    flow: Flow
    #: The ruamel round-trip tree; :func:`dumps_flow` syncs the model into it. A plain dict when
    #: loaded on the fast path (until :meth:`round_trip` replaces it).
    doc: Any = field(default_factory=CommentedMap)
    path: Path | None = None
    #: The source text, kept by the fast path so the round-trip tree can be built when needed.
    text: str | None = field(default=None, repr=False, compare=False)

    @property
    def has_tree(self) -> bool:
        return isinstance(self.doc, CommentedMap)

    def round_trip(self) -> CommentedMap:
        """The ruamel tree, parsed from the kept source text on first use (thread-safe)."""
        if isinstance(self.doc, CommentedMap):
            return self.doc
        with _TREE_LOCK:
            if not isinstance(self.doc, CommentedMap):
                tree = None
                if self.text is not None:
                    try:
                        tree = yaml_limits.load(_yaml(), self.text, None)
                    except (YAMLError, AxiomError):
                        tree = None
                self.doc = tree if isinstance(tree, CommentedMap) else CommentedMap()
                self.text = None
        return self.doc

    def where(self, *key_path: Any) -> tuple[int | None, int | None]:
        """1-based (line, column) of the value at ``key_path`` (falls back to its parent)."""
        return position(self.doc, key_path)

    def location(self, *key_path: Any, **extra: Any) -> dict[str, Any]:
        line, column = self.where(*key_path)
        return {"file": str(self.path) if self.path else None, "line": line, "column": column, **extra}


def position(doc: Any, key_path: Sequence[Any]) -> tuple[int | None, int | None]:
    """Line/column of the node at ``key_path``; for a map key, the key's position."""
    node = doc
    best: tuple[int | None, int | None] = (1, 1) if isinstance(doc, (CommentedMap, CommentedSeq)) else (None, None)
    for key in key_path:
        try:
            if isinstance(node, CommentedMap) and key in node:
                line, col = node.lc.key(key)
                best = (line + 1, col + 1)
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
                line, col = node.lc.item(key)
                best = (line + 1, col + 1)
                node = node[key]
            else:
                break
        except (KeyError, TypeError, AttributeError):
            break
    return best


def value_position(doc: Any, key_path: Sequence[Any]) -> tuple[int | None, int | None]:
    """Line/column of the *value* at ``key_path`` (for map entries; else as :func:`position`)."""
    if not key_path:
        return position(doc, key_path)
    parent_path, last = key_path[:-1], key_path[-1]
    parent = doc
    for key in parent_path:
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return position(doc, key_path)
    if isinstance(parent, CommentedMap) and last in parent:
        try:
            line, col = parent.lc.value(last)
            return line + 1, col + 1
        except (KeyError, TypeError, AttributeError):
            pass
    return position(doc, key_path)


# -- loading ----------------------------------------------------------------------------------
def loads_flow(text: str, path: str | Path | None = None) -> FlowFile:
    """Parse flow.yaml text. Raises AxiomError("yaml_syntax") with file:line:col on bad YAML, and
    ``yaml_size``/``yaml_alias``/``yaml_depth`` past the limits of :mod:`..yaml_limits`."""
    file = str(path) if path is not None else None
    try:
        doc = yaml_limits.load(_yaml(), text, file)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        raise AxiomError.of(
            "yaml_syntax",
            f"malformed YAML: {problem}",
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except YAMLError as exc:
        raise AxiomError.of("yaml_syntax", f"malformed YAML: {exc}", file=file) from None
    if doc is None:
        doc = CommentedMap()
    flow = flow_from_tree(doc)
    return FlowFile(flow=flow, doc=doc, path=Path(path) if path is not None else None)


_TREE_LOCK = threading.Lock()
_FAST_LOADER: Any = None


def _fast_loader() -> Any:
    """libyaml's SafeLoader (C) with YAML 1.2 core-schema scalars, matching the round-trip parser:
    booleans are only true/false, ints and floats are plain decimal, no timestamps."""
    global _FAST_LOADER
    if _FAST_LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        loader: Any = type("Yaml12Loader", (base,), {})  # a class made at run time: its resolvers are dynamic
        drop = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                "tag:yaml.org,2002:timestamp"}
        loader.yaml_implicit_resolvers = {
            ch: [(tag, rx) for tag, rx in resolvers if tag not in drop]
            for ch, resolvers in base.yaml_implicit_resolvers.items()
        }
        loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                     list("tTfF"))
        loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"),
                                     list("-+0123456789"))
        loader.add_constructor("tag:yaml.org,2002:int", lambda ld, node: int(ld.construct_scalar(node), 10))
        loader.add_implicit_resolver(
            "tag:yaml.org,2002:float",
            re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"),
            list("-+0123456789."))
        _FAST_LOADER = loader
    return _FAST_LOADER


def loads_flow_fast(text: str, path: str | Path | None = None) -> FlowFile:
    """Parse with libyaml (C) when available — ~15x faster; the round-trip tree is built from the
    kept text on first need (:meth:`FlowFile.round_trip`), so the result can be saved. ``doc`` is
    a plain dict without positions; validation re-reads with the round-trip parser when it needs
    file:line:column for an error message. A document past the YAML limits is refused as
    :func:`loads_flow` refuses it."""
    if not yaml_limits.check_fast(text, _fast_loader(), str(path) if path is not None else None):
        return loads_flow(text, path)
    try:
        import yaml

        doc = yaml.load(text, Loader=_fast_loader())
    except Exception:  # noqa: BLE001 — any problem: the round-trip parser gives the located error
        return loads_flow(text, path)
    if doc is None or not isinstance(doc, dict):
        return loads_flow(text, path)
    return FlowFile(flow=flow_from_tree(doc), doc=doc, path=Path(path) if path is not None else None, text=text)


def load_flow(path: str | Path, *, fast: bool = False) -> FlowFile:
    """Load a flow file. ``fast=True`` parses with libyaml and builds the round-trip tree only
    when a save needs it."""
    p = Path(path)
    try:
        yaml_limits.check_size(p.stat().st_size, str(p))  # before reading a file of any size
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AxiomError.of("file_not_found", f"flow file not found: {p}", file=str(p)) from None
    except UnicodeDecodeError as exc:
        raise AxiomError.of("file_encoding", f"flow file is not UTF-8: {exc.reason}", file=str(p)) from None
    return loads_flow_fast(text, p) if fast else loads_flow(text, p)


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _plain_or_none(value: Any) -> Any:
    """A node's ``approval:`` as plain data (validate reports a malformed one)."""
    return None if value is None else _plain(value)


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def flow_from_tree(doc: Any) -> Flow:
    """Build the model from a parsed tree, skipping what is malformed (validate reports it)."""
    if not isinstance(doc, dict):
        return Flow("")
    imports = [str(i) for i in doc.get("imports") or [] if isinstance(i, str)] if isinstance(doc.get("imports"), list) else []
    nodes: list[FlowNode] = []
    seen: set[str] = set()
    for raw in doc.get("nodes") or [] if isinstance(doc.get("nodes"), list) else []:
        if not isinstance(raw, dict):
            continue
        node_id = _str_or_none(raw.get("id")) or ""
        if node_id in seen:  # duplicate ids: keep the first, validate reports the rest
            continue
        seen.add(node_id)
        nodes.append(FlowNode(node_id, _str_or_none(raw.get("node")) or "", _int_or_none(raw.get("col")), _int_or_none(raw.get("row")),
                              raw.get("disabled") is True, _plain_or_none(raw.get("approval")),
                              compensate=raw["compensate"] if isinstance(raw.get("compensate"), str) else None))
    edges: list[FlowEdge] = []
    keys: set[tuple[str, str]] = set()
    for raw in doc.get("edges") or [] if isinstance(doc.get("edges"), list) else []:
        if not isinstance(raw, dict):
            continue
        src, dst = _str_or_none(raw.get("from")) or "", _str_or_none(raw.get("to")) or ""
        if (src, dst) in keys:
            continue
        keys.add((src, dst))
        raw_map = raw.get("map")
        plan = {str(k): str(v) for k, v in raw_map.items()} if isinstance(raw_map, dict) else None
        when = raw.get("when")
        edges.append(FlowEdge(src, dst, plan, when if isinstance(when, str) else None, _int_or_none(raw.get("loop"))))
    join = doc.get("join")
    return Flow(
        _str_or_none(doc.get("name")) or "",
        description=_str_or_none(doc.get("description")),
        mode=_str_or_none(doc.get("mode")),
        imports=imports,
        nodes=nodes,
        edges=edges,
        join=_plain(join) if isinstance(join, dict) else {},
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


# -- saving -----------------------------------------------------------------------------------
def dumps_flow(ff: FlowFile) -> str:
    """Sync the model into the tree and dump it."""
    sync_tree(ff.round_trip(), ff.flow)
    buf = io.StringIO()
    _yaml().dump(ff.doc, buf)
    return buf.getvalue()


def save_flow(ff: FlowFile, path: str | Path | None = None) -> Path:
    """Atomically write the flow; returns the path written."""
    target = Path(path) if path is not None else ff.path
    if target is None:
        raise AxiomError.of("no_path", "flow has no file path; use Save As")
    text = dumps_flow(ff)
    atomic_write_text(target, text)
    ff.path = target
    return target


def new_flow_file(flow: Flow, path: str | Path | None = None) -> FlowFile:
    return FlowFile(flow=flow, doc=CommentedMap(), path=Path(path) if path is not None else None)


def _set_key(m: CommentedMap, key: str, value: Any, order: Sequence[str]) -> None:
    """Set ``m[key]`` only if it differs; insert a new key at its canonical position."""
    if key in m:
        if _same(m[key], value):
            return
        m[key] = value
        return
    pos = len(m)
    if key in order:
        later = set(order[order.index(key) + 1:])
        for i, existing in enumerate(m):
            if existing in later:
                pos = i
                break
    m.insert(pos, key, value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return _plain(a) == _plain(b)


def _del_key(m: CommentedMap, key: str) -> None:
    if key in m:
        del m[key]


def _flow_seq(items: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def sync_tree(doc: CommentedMap, flow: Flow) -> None:
    _set_key(doc, "name", flow.name, TOP_KEYS)
    for key in ("description", "mode"):
        value = getattr(flow, key)
        if value is None:
            _del_key(doc, key)
        else:
            _set_key(doc, key, value, TOP_KEYS)
    if "imports" in doc or flow.imports:
        current = doc.get("imports")
        if not _same(current, flow.imports):
            if isinstance(current, CommentedSeq):
                current[:] = list(flow.imports)
            else:
                _set_key(doc, "imports", _flow_seq(list(flow.imports)), TOP_KEYS)
    _sync_seq(doc, "nodes", flow.nodes, lambda m: m.get("id"), lambda n: n.id, _sync_node, always=True)
    _sync_seq(
        doc,
        "edges",
        flow.edges,
        lambda m: (m.get("from"), m.get("to")),
        lambda e: e.key,
        _sync_edge,
        always=True,
    )
    if "join" in doc or flow.join:
        if not _same(doc.get("join"), flow.join):
            join = CommentedMap()
            for k, v in flow.join.items():
                join[k] = v
            if not flow.join:
                join.fa.set_flow_style()
            _set_key(doc, "join", join, TOP_KEYS)


def _sync_seq(
    doc: CommentedMap,
    key: str,
    items: list[Any],
    tree_key: Callable[[Any], Any],
    model_key: Callable[[Any], Any],
    sync_item: Callable[[CommentedMap, Any], None],
    always: bool,
) -> None:
    seq = doc.get(key)
    if not isinstance(seq, CommentedSeq):
        if not items and not always:
            return
        seq = CommentedSeq()
        if not items:
            seq.fa.set_flow_style()
        _set_key(doc, key, seq, TOP_KEYS)
    by_key: dict[Any, CommentedMap] = {}
    for m in seq:
        if isinstance(m, CommentedMap):
            by_key.setdefault(tree_key(m), m)
    new_items: list[CommentedMap] = []
    for item in items:
        m = by_key.pop(model_key(item), None)
        if m is None:
            m = CommentedMap()
        sync_item(m, item)
        new_items.append(m)
    if len(new_items) != len(seq) or any(a is not b for a, b in zip(new_items, seq, strict=True)):
        if not new_items:
            seq.fa.set_flow_style()
        elif seq.fa.flow_style():
            seq.fa.set_block_style()
        seq[:] = new_items


def _sync_node(m: CommentedMap, node: FlowNode) -> None:
    _set_key(m, "id", node.id, NODE_KEYS)
    _set_key(m, "node", node.node, NODE_KEYS)
    for key in ("col", "row"):
        value = getattr(node, key)
        if value is None:
            _del_key(m, key)
        else:
            _set_key(m, key, value, NODE_KEYS)
    if node.disabled:
        _set_key(m, "disabled", True, NODE_KEYS)
    else:
        _del_key(m, "disabled")
    if node.approval is not None:
        _set_key(m, "approval", node.approval, NODE_KEYS)
    else:
        _del_key(m, "approval")
    if node.compensate is not None:
        _set_key(m, "compensate", node.compensate, NODE_KEYS)
    else:
        _del_key(m, "compensate")


def _sync_edge(m: CommentedMap, edge: FlowEdge) -> None:
    _set_key(m, "from", edge.src, EDGE_KEYS)
    _set_key(m, "to", edge.dst, EDGE_KEYS)
    if edge.map is None:
        _del_key(m, "map")
    else:
        current = m.get("map")
        if not isinstance(current, CommentedMap):
            current = CommentedMap()
            _set_key(m, "map", current, EDGE_KEYS)
        if list(current.keys()) != list(edge.map.keys()):
            for k in list(current.keys()):
                del current[k]
        for k, v in edge.map.items():
            if k not in current or not _same(current[k], v):
                current[k] = v
        if not edge.map:
            current.fa.set_flow_style()
        elif current.fa.flow_style():
            current.fa.set_block_style()
    for key in ("when", "loop"):
        value = getattr(edge, key)
        if value is None:
            _del_key(m, key)
        else:
            _set_key(m, key, value, EDGE_KEYS)


def starter_flow(name: str) -> Flow:
    """What ``flow new`` scaffolds: two example nodes and an edge (edit them to your packages)."""
    return Flow(
        name,
        description=f"{name}: describe what this flow does.",
        mode="unary",
        imports=["examples/text@0.1.0"],
        nodes=[
            FlowNode("greet", "examples/text@0.1.0:Greet"),
            FlowNode("shout", "examples/text@0.1.0:Upper"),
        ],
        edges=[FlowEdge("greet", "shout", {"text": "greeting"})],
    )
