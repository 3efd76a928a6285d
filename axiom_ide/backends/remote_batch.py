"""Datasets on a remote: ``RemoteBackend.batches``, the same methods as LocalBatches (``rows``,
``saved``, ``load``, ``results``, ``compare``), so Run Dataset and Compare Batches work unchanged.

A batch is N invocations of one compiled artifact plus the collected results. It runs *here*, with
the one batch implementation (``runtime/batch.run_flow_batch``: the rows read one at a time, the
bounded concurrency, the row-ordered window, the cancel that still saves the rows done, the batch
file and its comparison), over a :class:`~axiom_ide.runtime.batch.BatchFlow` whose four calls are
the remote's invocation API: ``start`` = invoke without ``wait``, ``wait`` polls the execution,
``cancel`` = ``DELETE /invocations/v1/flows/{id}``. The alternative — a batch route on the server —
would be a second batch loop and a second batch store behind the API, an upload of the dataset
(whatever its size, under the 16 MiB cap) and routes to list, reopen and compare; this way a batch
run on a remote is saved beside the local ones (the header says ``remote``: the origin), and
Compare Batches compares a local batch with a remote one.

Every request goes through the backend's httpx client, so 429/503 answers are waited out with its
capped backoff (``remote_http.RetryPolicy``, Retry-After honoured; the IDE's status bar says so); a
row the remote still refuses (a spent daily quota) is that row's failure, the others run on.

The flow's name and mode come from ``GET /api/graphs/{graph_id}``; the entry message's descriptors
from ``GET /api/graphs/{graph_id}/input-descriptor`` (server/input_routes.py), so a CSV row's cells
are read by field type and a row that is not the entry message is ``invalid`` before it is sent, as
on the local backend. A remote without that route runs JSONL datasets (the remote checks each
input) and refuses a CSV one in words. No Qt here.
"""
from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from weakref import WeakKeyDictionary

from axiom_ide.backends.local_batch import SavedBatches
from axiom_ide.backends.values import COMPLETED, FINAL_STATUSES
from axiom_ide.runtime import batch as batches
from axiom_ide.runtime.errors import AxiomError

if TYPE_CHECKING:
    from axiom_ide.backends.remote import RemoteBackend

#: The longest wait between two looks at a row's execution (the first is the backend's poll_interval).
MAX_POLL = 2.0
_STORES: WeakKeyDictionary[Any, RemoteBatches] = WeakKeyDictionary()


def batches_of(backend: RemoteBackend) -> RemoteBatches:
    """The backend's one batch store (it keeps the batches running, so ``saved`` waits for one
    being cancelled): under ``backend.batch_dir``, else the user data dir."""
    store = _STORES.get(backend)
    if store is None:
        store = _STORES[backend] = RemoteBatches(backend, Path(backend.batch_dir) if backend.batch_dir else default_dir())
    return store


def default_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("axiom-ide", "Axiom"))


@dataclass(frozen=True)
class RowOutcome:
    """A remote execution's end as ``run_flow_batch`` reads it."""

    status: str
    output: Any = None
    error: str | None = None

    @property
    def success(self) -> bool:
        return self.status == COMPLETED


class RemoteBatches(SavedBatches):
    def __init__(self, backend: RemoteBackend, data_dir: str | Path) -> None:
        super().__init__(data_dir)
        self.backend = backend

    async def rows(self, graph_id: str, data: str | Path, *, concurrency: int = 1,
                   timeout: float = batches.DEFAULT_TIMEOUT) -> AsyncIterator[Any]:
        """Row results as they are saved, then the Summary (as ``LocalBatches.rows``)."""
        flow = await self.flow(graph_id, data)
        origin = {"remote": self.backend.ingress_url}
        async for item in self._stream(lambda on_row: batches.run_flow_batch(
                flow, self.data_dir, data, concurrency=concurrency, timeout=timeout, on_row=on_row, header=origin)):
            yield item

    async def flow(self, graph_id: str, data: str | Path, *, config_id: str | None = None) -> batches.BatchFlow:
        """The artifact as a BatchFlow over the remote's invocation API (every row run with the
        remote's flow config profile ``config_id``, when given)."""
        backend = self.backend
        ref = quote(graph_id, safe="")
        graph, entry = await asyncio.gather(backend.api.json("GET", f"/api/graphs/{ref}"),
                                            backend.api.json("GET", f"/api/graphs/{ref}/input-descriptor",
                                                             missing_ok=True))
        descriptor, check = None, _an_object
        if isinstance(entry, dict):
            from axiom_ide.runtime.engine.codec import Codec

            codec = Codec.of_sets([(entry["package"], base64.b64decode(entry["descriptor_set"]))])
            input_type, package = entry["input_type"], entry["package"]
            descriptor = codec.message_class(input_type, package).DESCRIPTOR

            def check(value: Any) -> Any:
                return codec.from_json(value, input_type, package)
        elif batches.data_format(data) == "csv":
            raise AxiomError.of("not_supported", f"{backend.api_url} does not describe the flow's entry message "
                                "(GET /api/graphs/{id}/input-descriptor), so a CSV row cannot be read by field "
                                "type; run a JSONL dataset", file=str(data))

        if config_id:  # an unknown profile is refused before anything is saved, as a local batch does
            await self._check_config(str(graph["flow"]), config_id)

        async def start(value: Any) -> str:
            return await backend.start(graph_id, value, config_id=config_id)

        return batches.BatchFlow(str(graph["flow"]), graph_id, str(graph["mode"]), descriptor, check, start,
                                 self._wait, backend.cancel)

    async def _check_config(self, flow_name: str, config_id: str) -> None:
        """The profile resolves as the runtime resolves it (``store/configs.resolve``): an id of the
        flow's or the tenant's, or a name among the flow's; else ``config_not_found`` in its words."""
        body = await self.backend.api.json("GET", "/api/configs")
        configs = body.get("configs") or []
        if not any((c.get("id") == config_id and (c.get("flow") or "") in (flow_name, ""))
                   or (c.get("name") == config_id and c.get("flow") == flow_name) for c in configs):
            raise AxiomError.of("config_not_found", f'config "{config_id}" not found for flow "{flow_name}"')

    async def _wait(self, execution_id: str, timeout: float) -> RowOutcome:
        """Poll the execution until it ends (TimeoutError after ``timeout`` seconds), less often as it
        runs longer (up to :data:`MAX_POLL`). Its events are not read: a batch's rows are many, the
        Executions view shows them."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        interval = self.backend.poll_interval
        while True:
            rec = await self.backend.get_execution(execution_id)
            if rec is None:
                raise AxiomError.of("execution_not_found", f"execution {execution_id} not found")
            if rec.status in FINAL_STATUSES:
                return RowOutcome(rec.status, rec.output, rec.error)
            if loop.time() >= deadline:
                raise TimeoutError(f"execution {execution_id} did not finish within {timeout:g}s")
            await asyncio.sleep(interval)
            interval = min(MAX_POLL, interval * 1.5)  # a long row is asked less often (rate limits)


def _an_object(value: Any) -> Any:
    """Without the entry message's descriptors the remote checks each input; a row must still be an object."""
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {type(value).__name__}")
    return value
