"""The flow-test calls over a remote: ``RemoteBackend.flow_tests``, the methods of LocalTests the
IDE calls, so **Save as test case**, **Compare runs** and the Tests tab's listing work on a remote's
executions too.

- ``list_flow_tests(flow_path)``: the flow's ``.flow.test.yaml`` — a file of the workspace, read here.
- ``save_test_case(flow_path, execution_id, name)``: the remote execution's input and output (or its
  failure kind and error) appended to that file, as LocalTests does (``local_tests.save_case``).
- ``run_diff(a, b)``: two remote executions compared node by node by ``runtime/rundiff``'s one
  comparison, over the history API's JSON (detail, events, decoded checkpoints) and the first run's
  compiled flow (``GET /api/graphs/{id}``'s ``source``).
- ``run_flow_tests``: refused in words — a case's mocks replace node calls inside the engine (the
  embedded runtime answers them), which a remote's invocation API does not take.
No Qt here.
"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from axiom_ide.backends.local_tests import RunDiffView, TestListing, TestOutcome, list_tests, save_case
from axiom_ide.runtime.errors import AxiomError

if TYPE_CHECKING:
    from axiom_ide.backends.remote import RemoteBackend

INVOCATIONS = "/invocations/v1"
LOCAL_ONLY = ("Flow tests run on the local runtime only: a case's mocks replace node calls inside the engine, "
              "which a remote does not take. Switch to Local (Settings → Connections) to run them.")


def _q(part: str) -> str:
    return quote(part, safe="")


class RemoteTests:
    def __init__(self, backend: RemoteBackend) -> None:
        self.backend = backend

    async def list_flow_tests(self, flow_path: str | Path) -> TestListing:
        return list_tests(flow_path)

    async def run_flow_tests(self, flow_path: str | Path, names: list[str] | None = None) -> list[TestOutcome]:
        raise AxiomError.of("not_supported", LOCAL_ONLY)

    async def save_test_case(self, flow_path: str | Path, execution_id: str, name: str) -> TestListing:
        """The remote execution as a case of the flow's test file (see ``local_tests.save_case``)."""
        return save_case(flow_path, await self.backend.get_execution(execution_id), execution_id, name)

    async def run_diff(self, first: str, second: str) -> RunDiffView:
        """``first`` and ``second`` (remote executions) compared node by node."""
        from axiom_ide.runtime.rundiff import diff_runs

        (a, graph), (b, _) = await asyncio.gather(self._summary(first, with_graph=True), self._summary(second))
        return RunDiffView(diff_runs(a, b), dict((graph or {}).get("source") or {}))

    async def _summary(self, execution_id: str, *, with_graph: bool = False) -> tuple[dict[str, Any], Any]:
        from axiom_ide.runtime.rundiff import summary_of

        backend = self.backend
        path = f"{INVOCATIONS}/executions/{_q(execution_id)}"
        detail = await backend.ingress.json("GET", path, missing_ok=True)
        if not detail:
            raise AxiomError.of("execution_not_found", f'execution "{execution_id}" not found')
        events, checkpoints = await asyncio.gather(backend.events(execution_id),
                                                   backend.ingress.json("GET", path + "/checkpoints"))
        graph = None
        if with_graph and detail.get("graph_id"):
            graph = await backend.api.json("GET", f"/api/graphs/{_q(detail['graph_id'])}", missing_ok=True)
        return summary_of(detail, events, checkpoints.get("checkpoints", [])), graph
