"""The flow document model (flow.yaml v1) — the truth the canvas, compiler and engine all read.

- :mod:`.flow` — ``Flow``, ``FlowNode``, ``FlowEdge`` and their change events.
- :mod:`.refs` — parsing ``package@version:Node`` and ``flow:<name>`` references.
- :mod:`.flow_yaml` — load/save with ruamel round-trip (comments, key order kept).
- :mod:`.validate` — structural checks with file:line:column locations.
"""
from axiom_ide.runtime.model.flow import Flow, FlowEdge, FlowMode, FlowNode
from axiom_ide.runtime.model.refs import NodeRef, parse_node_ref

__all__ = ["Flow", "FlowEdge", "FlowNode", "FlowMode", "NodeRef", "parse_node_ref"]
