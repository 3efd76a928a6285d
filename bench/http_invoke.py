"""HTTP invoke latency and throughput of ``axiom-ide serve`` against a bare aiohttp echo floor.

Starts a real server subprocess (``python -m axiom_ide serve --port 0``) over a copy of the example
workspace, compiles the one-node ``hello`` flow into its data dir, and times
``POST /invocations/v1/flows/invoke`` with ``wait: true`` (bearer key, JSON in and out, the node run
in its host process, the execution recorded with its events and checkpoint). In the same run it
times the same request shape against a bare aiohttp app in its own process whose only route
answers a similar body (the floor: HTTP + JSON + the event loop, nothing else), then prints both
and the ratio.

- latency: ``--n`` sequential requests on one keep-alive httpx.Client → p50 / p99
- throughput: ``--n`` requests from ``--concurrency`` concurrent httpx.AsyncClient tasks → req/s
- host start: the first request's latency (it starts the node host process)

The server runs twice in the same run: with the node sandbox (bubblewrap where present) and with
``--unsandboxed`` (no bwrap; limits and scrubbed environment only).

Targets (issue #4): ≥ 440 invokes/s, p50 within 3× of the echo floor.
Run: ``.venv/bin/python bench/http_invoke.py [--n 2000] [--concurrency 8]``.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
EXAMPLES = REPO / "axiom_ide" / "resources" / "examples" / "workspace"

_ECHO_APP = textwrap.dedent("""
    import json, sys, uuid
    from aiohttp import web
    async def echo(request):
        body = json.loads(await request.read())
        return web.json_response({"accepted": True, "execution_id": uuid.uuid4().hex,
                                  "result": {"success": True, "output": body["input"], "completed_at": 0}},
                                 status=202)
    async def main():
        app = web.Application()
        app.router.add_post("/invocations/v1/flows/invoke", echo)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print("listening on http://127.0.0.1:%d" % site._server.sockets[0].getsockname()[1], flush=True)
        import asyncio
        await asyncio.Event().wait()
    import asyncio
    asyncio.run(main())
""")


def _wait_origin(process: subprocess.Popen) -> str:
    lines = []
    for line in process.stdout:  # type: ignore[union-attr]
        lines.append(line)
        if "listening on " in line:
            return line.split("listening on ", 1)[1].split()[0]
    raise RuntimeError("server did not start:\n" + "".join(lines))


def start_axiom(tmp: Path, extra: list[str]) -> tuple[subprocess.Popen, str, str, str]:
    """(process, origin, key, graph_id of the compiled hello flow)."""
    from axiom_ide.runtime.compiler.compile import compile_flow
    from axiom_ide.runtime.model.flow_yaml import load_flow
    from axiom_ide.runtime.packages import Workspace
    from axiom_ide.runtime.store.apikeys import ApiKeyStore
    from axiom_ide.runtime.store.artifacts import ArtifactStore
    from axiom_ide.runtime.store.db import open_database

    workspace, data = tmp / "workspace", tmp / "data"
    shutil.copytree(EXAMPLES, workspace, ignore=shutil.ignore_patterns("gen", "__pycache__"))
    db = open_database(data)
    key, _ = ApiKeyStore(db).create("bench")
    artifact, _ = compile_flow(load_flow(workspace / "flows" / "hello.flow.yaml").flow, Workspace(workspace))
    ArtifactStore(db).put(artifact)
    db.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "axiom_ide", "serve", "--port", "0", "--data-dir", str(data),
         "--workspace", str(workspace), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    return process, _wait_origin(process), key, artifact.graph_id


def start_echo() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-c", _ECHO_APP], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    return process, _wait_origin(process)


def latency(origin: str, headers: dict, body: dict, n: int) -> tuple[list[float], float]:
    """Seconds per request, sequential, one keep-alive connection; and the first request's."""
    times = []
    with httpx.Client(base_url=origin, headers=headers, timeout=30) as c:
        t = time.perf_counter()
        _check(c.post("/invocations/v1/flows/invoke", json=body))
        first = time.perf_counter() - t
        for _ in range(min(200, n)):  # warm up (host process start, caches)
            _check(c.post("/invocations/v1/flows/invoke", json=body))
        for _ in range(n):
            t = time.perf_counter()
            r = c.post("/invocations/v1/flows/invoke", json=body)
            times.append(time.perf_counter() - t)
            _check(r)
    return times, first


def _check(r: httpx.Response) -> None:
    if r.status_code != 202 or not r.json().get("result", {}).get("success"):
        raise RuntimeError(f"unexpected answer: {r.status_code} {r.text}")


async def throughput(origin: str, headers: dict, body: dict, n: int, concurrency: int) -> float:
    """Requests per second with ``concurrency`` requests in flight."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=origin, headers=headers, timeout=30, limits=limits) as c:
        left = n

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                _check(await c.post("/invocations/v1/flows/invoke", json=body))

        await asyncio.gather(*(worker() for _ in range(concurrency)))  # warm the connections
        left = n
        t = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return n / (time.perf_counter() - t)


def _pct(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100)[int(q) - 1] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="requests per measurement (default 2000)")
    ap.add_argument("--concurrency", type=int, default=8, help="requests in flight for throughput (default 8)")
    ap.add_argument("--inline", action="store_true", help="run node handlers in the server process")
    args = ap.parse_args()
    from axiom_ide.runtime.host.sandbox import Sandbox

    sandbox = "inline" if args.inline else Sandbox().describe()
    runs = [(f"axiom ({sandbox})", ["--inline"] if args.inline else [])]
    if not args.inline:
        runs.append(("axiom unsandboxed", ["--unsandboxed"]))
    rows, firsts = [], []
    with tempfile.TemporaryDirectory(prefix="axiom-bench-") as tmp:
        for i, (label, extra) in enumerate(runs):
            axiom, origin, key, graph_id = start_axiom(Path(tmp) / str(i), extra)
            try:
                body = {"graph_id": graph_id, "input": {"name": "Ada"}, "wait": True}
                auth = {"Authorization": f"Bearer {key}"}
                times, first = latency(origin, auth, body, args.n)
                rps = asyncio.run(throughput(origin, auth, body, args.n, args.concurrency))
                rows.append((label, _pct(times, 50), _pct(times, 99), rps))
                firsts.append((label, first))
            finally:
                axiom.terminate()
                axiom.wait(timeout=30)
        echo, echo_origin = start_echo()
        try:
            times, _ = latency(echo_origin, auth, body, args.n)
            rps = asyncio.run(throughput(echo_origin, auth, body, args.n, args.concurrency))
            rows.append(("aiohttp echo", _pct(times, 50), _pct(times, 99), rps))
        finally:
            echo.terminate()
            echo.wait(timeout=30)
    print(f"POST /invocations/v1/flows/invoke, wait: true, one-node flow (hello); n={args.n}, "
          f"throughput with {args.concurrency} in flight; node host: {'inline' if args.inline else 'process'}")
    print(f"{'':<28}{'p50 ms':>10}{'p99 ms':>10}{'req/s':>10}")
    for label, p50, p99, rps in rows:
        print(f"{label:<28}{p50:>10.3f}{p99:>10.3f}{rps:>10.0f}")
    (_, a50, a99, arps), (_, e50, e99, erps) = rows[0], rows[-1]
    print(f"{'ratio ' + rows[0][0] + '/echo':<28}{a50 / e50:>9.2f}x{a99 / e99:>9.2f}x{arps / erps:>9.2f}x")
    for label, first in firsts:
        print(f"first invoke, {label} (starts the node host): {first * 1e3:.0f} ms")
    print(f"targets: >= 440 invokes/s ({'met' if arps >= 440 else 'MISSED'}), "
          f"p50 within 3x of the floor ({'met' if a50 <= 3 * e50 else 'MISSED'})")


if __name__ == "__main__":
    main()
