"""Per-tenant daily usage: how many invocations and executions a tenant drew on one UTC day.

The server's daily quotas (reference/http-api "Daily quotas") count here, in the ``tenant_usage``
table, so the budgets survive a restart. :meth:`UsageStore.reserve` checks and counts in one
transaction: a request that would exceed either cap is refused and counts nothing. ``day`` is the
UTC date ``YYYY-MM-DD``; a new day is a new row, which is the midnight-UTC reset.
"""
from __future__ import annotations

import datetime as dt

from axiom_ide.runtime.store.db import Database

INVOCATIONS = "invocations"
EXECUTIONS = "executions"


def utc_day(now: float) -> str:
    """The UTC date of unix time ``now`` as ``YYYY-MM-DD``."""
    return dt.datetime.fromtimestamp(now, dt.UTC).date().isoformat()


def seconds_to_utc_midnight(now: float) -> int:
    """Whole seconds (at least 1) until the next midnight UTC, when the daily budgets reset."""
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    midnight = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), dt.UTC).timestamp()
    return max(1, int(-(-(midnight - now) // 1)))


class UsageStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, tenant_id: str, day: str) -> dict[str, int]:
        """{"invocations": n, "executions": m} drawn by ``tenant_id`` on ``day``."""
        with self.db.lock:
            row = self.db.conn.execute("SELECT invocations, executions FROM tenant_usage WHERE tenant_id = ? "
                                       "AND day = ?", (tenant_id, day)).fetchone()
        return {INVOCATIONS: row[0] if row else 0, EXECUTIONS: row[1] if row else 0}

    def reserve(self, tenant_id: str, day: str, *, invocations: int = 0, executions: int = 0,
                invocation_cap: int | None = None, execution_cap: int | None = None) -> str | None:
        """Count ``invocations``/``executions`` unless that would pass a cap (None = no cap).

        Returns None when counted, else the budget that is exhausted (:data:`INVOCATIONS` or
        :data:`EXECUTIONS`) — and then nothing is counted.
        """
        with self.db.transaction() as conn:
            row = conn.execute("SELECT invocations, executions FROM tenant_usage WHERE tenant_id = ? AND day = ?",
                               (tenant_id, day)).fetchone()
            used_inv, used_exe = (row[0], row[1]) if row else (0, 0)
            if invocations and invocation_cap is not None and used_inv + invocations > invocation_cap:
                return INVOCATIONS
            if executions and execution_cap is not None and used_exe + executions > execution_cap:
                return EXECUTIONS
            conn.execute(
                "INSERT INTO tenant_usage (tenant_id, day, invocations, executions) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (tenant_id, day) DO UPDATE SET invocations = invocations + excluded.invocations, "
                "executions = executions + excluded.executions", (tenant_id, day, invocations, executions))
        return None

    def release(self, tenant_id: str, day: str, *, invocations: int = 0, executions: int = 0) -> None:
        """Give back a reservation whose request was rejected before any compute ran."""
        with self.db.transaction() as conn:
            conn.execute("UPDATE tenant_usage SET invocations = MAX(0, invocations - ?), "
                         "executions = MAX(0, executions - ?) WHERE tenant_id = ? AND day = ?",
                         (invocations, executions, tenant_id, day))
