"""Pinned data: a node's output fixed for a run — the one mechanism behind the editor's pins
(issue #18, "Pinned data in the editor") and flow-test mocks (``runtime/flowtest.py``).

A pin says "when I run this flow from the editor, don't call node X, use this output". Pins live
beside the flow in ``<name>.flow.pins.json`` (written atomically, 0600), never in the flow.yaml::

    {"version": 1,
     "pins": {"greet": {"output": {"greeting": "hi"}, "source": "execution 3f2a…"}}}

They are never part of a compiled artifact: compile, ``serve``, API invokes and publish work from
the flow alone and cannot see them. Only an editor run hands them to :meth:`Runtime.start` or
:meth:`Runtime.stream` (``pins=``), which encodes them with :func:`encode_pins` against the compiled
flow's output messages; a flow-test case's ``mocks`` are handed over the same way. The engine then
answers for those canvas ids itself — a unary run uses the pin as the node's output
(``engine/loop.py``), a pipeline run answers every frame reaching the node with it, one out per
frame in (``engine/pipeline.py``) — and the run's events carry ``pinned: true`` on the node's
NODE_STARTED / NODE_COMPLETED and ``pinned: [ids]`` on EXECUTION_STARTED (:func:`pinned_nodes`
reads back which nodes a pin answered).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from axiom_ide.runtime.errors import AxiomError

SUFFIX = ".flow.pins.json"
VERSION = 1
#: ``source`` of a pin typed by hand (a pin from a run says ``execution <id>``).
TYPED = "typed"


@dataclass(frozen=True)
class Pin:
    #: The node's output as JSON (the wire form of its output message).
    output: Any
    #: Where it came from: ``typed`` or ``execution <execution id>``.
    source: str = TYPED

    def to_json(self) -> dict[str, Any]:
        return {"output": self.output, "source": self.source}


def pins_path(flow_path: str | Path) -> Path:
    """``x.flow.yaml`` → ``x.flow.pins.json`` beside it."""
    p = Path(flow_path)
    stem = p.name[: -len(".flow.yaml")] if p.name.endswith(".flow.yaml") else p.stem
    return p.with_name(stem + SUFFIX)


def load_pins(flow_path: str | Path) -> dict[str, Pin]:
    """The pins stored beside ``flow_path`` ({} when there is no pins file). A malformed file raises
    an AxiomError naming the file (and line)."""
    path = pins_path(flow_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise AxiomError.of("pins_invalid", f"unreadable pins file: {exc}", file=str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AxiomError.of("pins_invalid", f"malformed JSON: {exc.msg}", file=str(path), line=exc.lineno) from None
    pins = data.get("pins") if isinstance(data, dict) else None
    if not isinstance(pins, dict):
        raise AxiomError.of("pins_invalid", 'a pins file is an object with a "pins" object (canvas id → pin)',
                            file=str(path), line=1)
    out: dict[str, Pin] = {}
    for node, pin in pins.items():
        if not isinstance(pin, dict) or "output" not in pin:
            raise AxiomError.of("pins_invalid", f'pin "{node}" must be an object with an "output"', file=str(path))
        out[str(node)] = Pin(pin["output"], str(pin.get("source") or TYPED))
    return out


def save_pins(flow_path: str | Path, pins: dict[str, Pin]) -> None:
    """Write the pins beside the flow (atomically, 0600); no pins removes the file."""
    from axiom_ide.runtime.fileio import atomic_write_text

    path = pins_path(flow_path)
    if not pins:
        path.unlink(missing_ok=True)
        return
    doc = {"version": VERSION, "pins": {k: pins[k].to_json() for k in sorted(pins)}}
    atomic_write_text(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n", mode=0o600)


def check_output(descriptor: Any, value: Any) -> str | None:
    """Why ``value`` is not a valid ``descriptor`` message in the JSON mapping (None: it is)."""
    from google.protobuf import json_format, message_factory

    short = descriptor.full_name.rsplit(".", 1)[-1]
    if not isinstance(value, dict):
        return f"invalid JSON for {short}: expected a JSON object, got {type(value).__name__}"
    try:
        json_format.ParseDict(value, message_factory.GetMessageClass(descriptor)())
    except (json_format.ParseError, TypeError, ValueError) as exc:
        return f"invalid JSON for {short}: {exc}"
    return None


def encode_pin(compiled: Any, node_id: str, output: Any) -> bytes:
    """One pin's output JSON as protobuf bytes of ``node_id``'s output message (raises the codec's
    InvalidInput when it is not that message)."""
    node = compiled.plan.nodes[node_id]
    data: bytes = compiled.codec.from_json(output, node.output_type, node.package_key)
    return data


def encode_pins(compiled: Any, pins: dict[str, Any]) -> dict[str, bytes]:
    """Canvas id → output JSON (or :class:`Pin`, or ``bytes`` already encoded with :func:`encode_pin`,
    as flow tests hand their mocks) as protobuf bytes of each node's output message. A canvas id the
    flow does not have, or an output that is not its message, raises AxiomError."""
    from axiom_ide.runtime.engine.codec import InvalidInput

    nodes = compiled.plan.nodes
    out: dict[str, bytes] = {}
    for node_id, value in pins.items():
        output = value.output if isinstance(value, Pin) else value
        if node_id not in nodes:
            raise AxiomError.of("pin_unknown_node", f'pinned node "{node_id}": no node with canvas id "{node_id}" in '
                                f"{compiled.artifact.flow_name} (its nodes: {', '.join(sorted(nodes))})", node=node_id)
        if isinstance(output, bytes):
            out[node_id] = output
            continue
        try:
            out[node_id] = encode_pin(compiled, node_id, output)
        except InvalidInput as exc:
            raise AxiomError.of("pin_invalid", f'pinned output of "{node_id}": {exc}', node=node_id) from None
    return out


def pinned_nodes(events: Any) -> list[str]:
    """The canvas ids a pin answered in a run, in the order they completed (its events'
    NODE_COMPLETED with ``pinned: true``; a top-level node, not a subflow's)."""
    from axiom_ide.runtime.store import events as ev

    seen: list[str] = []
    for e in events:
        if e.type == ev.NODE_COMPLETED and e.node and (e.data or {}).get("pinned") is True and e.node not in seen:
            seen.append(e.node)
    return seen
