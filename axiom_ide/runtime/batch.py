"""Datasets: run a flow once per row of a JSONL or CSV file, and keep the results as a *batch*.

Rows are read one at a time (:func:`read_rows`) — never the whole file — and run through the
runtime's real engine with at most ``concurrency`` executions in flight; results are written in row
order as they come, through a sliding window of ``window`` rows, so memory stays bounded whatever
the file's size. A JSONL row is one JSON object (the entry message); a CSV row is one case whose
columns are the entry message's fields, each cell converted by that field's type (numbers, bools,
enum names; a message, list or map field's cell is JSON; an empty cell is left out). A malformed row
— not JSON, an unknown column, a cell of the wrong type, an input that is not the entry message — is
reported as ``FILE:LINE: what is wrong`` and recorded as ``invalid``; the other rows still run.

A batch is one JSONL file ``<data dir>/batches/<batch id>.jsonl`` (0600, written to a temporary file
and renamed when the batch ends, cancelled or not): a header line ``{"batch": {...}}``, then one
line per row ``{"line", "status", "input", "output" | "error", "duration_ms", "execution_id"}``.
:func:`load_batch` reopens it, :func:`list_batches` lists the saved ones (newest first);
:func:`compare` walks two batches row by row (by the data file's line number) and tells which
outputs changed — the one comparison behind ``flow batch --compare`` and the IDE's Compare Batches.
"""
from __future__ import annotations

import asyncio
import contextlib
import csv
import functools
import json
import os
import tempfile
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axiom_ide.runtime.errors import AxiomError

COMPLETED, FAILED, INVALID = "completed", "failed", "invalid"
DIR = "batches"
DEFAULT_TIMEOUT = 300.0


@dataclass(frozen=True)
class Row:
    """One case of a dataset: its 1-based line in the file, and its input or what is wrong with it."""

    line: int
    input: Any = None
    problem: str | None = None


@dataclass
class RowResult:
    line: int
    status: str
    input: Any = None
    output: Any = None
    error: str | None = None
    duration_ms: float = 0.0
    execution_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "status": self.status, "input": self.input}
        if self.status == COMPLETED:
            out["output"] = self.output
        else:
            out["error"] = self.error
        out["duration_ms"] = self.duration_ms
        out["execution_id"] = self.execution_id
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RowResult:
        return cls(int(data["line"]), str(data["status"]), data.get("input"), data.get("output"),
                   data.get("error"), float(data.get("duration_ms") or 0.0), data.get("execution_id"))


@dataclass
class Summary:
    batch_id: str
    flow: str
    data: str
    file: str
    rows: int = 0
    completed: int = 0
    failed: int = 0
    invalid: int = 0
    cancelled: bool = False
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.cancelled and self.rows > 0 and self.failed == 0 and self.invalid == 0

    def count(self, result: RowResult) -> None:
        self.rows += 1
        if result.status == COMPLETED:
            self.completed += 1
        elif result.status == FAILED:
            self.failed += 1
        else:
            self.invalid += 1

    def to_json(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "flow": self.flow, "data": self.data, "file": self.file,
                "rows": self.rows, "completed": self.completed, "failed": self.failed, "invalid": self.invalid,
                "cancelled": self.cancelled, "duration_s": round(self.duration_s, 3)}


# -- reading a dataset -----------------------------------------------------------------------------
def data_format(path: str | Path) -> str:
    """``jsonl`` or ``csv`` by the file's suffix (``.jsonl``, ``.ndjson``, ``.json``; ``.csv``)."""
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise AxiomError.of("dataset_format", "a dataset is a .jsonl or a .csv file (one case per row)",
                        file=str(path))


def read_rows(path: str | Path, descriptor: Any) -> Iterator[Row]:
    """The dataset's rows, one at a time; ``descriptor`` is the entry message (CSV cells' types)."""
    p = Path(path)
    try:
        fh = p.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise AxiomError.of("file_not_found", f"cannot read the dataset: {exc.strerror or exc}", file=str(p)) from None
    with fh:
        if data_format(p) == "jsonl":
            yield from _jsonl_rows(fh)
        else:
            yield from _csv_rows(fh, descriptor)


def _jsonl_rows(fh: Any) -> Iterator[Row]:
    for number, text in enumerate(fh, 1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Row(number, problem=f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(value, dict):
            yield Row(number, problem=f"a row must be a JSON object (the entry message), got {type(value).__name__}")
            continue
        yield Row(number, value)


def _csv_rows(fh: Any, descriptor: Any) -> Iterator[Row]:
    reader = csv.reader(fh)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield Row(1, problem=f"malformed CSV header: {exc}")
        return
    fields = descriptor.fields_by_name if descriptor is not None else {}
    short = descriptor.full_name.rsplit(".", 1)[-1] if descriptor is not None else "the entry message"
    unknown = [c for c in header if c not in fields]
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Row(start, problem=f"malformed CSV: {exc}")
            continue
        if not any(c.strip() for c in cells):
            continue
        if unknown:
            yield Row(start, problem=f"unknown column `{unknown[0]}`: {short} has the fields "
                                     f"{', '.join(fields) or '(none)'}")
            continue
        if len(cells) != len(header):
            yield Row(start, problem=f"{len(cells)} cells, the header has {len(header)} columns")
            continue
        value: dict[str, Any] = {}
        problem = None
        for column, cell in zip(header, cells, strict=True):
            if cell == "":
                continue
            try:
                value[column] = _cell(fields[column], cell)
            except ValueError as exc:
                problem = f"column `{column}`: {exc}"
                break
        yield Row(start, problem=problem) if problem else Row(start, value)


_INTS = {"int32", "sint32", "sfixed32", "uint32", "fixed32"}
_INT64 = {"int64", "sint64", "sfixed64", "uint64", "fixed64"}


@functools.cache
def _type_names() -> dict[int, str]:
    """FieldDescriptor.TYPE_* number → its name (``int32``, ``bool``, ...)."""
    from google.protobuf.descriptor import FieldDescriptor

    return {v: k.removeprefix("TYPE_").lower() for k, v in vars(FieldDescriptor).items()
            if k.startswith("TYPE_") and isinstance(v, int)}


def _cell(fd: Any, text: str) -> Any:
    """A CSV cell as the JSON value of field ``fd``."""
    from google.protobuf.descriptor import FieldDescriptor

    repeated = getattr(fd, "is_repeated", None)
    is_list = repeated if isinstance(repeated, bool) else fd.label == FieldDescriptor.LABEL_REPEATED
    if is_list or fd.type == FieldDescriptor.TYPE_MESSAGE:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{json.dumps(text)} is not JSON ({exc.msg})") from None
    kind = _type_names().get(fd.type, "")
    t = text.strip()
    if kind in _INTS or kind in _INT64:
        try:
            number = int(t)
        except ValueError:
            raise ValueError(f"{json.dumps(text)} is not an integer") from None
        return str(number) if kind in _INT64 else number
    if kind in ("double", "float"):
        try:
            return float(t)
        except ValueError:
            raise ValueError(f"{json.dumps(text)} is not a number") from None
    if kind == "bool":
        low = t.lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        raise ValueError(f"{json.dumps(text)} is not a boolean (true/false)")
    return text  # string, bytes (base64), enum (its value name)


# -- running ---------------------------------------------------------------------------------------
def new_batch_id() -> str:
    from ulid import ULID

    return str(ULID())


def batch_path(data_dir: str | Path, batch_id: str) -> Path:
    if not batch_id or any(c in batch_id for c in "/\\.") or len(batch_id) > 64:
        raise AxiomError.of("batch_not_found", f'"{batch_id}" is not a batch id')
    return Path(data_dir) / DIR / f"{batch_id}.jsonl"


@dataclass(frozen=True)
class BatchFlow:
    """What a batch runs, whoever runs it: one compiled unary flow and the four calls a row needs.
    :func:`run_batch` builds it over the embedded runtime; ``backends/remote_batch.py`` over a
    remote's invocation API — the loop, the files and the comparison stay this module's."""

    flow_name: str
    graph_id: str
    mode: str
    #: The entry message's descriptor (a CSV cell is read by its field's type); None: not known.
    entry: Any
    #: Raises ValueError (the catalog's "invalid JSON for <Message>: ...") when a row is not the entry message.
    check_input: Callable[[Any], Any]
    #: ``start(input)`` → the accepted execution's id.
    start: Callable[[Any], Awaitable[str]]
    #: ``wait(execution_id, timeout)`` → an outcome with ``success``, ``output``, ``error``, ``status``;
    #: raises TimeoutError when it does not end in time.
    wait: Callable[[str, float], Awaitable[Any]]
    cancel: Callable[[str], Awaitable[Any]]


async def run_batch(runtime: Any, artifact: Any, data: str | Path, *, concurrency: int = 1,
                    timeout: float = DEFAULT_TIMEOUT, on_row: Callable[[RowResult, Summary], None] | None = None,
                    window: int | None = None, batch_id: str | None = None,
                    config_id: str | None = None) -> Summary:
    """Run every row of ``data`` through ``artifact`` (unary) with the flow config profile
    ``config_id`` (a name or id; None: the flow's defaults) and save the batch. ``on_row`` hears
    each row's result in row order. Cancelling the task cancels the rows in flight and still saves
    the rows done so far (the summary says ``cancelled``), then re-raises."""
    _check_flow(concurrency, artifact.mode, artifact.flow_name)
    compiled = runtime.compiled(artifact)
    entry = compiled.codec.message_class(artifact.input_type, compiled.plan.nodes[compiled.plan.entry].package_key)
    _check_readable(data)  # before anything is saved: no batch for a file that cannot be read
    if config_id:  # an unknown profile is refused before anything is saved
        runtime.resolve_config(artifact.flow_name, config_id)
    flow = BatchFlow(artifact.flow_name, artifact.graph_id, artifact.mode, entry.DESCRIPTOR, compiled.encode_input,
                     lambda value: runtime.start(artifact, value, config_id=config_id), runtime.wait, runtime.cancel)
    return await run_flow_batch(flow, runtime.data_dir, data, concurrency=concurrency, timeout=timeout,
                                on_row=on_row, window=window, batch_id=batch_id, config_id=config_id)


def _check_flow(concurrency: int, mode: str, flow_name: str) -> None:
    if concurrency < 1:
        raise AxiomError.of("batch_concurrency", "--concurrency must be at least 1")
    if mode == "pipeline":
        raise AxiomError.of("batch_pipeline", f"{flow_name} is a pipeline flow; a batch runs a unary flow "
                            "once per row")


async def run_flow_batch(flow: BatchFlow, data_dir: str | Path, data: str | Path, *, concurrency: int = 1,
                         timeout: float = DEFAULT_TIMEOUT,
                         on_row: Callable[[RowResult, Summary], None] | None = None, window: int | None = None,
                         batch_id: str | None = None, config_id: str | None = None,
                         header: dict[str, Any] | None = None) -> Summary:
    """:func:`run_batch` over any :class:`BatchFlow`, saved under ``data_dir``; ``header``: more
    fields of the batch's header line (where it ran). A row the backend refuses to start (an
    ``AxiomError``: the server's words) is that row's failure; the other rows still run."""
    _check_flow(concurrency, flow.mode, flow.flow_name)
    _check_readable(data)
    rows = read_rows(data, flow.entry)
    batch_id = batch_id or new_batch_id()
    target = batch_path(data_dir, batch_id)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    summary = Summary(batch_id, flow.flow_name, str(data), str(target))
    first = _header(batch_id, flow, data, concurrency, config_id)
    first["batch"].update(header or {})
    fd, tmp = tempfile.mkstemp(prefix=f".{batch_id}.", suffix=".tmp", dir=target.parent)
    os.chmod(tmp, 0o600)
    gate = asyncio.Semaphore(concurrency)
    pending: deque[asyncio.Task[RowResult]] = deque()
    window = window or max(64, 4 * concurrency)
    t0 = time.perf_counter()
    #: This batch's executions in flight (a cancel cancels these, not the runtime's other runs).
    mine: set[str] = set()

    async def one(row: Row) -> RowResult:
        if row.problem is not None:
            return RowResult(row.line, INVALID, error=f"{data}:{row.line}: {row.problem}")
        try:
            flow.check_input(row.input)
        except ValueError as exc:  # InvalidInput: not the entry message
            return RowResult(row.line, INVALID, row.input, error=f"{data}:{row.line}: {exc}")
        async with gate:
            started = time.perf_counter()
            accepting = asyncio.ensure_future(flow.start(row.input))
            try:
                execution_id = await asyncio.shield(accepting)
            except asyncio.CancelledError:  # cancelled while it was being accepted: cancel that run too
                with contextlib.suppress(Exception):  # refused: nothing runs
                    await flow.cancel(await accepting)
                raise
            except AxiomError as exc:  # refused (a remote's quota, a server error): this row failed
                return RowResult(row.line, FAILED, row.input, None, exc.message,
                                 round((time.perf_counter() - started) * 1000.0, 3))
            mine.add(execution_id)
            try:  # a cancelled batch leaves the id in ``mine``: the batch cancels the execution
                outcome = await flow.wait(execution_id, timeout)
            except TimeoutError:
                mine.discard(execution_id)
                await flow.cancel(execution_id)
                return RowResult(row.line, FAILED, row.input, None, f"timed out after {timeout:g}s",
                                 round((time.perf_counter() - started) * 1000.0, 3), execution_id)
            except AxiomError as exc:  # lost track of it (a remote that keeps refusing): this row failed
                mine.discard(execution_id)
                with contextlib.suppress(Exception):
                    await flow.cancel(execution_id)
                return RowResult(row.line, FAILED, row.input, None, exc.message,
                                 round((time.perf_counter() - started) * 1000.0, 3), execution_id)
            mine.discard(execution_id)
            ms = round((time.perf_counter() - started) * 1000.0, 3)
        if outcome.success:
            return RowResult(row.line, COMPLETED, row.input, outcome.output, None, ms, execution_id)
        return RowResult(row.line, FAILED, row.input, None, outcome.error or outcome.status, ms, execution_id)

    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(first, ensure_ascii=False) + "\n")

        def write(result: RowResult) -> None:
            out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
            summary.count(result)
            if on_row is not None:
                on_row(result, summary)

        try:
            for row in rows:
                pending.append(asyncio.ensure_future(one(row)))
                while len(pending) >= window or (pending and pending[0].done()):
                    write(await pending.popleft())
            while pending:
                write(await pending.popleft())
        except asyncio.CancelledError:
            summary.cancelled = True
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            for execution_id in list(mine):
                await flow.cancel(execution_id)
            raise
        finally:
            summary.duration_s = time.perf_counter() - t0
            out.write(json.dumps({"summary": summary.to_json()}) + "\n")
            out.flush()
            os.fsync(out.fileno())
            os.replace(tmp, target)
    return summary


def _check_readable(data: str | Path) -> None:
    data_format(data)
    try:
        with open(data, "rb"):
            pass
    except OSError as exc:
        raise AxiomError.of("file_not_found", f"cannot read the dataset: {exc.strerror or exc}",
                            file=str(data)) from None


def _header(batch_id: str, flow: BatchFlow, data: str | Path, concurrency: int,
            config_id: str | None = None) -> dict[str, Any]:
    return {"batch": {"id": batch_id, "flow": flow.flow_name, "graph_id": flow.graph_id,
                      "data": str(Path(data).resolve()), "concurrency": concurrency, "created_at": time.time(),
                      **({"config": config_id} if config_id else {})}}


# -- reading batches -------------------------------------------------------------------------------
@dataclass
class Batch:
    header: dict[str, Any]
    path: Path
    summary: dict[str, Any] = field(default_factory=dict)

    def rows(self) -> Iterator[RowResult]:
        """The rows, streamed from the file in row order."""
        with self.path.open(encoding="utf-8") as fh:
            for text in fh:
                data = json.loads(text)
                if "line" in data:
                    yield RowResult.from_json(data)


def load_batch(data_dir: str | Path, batch_id: str) -> Batch:
    path = batch_path(data_dir, batch_id)
    if not path.is_file():
        raise AxiomError.of("batch_not_found", f'no batch "{batch_id}" in {Path(data_dir) / DIR}')
    header: dict[str, Any] = {}
    summary: dict[str, Any] = {}
    with path.open(encoding="utf-8") as fh:
        first = fh.readline()
        try:
            header = json.loads(first).get("batch") or {}
        except (json.JSONDecodeError, AttributeError):
            raise AxiomError.of("batch_invalid", "not a batch file", file=str(path), line=1) from None
        for text in fh:  # the summary is the last line
            if text.startswith('{"summary"'):
                summary = json.loads(text)["summary"]
    return Batch(header, path, summary)


SAME, CHANGED, ONLY_A, ONLY_B = "same", "changed", "only_a", "only_b"


@dataclass(frozen=True)
class RowChange:
    line: int
    kind: str
    a: RowResult | None
    b: RowResult | None


def _shown(r: RowResult) -> Any:
    return r.output if r.status == COMPLETED else {"status": r.status, "error": r.error}


def compare(a: Batch, b: Batch) -> Iterator[RowChange]:
    """Row by row (both batches are in line order: a merge walk, streamed)."""
    ia, ib = a.rows(), b.rows()
    ra, rb = next(ia, None), next(ib, None)
    while ra is not None or rb is not None:
        if rb is None or (ra is not None and ra.line < rb.line):
            assert ra is not None
            yield RowChange(ra.line, ONLY_A, ra, None)
            ra = next(ia, None)
        elif ra is None or rb.line < ra.line:
            yield RowChange(rb.line, ONLY_B, None, rb)
            rb = next(ib, None)
        else:
            kind = SAME if (ra.status, _shown(ra)) == (rb.status, _shown(rb)) and ra.input == rb.input else CHANGED
            yield RowChange(ra.line, kind, ra, rb)
            ra, rb = next(ia, None), next(ib, None)


def shown_value(r: RowResult | None) -> Any:
    """What a comparison shows of a row: its output, or its status and error."""
    return None if r is None else _shown(r)


@dataclass(frozen=True)
class BatchInfo:
    """One saved batch as a picker lists it: id, flow, when, rows."""
    id: str
    flow: str
    created_at: float
    rows: int
    cancelled: bool = False


def list_batches(data_dir: str | Path) -> list[BatchInfo]:
    """The saved batches in ``<data dir>/batches``, newest first; an unreadable file is skipped."""
    folder = Path(data_dir) / DIR
    found: list[BatchInfo] = []
    if not folder.is_dir():
        return found
    for path in folder.glob("*.jsonl"):
        try:
            batch = load_batch(data_dir, path.stem)
        except (AxiomError, OSError, json.JSONDecodeError, KeyError):
            continue
        h, s = batch.header, batch.summary
        found.append(BatchInfo(str(h.get("id") or path.stem), str(h.get("flow") or "?"),
                               float(h.get("created_at") or 0.0), int(s.get("rows") or 0), bool(s.get("cancelled"))))
    found.sort(key=lambda b: (b.created_at, b.id), reverse=True)
    return found
