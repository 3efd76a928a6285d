"""Fan-out branches draw from the daily execution quota (reference/http-api "Daily quotas": "A
fan-out into 10 branches costs 10 executions").

At startup the server hands the runtime ``budget(tenant, n)`` (``Runtime.set_execution_budget``):
it reserves ``n`` executions in the tenant's ``tenant_usage`` row for the day, or returns the quota
text — ``daily executions quota exceeded (cap N)``, the message of the 429 body — which fails the
run mid-flight (engine/gates.py). With limits off, or no daily execution cap, nothing is counted.
"""
from __future__ import annotations

import sqlite3
import time

from aiohttp import web

from axiom_ide.runtime.store.usage import EXECUTIONS, utc_day
from axiom_ide.server.app import STATE
from axiom_ide.server.limits import limiter_for


def setup(app: web.Application) -> None:
    app.on_startup.append(_install)
    app.on_cleanup.append(_uninstall)


async def _install(app: web.Application) -> None:
    limiter = limiter_for(app)
    if limiter is None or limiter.limits.daily_executions is None:
        return
    cap = limiter.limits.daily_executions
    usage = limiter.usage

    def budget(tenant: str, n: int) -> str | None:
        try:
            exhausted = usage.reserve(tenant, utc_day(time.time()), executions=n, execution_cap=cap)
        except sqlite3.Error:
            return "quota_unavailable: the quota service could not be reached"
        return f"daily executions quota exceeded (cap {cap})" if exhausted == EXECUTIONS else None

    app[STATE].runtime.set_execution_budget(budget)


async def _uninstall(app: web.Application) -> None:
    app[STATE].runtime.set_execution_budget(None)
