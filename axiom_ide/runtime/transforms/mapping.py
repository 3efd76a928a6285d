"""An edge's whole plan: build the destination message from the source node's output.

``evaluate_map({dst_field: plan}, output)`` runs every field plan over the same source output and
collects the results. The first failing field stops the edge: the ``TransformError`` is re-raised
with its ``dst_field`` set, and the engine renders it with ``TransformError.edge_message``
(``edge "a" → "b": EvaluateEdge adapter: transform TRANSFORM_X failed: ...``).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import TransformError
from .parse import parse_plan
from .plan import FieldPlan


def evaluate_map(plans: Mapping[str, FieldPlan | str],
                 source: Mapping[str, Any]) -> dict[str, Any]:
    """Build the destination message dict from ``{dst_field: plan}``.

    Plans may be given as text; text is parsed here (``PlanSyntaxError`` if malformed), but
    callers that evaluate often should parse once and pass ``FieldPlan`` objects.

    Fields whose plan yields ``None`` (an unset source) are left out so the destination keeps its
    default. A failure re-raises as ``TransformError`` with ``dst_field`` set; the engine prefixes
    it with ``TransformError.edge_message``.
    """
    out: dict[str, Any] = {}
    for dst_field, plan in plans.items():
        if isinstance(plan, str):
            plan = parse_plan(plan)
        try:
            value = plan.evaluate(source)
        except TransformError as exc:
            raise exc.with_field(dst_field) from exc
        if value is not None:
            out[dst_field] = value
    return out
