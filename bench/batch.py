"""Rows per second of ``flow batch`` against the same inputs sent through ``serve`` by HTTP.

Over a copy of the example workspace, a dataset of ``--rows`` JSONL rows (``{"name": "n<i>"}``) runs
through the one-node ``hello`` flow:

- batch: ``runtime.batch.run_batch`` in this process on a fresh data dir (real node host process,
  every row an execution with its events and checkpoint, results written to the batch file), at
  concurrency 1, 4 and 16;
- serve: the same rows as ``POST /invocations/v1/flows/invoke`` with ``wait: true`` to a real
  ``axiom-ide serve`` subprocess (``bench/http_invoke.py``'s ``start_axiom``), with 1, 4 and 16
  requests in flight.

Prints rows/s for each and the ratio batch/serve per concurrency. The node sandbox is the default
(bubblewrap where present) on both sides; ``--unsandboxed`` turns it off on both.
Run: ``.venv/bin/python bench/batch.py [--rows 10000] [--unsandboxed]``.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
EXAMPLES = REPO / "axiom_ide" / "resources" / "examples" / "workspace"
LEVELS = (1, 4, 16)


def write_dataset(path: Path, rows: int) -> list[dict]:
    inputs = [{"name": f"n{i}"} for i in range(rows)]
    path.write_text("".join(json.dumps(x) + "\n" for x in inputs), encoding="utf-8")
    return inputs


async def batch_rate(tmp: Path, data: Path, concurrency: int, unsandboxed: bool) -> float:
    from axiom_ide.runtime.batch import run_batch
    from axiom_ide.runtime.compiler.compile import compile_flow
    from axiom_ide.runtime.host.sandbox import Sandbox
    from axiom_ide.runtime.model.flow_yaml import load_flow
    from axiom_ide.runtime.packages import Workspace
    from axiom_ide.runtime.runtime import Runtime

    workspace = tmp / "workspace"
    if not workspace.exists():
        shutil.copytree(EXAMPLES, workspace, ignore=shutil.ignore_patterns("gen", "__pycache__"))
    rt = Runtime(tmp / f"data-batch-{concurrency}", sandbox=Sandbox(enabled=False) if unsandboxed else None)
    try:
        artifact, _ = compile_flow(load_flow(workspace / "flows" / "hello.flow.yaml").flow, Workspace(workspace))
        artifact = rt.artifact(artifact)
        await rt.run(artifact, {"name": "warm"}, timeout=60)  # start the node host before timing
        t = time.perf_counter()
        summary = await run_batch(rt, artifact, data, concurrency=concurrency)
        elapsed = time.perf_counter() - t
        if summary.completed != summary.rows:
            raise SystemExit(f"batch at concurrency {concurrency}: {summary.to_json()}")
        return summary.rows / elapsed
    finally:
        await rt.close()


async def serve_rate(origin: str, key: str, graph_id: str, inputs: list[dict], concurrency: int) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=origin, headers=headers, timeout=60, limits=limits) as c:
        rows = iter(inputs)

        async def worker() -> None:
            for row in rows:
                r = await c.post("/invocations/v1/flows/invoke", json={"graph_id": graph_id, "input": row, "wait": True})
                if r.status_code != 202 or not r.json().get("result", {}).get("success"):
                    raise RuntimeError(f"unexpected answer: {r.status_code} {r.text}")

        warm = await c.post("/invocations/v1/flows/invoke", json={"graph_id": graph_id, "input": {"name": "warm"},
                                                                 "wait": True})
        warm.raise_for_status()
        t = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(inputs) / (time.perf_counter() - t)


def main() -> None:
    from http_invoke import start_axiom

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10_000, help="dataset rows (default 10000)")
    ap.add_argument("--unsandboxed", action="store_true", help="node hosts without bubblewrap, both sides")
    args = ap.parse_args()
    results: list[tuple[int, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="axiom-bench-batch-") as name:
        tmp = Path(name)
        data = tmp / "dataset.jsonl"
        inputs = write_dataset(data, args.rows)
        batch = {c: asyncio.run(batch_rate(tmp, data, c, args.unsandboxed)) for c in LEVELS}
        process, origin, key, graph_id = start_axiom(tmp / "serve", ["--unsandboxed"] if args.unsandboxed else [])
        # a line per request on its stdout: read it, or the full pipe blocks the server
        threading.Thread(target=lambda: [None for _ in process.stdout or ()], daemon=True).start()
        try:
            served = {c: asyncio.run(serve_rate(origin, key, graph_id, inputs, c)) for c in LEVELS}
        finally:
            process.terminate()
            process.wait(timeout=30)
        results = [(c, batch[c], served[c]) for c in LEVELS]
    print(f"{args.rows} rows through the one-node hello flow (node host process"
          f"{', unsandboxed' if args.unsandboxed else ''})")
    print(f"{'concurrency':>12}{'batch rows/s':>15}{'serve rows/s':>15}{'batch/serve':>13}")
    for c, b, s in results:
        print(f"{c:>12}{b:>15.0f}{s:>15.0f}{b / s:>12.2f}x")


if __name__ == "__main__":
    main()
