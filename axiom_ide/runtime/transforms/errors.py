"""The two ways an edge plan goes wrong.

* :class:`PlanSyntaxError` — the plan text does not follow the grammar (see :mod:`.parse`). It
  carries a 1-based ``column`` so editors can put a caret under the problem.
* :class:`TransformError` — a transform step refused its arguments or its input value. Its
  ``str()`` is exactly the error catalog's ``transform TRANSFORM_<NAME> failed: <message>``;
  :meth:`TransformError.edge_message` adds the engine's ``edge "a" → "b": EvaluateEdge adapter:``
  prefix so every caller renders the same text.
"""
from __future__ import annotations

from ..errors import Diagnostic, error

#: Diagnostic code for a failing edge adapter (the result panel's failure kind).
EDGE_ADAPTER = "EDGE_ADAPTER"


class PlanSyntaxError(ValueError):
    """The plan text is not well formed. ``str()`` is ``"<message> (column N)"``."""

    def __init__(self, message: str, column: int, text: str = ""):
        #: What is wrong, without the position.
        self.message = message
        #: 1-based column of the offending character in ``text``.
        self.column = column
        #: The plan text that failed to parse.
        self.text = text
        super().__init__(f"{message} (column {column})")


class TransformError(Exception):
    """A transform step failed. ``str()`` is ``transform TRANSFORM_<NAME> failed: <message>``."""

    def __init__(self, transform: str, message: str, dst_field: str | None = None):
        #: Canonical transform name in lower case (``multiply`` for ``mult`` too).
        self.transform = transform
        #: The catalog message, e.g. ``prefix needs a string to prepend, e.g. prefix("hi ")``.
        self.message = message
        #: Destination field whose mapping failed; set by ``evaluate_map``.
        self.dst_field = dst_field
        super().__init__(f"transform TRANSFORM_{transform.upper()} failed: {message}")

    def with_field(self, dst_field: str) -> TransformError:
        return TransformError(self.transform, self.message, dst_field)

    def edge_message(self, src_id: str, dst_id: str) -> str:
        """The full flow-run error text for this failure on edge ``src_id → dst_id``."""
        return f'edge "{src_id}" → "{dst_id}": EvaluateEdge adapter: {self}'

    def to_diagnostic(self, src_id: str, dst_id: str) -> Diagnostic:
        return error(EDGE_ADAPTER, self.edge_message(src_id, dst_id),
                     edge=(src_id, dst_id), path=self.dst_field)
