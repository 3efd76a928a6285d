"""The Console's Usage numbers (guides/api-keys.md, Monitor usage) for one tenant: the last 30 UTC
days of executions — total, succeeded, failed (ended in failure, cancelled or compensating), the
mean duration of completed runs, per day — and, when daily limits are on, today's quota use
(reference/http-api.md, Daily quotas). Read by ``LocalConsole.usage`` and the server's
``GET /api/usage`` alike. No Qt here.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from axiom_ide.runtime.store import executions as ex

#: Days the Usage page covers.
USAGE_DAYS = 30
DAY_S = 86400


@dataclass
class Usage:
    """The Usage page's numbers for the last :data:`USAGE_DAYS` days (UTC days, oldest first)."""

    executions: int = 0
    succeeded: int = 0
    failed: int = 0
    #: Mean wall-clock ms of completed runs (None when there is none).
    avg_duration_ms: float | None = None
    #: (``YYYY-MM-DD``, total, succeeded, failed) per day; in-flight runs count toward the total only.
    days: list[tuple[str, int, int, int]] = field(default_factory=list)
    #: Today's daily budgets when limits are on: {"invocations": (used, limit), "executions": (used,
    #: limit)} (a None limit: that budget is off); None when no daily limit applies.
    quotas: dict[str, tuple[int, int | None]] | None = None
    #: Seconds until the budgets reset (midnight UTC), with ``quotas``.
    resets_in_seconds: int | None = None

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.executions * 100 if self.executions else None


def usage_report(runtime: Any, tenant: str, *, now: float | None = None,
                 daily_invocations: int | None = None, daily_executions: int | None = None) -> Usage:
    """``tenant``'s Usage; the two daily limits (None: off) add today's quota use when either is on."""
    from axiom_ide.runtime.store.usage import EXECUTIONS, INVOCATIONS, seconds_to_utc_midnight, utc_day

    now = time.time() if now is None else now
    first = (int(now) // DAY_S - (USAGE_DAYS - 1)) * DAY_S
    names = [time.strftime("%Y-%m-%d", time.gmtime(first + i * DAY_S)) for i in range(USAGE_DAYS)]
    per_day = {n: [0, 0, 0] for n in names}
    result, durations, offset = Usage(), [], 0
    while True:
        page = runtime.list_executions(tenant_id=tenant, limit=500, offset=offset)
        for rec in page:
            if rec.created_at < first:
                continue
            row = per_day.get(time.strftime("%Y-%m-%d", time.gmtime(rec.created_at)))
            if row is None:
                continue
            row[0] += 1
            result.executions += 1
            if rec.status == ex.COMPLETED:
                row[1] += 1
                result.succeeded += 1
                if rec.duration_ms is not None:
                    durations.append(rec.duration_ms)
            elif rec.status in (ex.FAILED, ex.CANCELLED, ex.COMPENSATING):
                row[2] += 1
                result.failed += 1
        if len(page) < 500 or page[-1].created_at < first:
            break
        offset += 500
    result.avg_duration_ms = sum(durations) / len(durations) if durations else None
    result.days = [(n, *per_day[n]) for n in names]  # type: ignore[misc]
    if daily_invocations is not None or daily_executions is not None:
        used = runtime.usage().get(tenant, utc_day(now))
        result.quotas = {"invocations": (used[INVOCATIONS], daily_invocations),
                         "executions": (used[EXECUTIONS], daily_executions)}
        result.resets_in_seconds = seconds_to_utc_midnight(now)
    return result
