"""Does an implementation keep a Protocol's promises? Method by method: present, same parameters
(names and kinds; optional where the protocol's are; extra ones only optional), and async where the
protocol is async. Default values may differ (``None`` for "the store's own setting", say)."""
from __future__ import annotations

import inspect
from typing import Any


def protocol_methods(protocol: type) -> list[str]:
    return sorted(n for n, m in vars(protocol).items() if not n.startswith("_") and callable(m))


def protocol_gaps(protocol: type, obj: Any) -> dict[str, str]:
    """Each method of ``protocol`` that ``obj`` lacks or implements differently: name → how."""
    gaps: dict[str, str] = {}
    for name in protocol_methods(protocol):
        want, got = getattr(protocol, name), getattr(type(obj), name, None)
        if got is None:
            gaps[name] = "missing"
            continue
        if inspect.iscoroutinefunction(want) != inspect.iscoroutinefunction(got):
            gaps[name] = "async" if inspect.iscoroutinefunction(want) else "not async"
            continue
        params = [_shape(p) for p in inspect.signature(want).parameters.values()]
        impl = list(inspect.signature(got).parameters.values())
        extra = impl[len(params):]
        if [_shape(p) for p in impl[:len(params)]] != params or any(
                p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in extra):
            gaps[name] = f"{inspect.signature(got)} is not {inspect.signature(want)}"
    return gaps


def _shape(p: inspect.Parameter) -> tuple[str, Any, bool]:
    return p.name, p.kind, p.default is not inspect.Parameter.empty
