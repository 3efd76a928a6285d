"""The analysis as the canvas shows it: which card is red, which edge amber, with which texts.

Pure functions over the document's analysis (no Qt): the scene applies their results to items.
An edge is "error" (red) when a diagnostic on it is an error, else "warning" (amber) when its
EdgeCheck is not ok — each issue as "field: message" — or a warning is located on it; else "ok".
"""
from __future__ import annotations

import html
import re
from typing import Any

from axiom_ide.runtime.errors import Severity

_CODE_SPAN = re.compile(r"`([^`\n]+)`")

EdgeKey = tuple[str, str]
#: (error messages, warning messages) of one card or edge.
Messages = tuple[list[str], list[str]]


def split_diagnostics(analysis: Any) -> tuple[dict[str, Messages], dict[EdgeKey, Messages]]:
    """Diagnostics by the card and by the edge they are located on (others are not drawn)."""
    nodes: dict[str, Messages] = {}
    edges: dict[EdgeKey, Messages] = {}
    for d in getattr(analysis, "diagnostics", []):
        loc = d.location
        if loc.edge is not None:
            bucket = edges.setdefault(tuple(loc.edge), ([], []))
        elif loc.node is not None:
            bucket = nodes.setdefault(loc.node, ([], []))
        else:
            continue
        bucket[0 if d.severity is Severity.ERROR else 1].append(d.message)
    return nodes, edges


def edge_state(check: Any, errors: list[str], warnings: list[str]) -> tuple[str, list[str]]:
    """("ok" | "warning" | "error", the messages for the tooltip) of one edge."""
    messages = list(errors)
    state = "error" if errors else "ok"
    if check is not None and not getattr(check, "ok", not check.issues):
        for issue in check.issues:
            messages.append(f"{issue.dst_field}: {issue.message}" if issue.dst_field else issue.message)
        state = state if state == "error" else "warning"
    elif warnings:
        messages += warnings
        state = state if state == "error" else "warning"
    return state, messages


def code_html(text: str) -> str:
    """A message as rich text: escaped, its Markdown code spans (`Text`) as ``<code>`` (the docs'
    messages name fields and types that way), line breaks as ``<br>``."""
    escaped = html.escape(text, quote=False)
    return _CODE_SPAN.sub(r"<code>\1</code>", escaped).replace("\n", "<br>")
