"""``GET /api/usage`` — the caller's tenant's Usage (guides/api-keys.md, Monitor usage): the last
30 UTC days of executions (total, succeeded, failed, mean duration of completed runs, per day) and,
when the server runs with daily limits (``serve --limits``), today's quota use: ``quotas``
``{"invocations": {"used", "limit"}, "executions": {"used", "limit"}}`` and ``resets_in_seconds``
(to midnight UTC, reference/http-api.md "Daily quotas"); ``quotas`` is null with limits off. The
numbers come from :func:`axiom_ide.runtime.usage_report.usage_report`, as the IDE's local Console reads them.
"""
from __future__ import annotations

from aiohttp import web
from pydantic import Field

from axiom_ide.runtime.usage_report import usage_report
from axiom_ide.server.app import STATE, TENANT
from axiom_ide.server.envelope import json_response
from axiom_ide.server.response_models import Reply, content, respond
from axiom_ide.server.routes import RouteTable


def bad_argument(message: str) -> web.Response:
    return json_response({"error": "invalid_argument", "message": message}, status=400)


ROUTES = RouteTable(invalid=bad_argument, bad_json=lambda detail: bad_argument(f"request body is not valid JSON: {detail}"),
                    not_an_object="request body must be a JSON object")
route = ROUTES.route


class UsageDay(Reply):
    day: str = Field(description="UTC date YYYY-MM-DD")
    total: int = Field(description="executions started that day (in-flight runs count here only)")
    succeeded: int
    failed: int = Field(description="ended in failure, cancelled, or ended while compensating")


class QuotaUse(Reply):
    used: int = Field(description="drawn today (UTC)")
    limit: int | None = Field(description="the daily cap; null: this budget is off")


class Quotas(Reply):
    invocations: QuotaUse
    executions: QuotaUse


class UsageReport(Reply):
    executions: int = Field(description="executions in the last 30 days")
    succeeded: int
    failed: int
    success_rate: float | None = Field(description="percentage of executions that completed; null with none")
    avg_duration_ms: float | None = Field(description="mean wall-clock ms of completed runs; null with none")
    days: list[UsageDay] = Field(description="the last 30 UTC days, oldest first")
    quotas: Quotas | None = Field(description="today's daily budgets; null when the server runs without daily limits")
    resets_in_seconds: int | None = Field(description="seconds until the daily budgets reset (midnight UTC)")


@route("GET", "/api/usage", tags=["usage"], responses={"200": content("The tenant's usage", UsageReport)},
       summary="The tenant's executions over the last 30 days, and today's daily quota use when limits are on.")
async def get_usage(request: web.Request) -> web.Response:
    from axiom_ide.server.limits import limiter_for

    limiter = limiter_for(request.app)
    limits = limiter.limits if limiter is not None else None
    usage = usage_report(request.app[STATE].runtime, request[TENANT],
                         daily_invocations=limits.daily_invocations if limits is not None else None,
                         daily_executions=limits.daily_executions if limits is not None else None)
    quotas = None if usage.quotas is None else {
        key: {"used": used, "limit": limit} for key, (used, limit) in usage.quotas.items()}
    return respond(UsageReport, {
        "executions": usage.executions, "succeeded": usage.succeeded, "failed": usage.failed,
        "success_rate": usage.success_rate, "avg_duration_ms": usage.avg_duration_ms,
        "days": [{"day": d, "total": t, "succeeded": ok, "failed": f} for d, t, ok, f in usage.days],
        "quotas": quotas, "resets_in_seconds": usage.resets_in_seconds})


def setup(app: web.Application) -> None:
    ROUTES.setup(app)


OPERATIONS = ROUTES.operations()
