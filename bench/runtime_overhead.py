"""Per-node step overhead of the engine, against LangGraph with SqliteSaver.

Linear chains of 10 / 100 / 1,000 trivial nodes (a pass-through handler), each run end to end:

* ``host+sqlite`` — the real runtime: node code in a sandboxed host process (bubblewrap where
  present), every step checkpointed durably together with its events (one step-journal append,
  as durable as a WAL commit with synchronous=NORMAL; folded into SQLite in the run's final
  transaction);
* ``unsandboxed+sqlite`` — the same with the sandbox off (``Sandbox(enabled=False)``);
* ``inline+sqlite`` — same durable checkpoints, handlers called in-process;
* ``inline+memory`` — the pure scheduler: in-process handlers, in-memory checkpoints;
* ``langgraph+sqlite`` — LangGraph StateGraph of the same shape with SqliteSaver (if installed).

Prints µs/step (the median of ``--repeat`` runs, and the best), checkpoint bytes per step, the
ratio of the medians to LangGraph's (the budget for a sandboxed host is 1/5), and each host
configuration's start time (spawn to ready, and the first run of the smallest chain, which
includes it).
Run: ``.venv/bin/python bench/runtime_overhead.py``.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from axiom_ide.runtime.compiler.compile import compile_flow
from axiom_ide.runtime.engine.inline import InlineInvoker
from axiom_ide.runtime.host.sandbox import Sandbox
from axiom_ide.runtime.model.flow_yaml import load_flow
from axiom_ide.runtime.packages import Workspace
from axiom_ide.runtime.runtime import Runtime
from axiom_ide.runtime.store.checkpoints import MemoryCheckpointStore

MANIFEST = """name: bench/trivial\nversion: 0.1.0\nlanguage: python\ndescription: Trivial nodes.\n
nodes:\n  - {name: Relay, input: Text, output: Text}\n"""
PROTO = 'syntax = "proto3";\npackage bench.trivial;\nmessage Text { string text = 1; }\n'
NODE = "def relay(ax, input):\n    return input\n"


def make_workspace(root: Path, sizes: list[int]) -> Workspace:
    pkg = root / "packages" / "trivial"
    (pkg / "messages").mkdir(parents=True)
    (pkg / "nodes").mkdir()
    (pkg / "axiom.yaml").write_text(MANIFEST)
    (pkg / "messages" / "messages.proto").write_text(PROTO)
    (pkg / "nodes" / "relay.py").write_text(NODE)
    (root / "flows").mkdir()
    for n in sizes:
        lines = [f"name: chain{n}", "mode: unary", "imports: [bench/trivial@0.1.0]", "nodes:"]
        for i in range(n):
            lines += [f"  - id: n{i}", "    node: bench/trivial@0.1.0:Relay", f"    col: {i}", "    row: 0"]
        lines.append("edges:" if n > 1 else "edges: []")
        lines += [f"  - {{from: n{i}, to: n{i + 1}}}" for i in range(n - 1)]
        (root / "flows" / f"chain{n}.flow.yaml").write_text("\n".join(lines) + "\n")
    return Workspace(root)


def db_bytes(rt: Runtime) -> int:
    """The database's size with the WAL folded in (the WAL file itself is preallocated up to the
    autocheckpoint size, so counting it would measure that, not what a step stores)."""
    with rt.db.lock:
        rt.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in rt.data_dir.glob("axiom.db*"))


#: label -> (host spawn-to-ready s, first run of the smallest chain s)
STARTS: dict[str, tuple[float, float]] = {}


async def bench_runtime(rt: Runtime, artifacts: dict, repeat: int, label: str = "") -> dict[int, tuple[float, float]]:
    out = {}
    payload = {"text": "x" * 32}
    for n, art in artifacts.items():
        t0 = time.perf_counter()
        await rt.run(art, payload)  # warm (host start, imports)
        hosts = getattr(rt.invoker, "_all", None)
        if hosts and label not in STARTS:
            STARTS[label] = (max(h.start_s for h in hosts), time.perf_counter() - t0)
        times = []
        before = db_bytes(rt)
        for _ in range(repeat):
            t0 = time.perf_counter()
            outcome = await rt.run(art, payload)
            times.append(time.perf_counter() - t0)
            assert outcome.success, outcome.error
        grown = (db_bytes(rt) - before) / (repeat * n)
        out[n] = (statistics.median(times) / n * 1e6, grown, min(times) / n * 1e6)
    return out


def bench_langgraph(sizes: list[int], repeat: int, tmp: Path) -> dict[int, tuple[float, float]] | None:
    try:
        import sqlite3
        from typing import TypedDict

        from langgraph.checkpoint.sqlite import SqliteSaver
        from langgraph.graph import END, START, StateGraph
    except ImportError:
        return None

    class State(TypedDict):
        text: str

    def node(state: State) -> State:
        return {"text": state["text"]}

    out = {}
    for n in sizes:
        g = StateGraph(State)
        for i in range(n):
            g.add_node(f"n{i}", node)
        g.add_edge(START, "n0")
        for i in range(n - 1):
            g.add_edge(f"n{i}", f"n{i + 1}")
        g.add_edge(f"n{n - 1}", END)
        path = tmp / f"lg{n}.db"
        conn = sqlite3.connect(str(path), check_same_thread=False)
        saver = SqliteSaver(conn)
        app = g.compile(checkpointer=saver)
        cfg = {"recursion_limit": n + 10}
        app.invoke({"text": "x" * 32}, {**cfg, "configurable": {"thread_id": "warm"}})
        times = []
        before = sum(p.stat().st_size for p in tmp.glob(f"lg{n}.db*"))
        for r in range(repeat):
            t0 = time.perf_counter()
            app.invoke({"text": "x" * 32}, {**cfg, "configurable": {"thread_id": f"t{r}"}})
            times.append(time.perf_counter() - t0)
        grown = (sum(p.stat().st_size for p in tmp.glob(f"lg{n}.db*")) - before) / (repeat * n)
        out[n] = (statistics.median(times) / n * 1e6, grown, min(times) / n * 1e6)
        conn.close()
    return out


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="axiom-bench-") as tmpdir:
        tmp = Path(tmpdir)
        ws = make_workspace(tmp / "ws", sizes)
        results: dict[str, dict] = {}
        configs = {
            "host+sqlite": {},
            "unsandboxed+sqlite": {"sandbox": Sandbox(enabled=False)},
            "inline+sqlite": {"invoker": InlineInvoker(threaded=False)},
            "inline+memory": {"invoker": InlineInvoker(threaded=False), "checkpoints": MemoryCheckpointStore()},
        }
        for label, kw in configs.items():
            rt = Runtime(tmp / label, use_keyring=False, **kw)
            arts = {}
            for n in sizes:
                flow = load_flow(str(tmp / "ws" / "flows" / f"chain{n}.flow.yaml")).flow
                arts[n], _ = compile_flow(flow, ws, store=rt.artifacts)
            results[label] = await bench_runtime(rt, arts, args.repeat, label)
            await rt.close()
        lg = bench_langgraph(sizes, args.repeat, tmp)
        if lg is not None:
            results["langgraph+sqlite"] = lg
        payload = 2 * (32 + 2)
        print(f"per-node step overhead, linear chains (median of {args.repeat} runs, best in brackets); "
              f"checkpoint payload {payload} B/step (input+output protobuf)")
        print(f"{'config':<18}" + "".join(f"{f'{n} nodes':>32}" for n in sizes))
        for label, by_n in results.items():
            cells = "".join(f"{f'{us:7.1f} ({lo:7.1f}) µs/step {b:6.0f} B':>32}" for us, b, lo in (by_n[n] for n in sizes))
            print(f"{label:<18}{cells}")
        if lg is None:
            print("langgraph not installed (pip install -e '.[bench]'); no comparison")
        else:
            for label in ("host+sqlite", "unsandboxed+sqlite", "inline+sqlite", "inline+memory"):
                ratios = "  ".join(f"{n}: {results[label][n][0] / lg[n][0]:.2f}x" for n in sizes)
                budget = "   (budget: <= 0.20x)" if label == "host+sqlite" else ""
                print(f"ratio {label:<18} / langgraph+sqlite   {ratios}{budget}")
        sandbox = Sandbox().describe()
        for label, (ready, first) in STARTS.items():
            what = f"sandbox: {sandbox}" if label == "host+sqlite" else "sandbox off"
            print(f"host start, {label} ({what}): {ready * 1e3:.0f} ms spawn to ready; first run of the "
                  f"{sizes[0]}-node chain {first * 1e3:.0f} ms")
        print("(B = database growth per step: checkpoint row + events, including SQLite page overhead)")


if __name__ == "__main__":
    os.environ.setdefault("AXIOM_IDE_DATA_DIR", tempfile.mkdtemp(prefix="axiom-bench-data-"))
    asyncio.run(main())
