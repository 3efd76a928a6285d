"""Packages and flows for the execution-model tests (reflection, compensation, runtime mutation):
real packages the node hosts run, written into the example workspace."""
from __future__ import annotations

from pathlib import Path

from engine_support import write_package

PROBE_MANIFEST = """\
name: tests/probe
version: 0.1.0
language: python
description: Nodes that report what the platform tells them.
nodes:
  - {name: Look, input: Probe, output: Probe}
  - {name: Fail, input: Probe, output: Probe}
  - {name: Undo, input: Probe, output: Probe}
  - {name: UndoFails, input: Probe, output: Probe}
  - {name: UndoOnce, input: Probe, output: Probe}
  - {name: Grow, input: Probe, output: Probe, mutation_capable: true}
  - {name: GrowPlain, input: Probe, output: Probe}
  - {name: Other, input: Other, output: Other}
"""

PROBE_PROTO = """\
syntax = "proto3";
package tests.probe;
message Probe { int64 n = 1; repeated string seen = 2; string mode = 3; }
message Other { string x = 1; }
"""

_LOOK = '''\
import json
from gen.messages_pb2 import Probe


def look(ax, input):
    flow = ax.reflection.flow
    pos = flow.position
    me = next(n for n in flow.nodes if n.instance_id == pos.current_instance)
    edges = [{"id": e.canvas_edge_id, "summary": None if e.condition_summary is None else
              [e.condition_summary.field, e.condition_summary.op, e.condition_summary.operands]}
             for e in list(flow.edges) + list(flow.loop_edges)]
    record = {"node": me.canvas_node_id, "ulid": me.node_ulid, "graph_id": flow.graph_id,
              "depth": pos.depth, "stack": list(pos.subflow_stack_graph_ids),
              "loops": {str(k): v for k, v in pos.loop_iterations.items()}, "edges": edges}
    return Probe(n=input.n + 1, seen=list(input.seen) + [json.dumps(record)], mode=input.mode)
'''

PROBE_NODES = {
    "look": _LOOK,
    "fail": "def fail(ax, input):\n    raise RuntimeError('payment declined at step ' + str(input.n))\n",
    "undo": ("from gen.messages_pb2 import Probe\n"
             "def undo(ax, input):\n    return Probe(n=input.n, seen=list(input.seen) + ['undone'])\n"),
    "undo_once": ("import time\nfrom gen.messages_pb2 import Probe\n"
                  "def undo_once(ax, input):\n"
                  "    value, ok = ax.secrets.get('HANG')\n"
                  "    if ok and value == 'yes':  # the config says hang (the test stops the runtime)\n"
                  "        ax.log.info('hanging')\n"
                  "        time.sleep(60)\n"
                  "    return Probe(n=input.n, seen=list(input.seen) + ['undone once'])\n"),
    "undo_fails": "def undo_fails(ax, input):\n    raise RuntimeError('refund service down')\n",
    "grow": '''\
from gen.messages_pb2 import Probe


def grow(ax, input):
    me = ax.reflection.flow.position.current_instance
    if input.mode == "cycle":
        ax.mutation.flow.add_edge(src_instance=me, dst_instance=1)
    elif input.mode.startswith("when-"):
        added = ax.mutation.flow.add_node(package="tests/probe", version="0.1.0", node="Look")
        ax.mutation.flow.add_edge(src_instance=me, dst_instance=added,
                                  condition={"op": "EQ", "field": "mode", "value": "when-yes"})
    elif input.mode == "no-node":
        ax.mutation.flow.add_node(package="tests/probe", version="0.1.0")
    elif input.mode == "no-package":
        ax.mutation.flow.add_node(package="tests/nope", version="9.9.9", node="X")
    elif input.mode == "mismatch":
        other = ax.mutation.flow.add_node(package="tests/probe", version="0.1.0", node="Other")
        ax.mutation.flow.add_edge(src_instance=me, dst_instance=other)
    else:
        added = ax.mutation.flow.add_node(package="tests/probe", version="0.1.0", node="Look")
        ax.mutation.flow.add_edge(src_instance=me, dst_instance=added)
    return Probe(n=input.n + 1, seen=list(input.seen) + ["grew"], mode=input.mode)
''',
    "grow_plain": '''\
from gen.messages_pb2 import Probe


def grow_plain(ax, input):
    try:
        ax.mutation.flow.add_node(package="tests/probe", version="0.1.0")
    except Exception as exc:
        return Probe(n=input.n, seen=[type(exc).__name__ + ": " + exc.message])
    return Probe(n=input.n, seen=["no error"])
''',
    "other": "from gen.messages_pb2 import Other\ndef other(ax, input):\n    return Other(x=input.x)\n",
}


def add_probe_package(workspace: Path) -> Path:
    return write_package(workspace, "probe", PROBE_MANIFEST, PROBE_PROTO, PROBE_NODES)
