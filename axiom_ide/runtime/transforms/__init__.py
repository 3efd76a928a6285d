"""Edge plans: ``src.path | transform(args) | ...`` per destination field.

An edge whose message types differ carries a plan ``{dst_field: expression}``. This package parses
each expression (:func:`parse_plan` → :class:`FieldPlan`), checks its arguments without data
(``FieldPlan.static_errors``), works out the kind it produces (``FieldPlan.result_kind``, used by
:mod:`axiom_ide.runtime.typecheck`) and runs it (``FieldPlan.evaluate`` / :func:`evaluate_map`).
All user-facing texts are the error catalog's "Edge transform errors", verbatim.

Modules: ``parse`` (grammar), ``plan`` (the immutable plan and evaluation), ``mapping`` (a
whole edge's ``{dst_field: plan}``), ``functions`` (the transforms), ``kinds`` (value kinds and compatibility), ``values`` (python-value helpers),
``errors``.
"""
from .errors import EDGE_ADAPTER, PlanSyntaxError, TransformError
from .functions import ALIASES, CAST_KINDS, TRANSFORMS, TransformSpec
from .mapping import evaluate_map
from .parse import parse_plan
from .plan import FieldPlan, TransformStep

__all__ = [
    "ALIASES", "CAST_KINDS", "EDGE_ADAPTER", "FieldPlan", "PlanSyntaxError", "TRANSFORMS",
    "TransformError", "TransformSpec", "TransformStep", "evaluate_map", "parse_plan",
]
