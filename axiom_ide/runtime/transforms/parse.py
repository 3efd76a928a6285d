"""Parse edge-plan text into a :class:`~.plan.FieldPlan`.

Grammar (whitespace is allowed between tokens)::

    plan    = source { "|" step }
            | cel_call { "|" step }          (* a plan may start with cel(...) alone *)
    source  = name { "." segment }           (* a dotted path into the source output *)
    segment = name | digits                  (* digits index a repeated field, from 0 *)
    step    = name [ "(" [ arg { "," arg } ] ")" ]
    arg     = string | number | word
    string  = '"' chars '"'                  (* JSON escapes: \\n \\" \\\\ \\u00e9 ... *)
    number  = [ "-" ] digits [ "." digits ] [ ("e"|"E") [ "+"|"-" ] digits ]
    word    = name { "." segment }           (* a bare word reads as a string: cast(int32) *)
    name    = letter-or-underscore { letter | digit | "_" }

Transform names are case-insensitive (the canvas shows them upper-case) and stored lower-case.
Numbers without a fraction or exponent are integers. Every error is a :class:`PlanSyntaxError`
with a 1-based column.
"""
from __future__ import annotations

import json
import re

from . import functions
from .errors import PlanSyntaxError
from .plan import Arg, FieldPlan, TransformStep

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIGITS = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def parse_plan(text: str) -> FieldPlan:
    """Parse plan text; raises ``PlanSyntaxError``."""
    return _Parser(text).plan()


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    # --- helpers ---------------------------------------------------------------------------

    def error(self, message: str, pos: int | None = None) -> PlanSyntaxError:
        return PlanSyntaxError(message, (self.pos if pos is None else pos) + 1, self.text)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def describe_here(self) -> str:
        ch = self.peek()
        return "end of plan" if ch == "" else f"{ch!r}"

    def expect(self, ch: str, what: str) -> None:
        if self.peek() != ch:
            raise self.error(f"expected {what}, found {self.describe_here()}")
        self.pos += 1

    def name(self, what: str) -> str:
        self.skip_space()
        found = _NAME.match(self.text, self.pos)
        if not found:
            raise self.error(f"expected {what}, found {self.describe_here()}")
        self.pos = found.end()
        return found.group()

    def path_tail(self, first: str) -> tuple[str, ...]:
        """``first`` then ``.segment`` repeats, with no spaces inside the path."""
        segments = [first]
        while self.pos < len(self.text) and self.text[self.pos] == ".":
            self.pos += 1
            found = _NAME.match(self.text, self.pos) or _DIGITS.match(self.text, self.pos)
            if not found:
                raise self.error("expected a field name or list index after '.'")
            segments.append(found.group())
            self.pos = found.end()
        return tuple(segments)

    # --- grammar ---------------------------------------------------------------------------

    def plan(self) -> FieldPlan:
        if self.peek() == "":
            raise self.error("empty plan: expected a source field, e.g. greeting | upper")
        start = self.pos
        first = self.name("a source field name")
        steps: list[TransformStep] = []
        if self.peek() == "(":
            self.pos = start
            head = self.step()
            if head.name != "cel":
                raise self.error(
                    f"a plan starts with a source field; only cel(...) may stand alone, "
                    f"found {head.name}(...)", start)
            source = None
            steps.append(head)
        else:
            self.pos = start + len(first)
            source = self.path_tail(first)
        while self.peek() != "":
            if self.peek() != "|":
                raise self.error("expected '|' before the next transform, "
                                 f"found {self.describe_here()}")
            self.pos += 1
            steps.append(self.step())
        return FieldPlan(source, tuple(steps))

    def step(self) -> TransformStep:
        self.skip_space()
        start = self.pos
        raw = self.name("a transform name")
        name = raw.lower()
        if functions.canonical_name(name) not in functions.TRANSFORMS:
            known = ", ".join(functions.TRANSFORMS)
            raise self.error(f"unknown transform {raw!r} (known: {known})", start)
        args: list[Arg] = []
        if self.peek() == "(":
            self.pos += 1
            if self.peek() != ")":
                args.append(self.arg())
                while self.peek() == ",":
                    self.pos += 1
                    args.append(self.arg())
            self.expect(")", "',' or ')'")
        return TransformStep(name, tuple(args))

    def arg(self) -> Arg:
        ch = self.peek()
        if ch == '"':
            return self.string()
        if ch == "-" or ch.isdigit():
            found = _NUMBER.match(self.text, self.pos)
            if not found:
                raise self.error("expected a number")
            self.pos = found.end()
            literal = found.group()
            if found.group(1) is None and found.group(2) is None:
                return int(literal)
            return float(literal)
        if _NAME.match(self.text, self.pos):
            first = self.name("an argument")
            return ".".join(self.path_tail(first))
        raise self.error(f"expected an argument (a \"string\", a number or a word), "
                         f"found {self.describe_here()}")

    def string(self) -> str:
        start = self.pos
        i = start + 1
        while i < len(self.text):
            ch = self.text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                break
            i += 1
        else:
            raise self.error("unterminated string", start)
        literal = self.text[start:i + 1]
        try:
            value = json.loads(literal, strict=False)
        except json.JSONDecodeError as exc:
            raise self.error(f"invalid escape in string: {exc.msg}", start + exc.pos) from None
        self.pos = i + 1
        return value
