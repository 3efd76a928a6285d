"""Limits on every YAML document the runtime reads (flow.yaml, axiom.yaml).

YAML's anchors and aliases let a few hundred bytes stand for gigabytes ("billion laughs": each
alias repeats a node that repeats the one before), and nesting has no natural bound, while the
parsers recurse per level. So, whatever the source — a file, the editor, ``POST /api/compile``:

- a document may be at most :data:`MAX_BYTES` long (UTF-8);
- anchors (``&a``) and aliases (``*a``, ``<<: *a``) are refused — neither file format uses them;
- collections may nest at most :data:`MAX_DEPTH` deep (flow.yaml needs 4, axiom.yaml 4).

A refusal is an :class:`~axiom_ide.runtime.errors.AxiomError` naming the file and line:column
(codes ``yaml_size``, ``yaml_alias``, ``yaml_depth``). Before ruamel reads a document, libyaml
(C) scans its events — ruamel looks far ahead while scanning, so on its own it would spend a
second on a few kilobytes of ``[[[[...`` before composing the first too-deep level; the scan stops at
once, and costs ~2% of a round-trip load (~25% of a libyaml load, :func:`check_fast`). Where
libyaml is missing or cannot parse the text, ruamel's composer enforces the same limits itself.
"""
from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent

from axiom_ide.runtime.errors import AxiomError

#: The largest YAML document read, in bytes of UTF-8 (a 20,000-node flow is ~2 MB).
MAX_BYTES = 4 * 1024 * 1024
#: The deepest nesting of collections (maps and lists) read.
MAX_DEPTH = 64


class _Refused(Exception):
    """A limit was hit at ``mark`` (a ruamel mark: 0-based line and column)."""

    def __init__(self, code: str, message: str, mark: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.mark = code, message, mark


# The refusals, from an event of either parser (both have .anchor and .start_mark).
def _alias(event: Any) -> _Refused:
    return _Refused("yaml_alias", f"YAML aliases are not supported (found *{event.anchor})", event.start_mark)


def _anchor(event: Any) -> _Refused:
    return _Refused("yaml_alias", f"YAML anchors are not supported (found &{event.anchor})", event.start_mark)


def _too_deep(event: Any) -> _Refused:
    return _Refused("yaml_depth", f"YAML nested deeper than {MAX_DEPTH} levels", event.start_mark)


class _GuardedComposer(Composer):
    """ruamel's composer, refusing anchors and aliases and counting collection depth."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.nesting = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            raise _alias(event)
        if event.anchor is not None:
            raise _anchor(event)
        if not isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            return super().compose_node(parent, index)
        self.nesting += 1
        try:
            if self.nesting > MAX_DEPTH:
                raise _too_deep(event)
            return super().compose_node(parent, index)
        finally:
            self.nesting -= 1


def guarded(yaml: YAML) -> YAML:
    """``yaml`` (a ruamel ``YAML``) with the limits enforced by :func:`load` (returned for chaining)."""
    yaml.Composer = _GuardedComposer
    return yaml


def _size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def check_size(nbytes: int, file: str | None, *, code: str = "yaml_size") -> None:
    """Refuse a document of ``nbytes`` bytes over :data:`MAX_BYTES` (before reading it, for files)."""
    if nbytes > MAX_BYTES:
        raise AxiomError.of(code, f"YAML document too large ({nbytes:,} bytes; the limit is {MAX_BYTES:,})",
                            file=file)


def load(yaml: YAML, text: str, file: str | None) -> Any:
    """Parse ``text`` with ``yaml`` within the limits. A refusal raises AxiomError (``yaml_size``,
    ``yaml_alias`` or ``yaml_depth``) at ``file``:line:column; syntax errors propagate as ruamel's."""
    check_size(_size(text), file)
    if _libyaml() is not None:  # libyaml finds a refusal in a fraction of ruamel's time
        try:
            _raise(_scan(text, _libyaml()), file)
        except _Unreadable:
            pass  # a syntax error: ruamel reports it with its position
    guarded(yaml)
    try:
        return yaml.load(text)
    except _Refused as exc:
        _raise(exc, file)


def check_fast(text: str, loader: Any, file: str | None) -> bool:
    """Before a load with ``loader`` (a PyYAML loader class): raise the refusal of ``text`` as
    :func:`load` would, or say whether ``loader`` can read it (False for a syntax error, which the
    round-trip reader reports with its position)."""
    check_size(_size(text), file)
    try:
        _raise(_scan(text, loader), file)
    except _Unreadable:
        return False
    return True


class _Unreadable(Exception):
    pass


def _raise(refusal: _Refused | None, file: str | None) -> None:
    if refusal is None:
        return
    mark = refusal.mark
    raise AxiomError.of(refusal.code, refusal.message, file=file,
                        line=mark.line + 1 if mark is not None else None,
                        column=mark.column + 1 if mark is not None else None) from None


def _libyaml() -> Any:
    """PyYAML's libyaml (C) loader, or None where PyYAML was built without it."""
    import yaml

    return getattr(yaml, "CBaseLoader", None)


def _scan(text: str, loader: Any) -> _Refused | None:
    """The first limit ``text`` breaks, by a scan of PyYAML's events (the parse without building
    anything). Raises :class:`_Unreadable` if PyYAML cannot parse it."""
    import yaml

    starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    depth = 0
    event: Any  # the concrete event classes carry .anchor; the scan dispatches on type() for speed
    try:
        for event in yaml.parse(text, Loader=loader):
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if event.anchor is not None:
                    return _anchor(event)
            elif kind in starts:
                if event.anchor is not None:
                    return _anchor(event)
                depth += 1
                if depth > MAX_DEPTH:
                    return _too_deep(event)
            elif kind in ends:
                depth -= 1
            elif kind is yaml.AliasEvent:
                return _alias(event)
    except yaml.MarkedYAMLError as exc:
        if exc.problem == "exceeded maximum nesting depth":  # libyaml's own limit (1000), scanning ahead
            return _Refused("yaml_depth", f"YAML nested deeper than {MAX_DEPTH} levels", exc.problem_mark)
        raise _Unreadable from None
    except yaml.YAMLError:
        raise _Unreadable from None
    return None
