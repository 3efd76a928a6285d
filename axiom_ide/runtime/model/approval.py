"""The ``approval:`` key of a flow node: a human-in-the-loop gate before the node runs.

```yaml
nodes:
  - id: publish
    node: acme@1.0.0:Publish
    approval: {prompt: "Publish this post?", timeout: 1h, on_timeout: reject}
```

``prompt`` (text shown to the approver; default :data:`DEFAULT_PROMPT`), ``timeout`` (a duration —
``90``, ``45s``, ``30m``, ``1h``, ``2d``, or ``1h30m`` — or absent: the pause waits indefinitely) and
``on_timeout`` (``reject``, the default, or ``approve``) and ``approvers`` (API key names that may
resume over HTTP; absent = any key of the tenant). :func:`parse_approval` turns the raw
mapping into an :class:`Approval` and the problems it has (key path, message), which
``validate.py`` reports with file:line:column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

APPROVAL_KEYS = ("prompt", "timeout", "on_timeout", "approvers")
ON_TIMEOUT = ("reject", "approve")
DEFAULT_PROMPT = "Approve this step?"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION_RE = re.compile(r"^(?:\d+(?:\.\d+)?[smhd])+$")


@dataclass(frozen=True)
class Approval:
    prompt: str = DEFAULT_PROMPT
    #: Seconds the pause waits before ``on_timeout`` applies; None = indefinitely.
    timeout_seconds: float | None = None
    on_timeout: str = "reject"
    #: API key names that may resume over HTTP; () = any key of the tenant. The local operator (IDE,
    #: CLI on the data dir) and a pause's resume webhook token always may.
    approvers: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"prompt": self.prompt, "timeout_seconds": self.timeout_seconds, "on_timeout": self.on_timeout,
                "approvers": list(self.approvers)}


def parse_duration(value: Any) -> float:
    """Seconds of ``90`` / ``"45s"`` / ``"1h30m"``; raises ValueError naming the bad value."""
    if isinstance(value, bool):
        raise ValueError(f"timeout must be a duration like 30s, 15m, 1h or 2d, not {value!r}")
    if isinstance(value, (int, float)):
        if value <= 0:
            raise ValueError(f"timeout must be positive, not {value!r}")
        return float(value)
    text = str(value).strip().lower()
    if not _DURATION_RE.match(text):
        raise ValueError(f"timeout must be a duration like 30s, 15m, 1h or 2d, not {value!r}")
    total = sum(float(n) * _UNITS[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)([smhd])", text))
    if total <= 0:
        raise ValueError(f"timeout must be positive, not {value!r}")
    return total


def parse_approval(raw: Any) -> tuple[Approval | None, list[tuple[tuple[str, ...], str]]]:
    """(the approval, or None when it cannot be used; problems as (key path below ``approval``, text)).
    ``approval: true`` is an approval with the defaults."""
    if raw is True:
        return Approval(), []
    if not isinstance(raw, dict):
        return None, [((), 'approval must be a mapping, e.g. {prompt: "Publish?", timeout: 1h, on_timeout: reject}')]
    problems: list[tuple[tuple[str, ...], str]] = []
    for key in raw:
        if key not in APPROVAL_KEYS:
            problems.append(((str(key),), f'unknown approval key "{key}" (known: {", ".join(APPROVAL_KEYS)})'))
    prompt = raw.get("prompt", DEFAULT_PROMPT)
    if not isinstance(prompt, str) or not prompt.strip():
        problems.append((("prompt",), "approval prompt must be a non-empty text"))
        prompt = DEFAULT_PROMPT
    timeout = None
    if raw.get("timeout") is not None:
        try:
            timeout = parse_duration(raw["timeout"])
        except ValueError as exc:
            problems.append((("timeout",), f"approval {exc}"))
    on_timeout = raw.get("on_timeout", "reject")
    if on_timeout not in ON_TIMEOUT:
        problems.append((("on_timeout",), f'approval on_timeout must be "reject" or "approve", not {on_timeout!r}'))
        on_timeout = "reject"
    approvers = raw.get("approvers", [])
    if not isinstance(approvers, list) or not all(isinstance(a, str) and a.strip() for a in approvers):
        problems.append((("approvers",), "approval approvers must be a list of API key names, e.g. [ops, alice]"))
        approvers = []
    fatal = any(path and path[0] in APPROVAL_KEYS for path, _ in problems)
    return (None if fatal else Approval(prompt.strip(), timeout, on_timeout,
                                        tuple(a.strip() for a in approvers))), problems
