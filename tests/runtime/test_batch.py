"""runtime/batch.py: a dataset of 100,000 rows runs with bounded memory, and cancelling a batch
cancels its own executions only (another run on the same runtime goes on) and saves the rows done."""
from __future__ import annotations

import asyncio
import json
import tracemalloc

from engine_support import add_faults_package, chain, compile_file

from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.batch import INVALID, load_batch, run_batch


def test_100000_rows_stream_through_with_bounded_memory(example_workspace, tmp_path, aio):
    from axiom_ide.runtime.runtime import Runtime

    art = compile_file(example_workspace / "flows" / "greeter.flow.yaml", example_workspace)
    data = tmp_path / "big.jsonl"
    with data.open("w", encoding="utf-8") as fh:  # every row is the wrong message: checked, recorded, not run
        for i in range(100_000):
            fh.write(json.dumps({"nam": f"row {i}"}) + "\n")
    rt = Runtime(tmp_path / "data", inline=True)
    try:
        tracemalloc.start()
        try:
            summary = aio(run_batch(rt, rt.artifact(art), data, concurrency=4))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        aio(rt.close())
    assert (summary.rows, summary.invalid, summary.completed) == (100_000, 100_000, 0)
    assert peak < 8_000_000  # the file is ~2 MB of rows and its batch ~15 MB: neither is held
    rows = load_batch(tmp_path / "data", summary.batch_id).rows()
    first = next(rows)
    assert (first.line, first.status) == (1, INVALID)
    assert first.error.startswith(f"{data}:1: invalid JSON for GreetRequest: ")


def test_cancel_cancels_only_the_batch_s_executions(example_workspace, tmp_path, make_runtime, aio):
    add_faults_package(example_workspace)
    slow = compile_file(chain(example_workspace, "slowb", ["Slow"]), example_workspace)
    hang = compile_file(chain(example_workspace, "hangb", ["Hang"]), example_workspace)
    rt = make_runtime(tmp_path / "data")
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps({"text": f"r{i}"}) + "\n" for i in range(200)), encoding="utf-8")

    async def go():
        other = await rt.start(hang, {"text": "not mine"})
        done = asyncio.Event()
        seen = []

        def on_row(result, summary):
            seen.append(result)
            if len(seen) == 2:
                done.set()

        task = asyncio.ensure_future(run_batch(rt, slow, data, concurrency=3, on_row=on_row))
        await done.wait()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        return other, seen

    other, seen = aio(go())
    assert rt.find_execution(other).status == "Running"  # not the batch's: it goes on
    statuses = [r.status for r in rt.list_executions(flow_name="slowb", limit=500)]
    assert set(statuses) <= {"Completed", "Cancelled"} and "Cancelled" in statuses
    batches = list((tmp_path / "data" / "batches").glob("*.jsonl"))
    assert len(batches) == 1
    lines = [json.loads(x) for x in batches[0].read_text().splitlines()]
    assert lines[-1]["summary"]["cancelled"] is True
    assert [x["line"] for x in lines[1:-1]][:2] == [r.line for r in seen][:2] == [1, 2]
    events = rt.execution_events(other)
    assert not any(e.type == ev.EXECUTION_CANCELLED for e in events)
    aio(rt.cancel(other))


def test_list_batches_newest_first_skips_a_broken_file_and_the_backend_compares(example_workspace, tmp_path, aio):
    from axiom_ide.backends.local_batch import LocalBatches
    from axiom_ide.runtime.batch import CHANGED, ONLY_A, SAME, list_batches
    from axiom_ide.runtime.runtime import Runtime

    assert list_batches(tmp_path / "nothing") == []
    art = compile_file(example_workspace / "flows" / "greeter.flow.yaml", example_workspace)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_text('{"name": "Ada"}\n{"name": "Bob"}\n', encoding="utf-8")
    two.write_text('{"name": "Ada"}\n', encoding="utf-8")
    rt = Runtime(tmp_path / "data", inline=True)
    try:
        a = aio(run_batch(rt, rt.artifact(art), one))
        b = aio(run_batch(rt, rt.artifact(art), two))
        (tmp_path / "data" / "batches" / "broken.jsonl").write_text("not json\n", encoding="utf-8")
        infos = list_batches(tmp_path / "data")
        assert [(i.id, i.flow, i.rows) for i in infos] == [(b.batch_id, "greeter", 1), (a.batch_id, "greeter", 2)]
        assert infos[0].created_at >= infos[1].created_at > 0
        backend = LocalBatches(rt)
        assert aio(backend.saved()) == infos
        counts, shown = aio(backend.compare(a.batch_id, b.batch_id, 1))
        assert counts == {SAME: 1, CHANGED: 0, ONLY_A: 1, "only_b": 0} and [c.kind for c in shown] == [SAME]
        batch, rows = aio(backend.results(a.batch_id, 5))
        assert batch.header["id"] == a.batch_id and [r.output for r in rows] == [
            {"text": "HEY! HELLO, ADA!"}, {"text": "HEY! HELLO, BOB!"}]
    finally:
        aio(rt.close())
