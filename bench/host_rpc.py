"""Per-invocation overhead of the node host (``axiom_ide.runtime.host``).

Prints, for sequential invokes with a tiny message, the wall time per invoke, the runtime
process's own CPU per invoke (``time.process_time``) and the worker process's (its threads'
``/proc/<pid>/task/*/schedstat``; Linux only):

* ``noop``   — a sync handler, no logging, a bare NodeCall;
* ``engine`` — the same handler called the way the engine calls it on a 100-node chain: a
  variables map, a per-node reflection view of a 100-node graph, a new canvas id per call;
* ``echo``   — a sync handler writing one ``ax.log`` record;

and, for comparison, a bare gRPC unary call over a Unix socket (the transport DESIGN.md first
named; see axiom_ide/runtime/host/README.md). Each case runs ``--rounds`` times (interleaved);
the median is printed. Run: ``.venv/bin/python bench/host_rpc.py``.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
EXAMPLE = REPO / "axiom_ide" / "resources" / "examples" / "workspace" / "packages" / "text"

_GRPC_SERVER = textwrap.dedent("""
    import asyncio, sys, grpc
    async def unary(req, ctx): return req
    async def main():
        s = grpc.aio.server()
        ident = lambda b: b
        s.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
            "bench.Echo", {"Unary": grpc.unary_unary_rpc_method_handler(unary, ident, ident)}),))
        s.add_insecure_port("unix:" + sys.argv[1])
        await s.start()
        print("ready", flush=True)
        await s.wait_for_termination()
    asyncio.run(main())
""")


def _node(root: Path, handler: str, canvas_id: str | None = None):
    from axiom_ide.runtime.compiler.artifact import ArtifactNode

    return ArtifactNode(
        id=canvas_id or handler, instance=1, ref=f"examples/text@0.1.0:{handler}", kind="unary",
        package="examples/text", version="0.1.0", name=handler,
        input_type="examples.text.Text", output_type="examples.text.Text",
        handler=handler, package_root=str(root),
    )


def _engine_calls(root: Path, n: int = 100) -> list:
    """(node, call) pairs shaped like the engine's on an ``n``-node chain (runner.reflection_views)."""
    from axiom_ide.runtime.host import NodeCall

    ids = [f"n{i}" for i in range(n)]
    base = {
        "graph_id": "01BENCHGRAPH",
        "nodes": [{"instance_id": i + 1, "name": "Noop", "package_name": "examples/text", "package_version": "0.1.0",
                   "node_type": "node", "input_message_name": "examples.text.Text",
                   "output_message_name": "examples.text.Text", "canvas_node_id": c} for i, c in enumerate(ids)],
        "edges": [{"src_instance": i + 1, "dst_instance": i + 2, "canvas_edge_id": f"{a}->{b}", "has_condition": False,
                   "has_adapter": False, "max_iterations": 0} for i, (a, b) in enumerate(itertools.pairwise(ids))],
        "loop_edges": [],
    }
    views = {c: dict(base, position={"current_instance": i + 1, "depth": 0}) for i, c in enumerate(ids)}
    variables = {"API_KEY": "sk-bench", "region": "eu", "model": "small"}
    return [(_node(root, "noop", c), NodeCall("exec-1", "flow-1", "tenant-1", c, variables=variables,
                                              reflection=views[c], timeout_s=300.0)) for c in ids]


def _cpu_ns(pids: list[int]) -> int:
    """CPU time of the given processes' threads so far (0 where schedstat is unavailable)."""
    total = 0
    for pid in pids:
        for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
            try:
                total += int(stat.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass
    return total


async def _time(fn, n: int, pids=list) -> tuple[float, float, float]:
    """(wall µs, runtime-process CPU µs, CPU µs of ``pids()``) per call of ``fn(i)`` over ``n``
    sequential calls."""
    for i in range(100):
        await fn(i)
    w, c, o = time.perf_counter(), time.process_time(), _cpu_ns(pids())
    for i in range(n):
        await fn(i)
    return ((time.perf_counter() - w) / n * 1e6, (time.process_time() - c) / n * 1e6,
            (_cpu_ns(pids()) - o) / n / 1e3)


async def bench_host(root: Path, n: int, rounds: int) -> dict[str, list[tuple[float, float, float]]]:
    from axiom_ide.runtime.host import HostPool, NodeCall

    pool = HostPool(log_sink=lambda rec: None)
    bare = NodeCall("exec-1", "flow-1", "tenant-1", "noop")
    payload = b"\n\x02hi"  # examples.text.Text(text="hi")
    noop, echo = _node(root, "noop"), _node(root, "echo")
    engine = _engine_calls(root)
    cases = {
        "noop": lambda i: pool.invoke(noop, payload, bare),
        "engine": lambda i: pool.invoke(engine[i % 100][0], payload, engine[i % 100][1]),
        "echo": lambda i: pool.invoke(echo, payload, bare),
    }
    results: dict[str, list[tuple[float, float, float]]] = {k: [] for k in cases}

    def workers() -> list[int]:
        return [pid for h in pool._all for pid in h.process_tree()]

    try:
        for _ in range(rounds):
            for name, fn in cases.items():
                results[name].append(await _time(fn, n, workers))
        return results
    finally:
        await pool.close()


async def bench_grpc_unary(tmp: Path, n: int) -> float:
    import grpc

    sock = str(tmp / "grpc.sock")
    proc = subprocess.Popen([sys.executable, "-c", _GRPC_SERVER, sock], stdout=subprocess.PIPE)  # noqa: ASYNC220 — before the timed loop
    try:
        proc.stdout.readline()
        async with grpc.aio.insecure_channel("unix:" + sock) as channel:
            ident = lambda b: b  # noqa: E731
            unary = channel.unary_unary("/bench.Echo/Unary", request_serializer=ident, response_deserializer=ident)
            return (await _time(lambda i: unary(b"\n\x02hi"), n))[0]
    finally:
        proc.kill()
        proc.wait()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=3000, help="invokes per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-grpc", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="axb-"))
    try:
        root = tmp / "text"
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("gen", "__pycache__"))
        (root / "nodes" / "noop.py").write_text(
            "from gen.messages_pb2 import Text\n\n\ndef noop(ax, input):\n    return Text(text=input.text)\n"
        )
        host = asyncio.run(bench_host(root, args.n, args.rounds))
        labels = {
            "noop": "host invoke, sync handler, tiny message:",
            "engine": "same, engine-shaped call (vars, reflection):",
            "echo": "same + one ax.log record:",
        }
        print(f"{args.n} sequential invokes, median of {args.rounds} rounds; per invoke: wall, runtime-process CPU, "
              "worker-process CPU")
        for name, label in labels.items():
            wall, cpu, worker = (statistics.median(r[i] for r in host[name]) for i in range(3))
            print(f"{label:<46}{wall:7.1f} µs wall {cpu:7.1f} µs runtime CPU {worker:7.1f} µs worker CPU")
        if not args.no_grpc:
            print(f"{'bare grpc.aio unary call (Unix socket):':<46}{asyncio.run(bench_grpc_unary(tmp, args.n)):7.1f} µs wall")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
