"""Per-invocation overhead of the node host (``axiom_ide.runtime.host``).

Prints µs per invoke for 1,000 sequential invokes of a sync handler with a tiny message (no
logging), the same with one ``ax.log`` line, and — for comparison — a bare gRPC unary call over a
Unix socket (the transport DESIGN.md first named; see axiom_ide/runtime/host/README.md).
Run: ``.venv/bin/python bench/host_rpc.py``.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
EXAMPLE = REPO / "axiom_ide" / "resources" / "examples" / "workspace" / "packages" / "text"
N = 1000

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


def _node(root: Path, handler: str):
    from axiom_ide.runtime.compiler.artifact import ArtifactNode

    return ArtifactNode(
        id=handler, instance=1, ref=f"examples/text@0.1.0:{handler}", kind="unary",
        package="examples/text", version="0.1.0", name=handler,
        input_type="examples.text.Text", output_type="examples.text.Text",
        handler=handler, package_root=str(root),
    )


async def _time(fn, n: int) -> float:
    for _ in range(100):
        await fn()
    t = time.perf_counter()
    for _ in range(n):
        await fn()
    return (time.perf_counter() - t) / n * 1e6


async def bench_host(root: Path) -> dict[str, float]:
    from axiom_ide.runtime.host import HostPool, NodeCall

    pool = HostPool(log_sink=lambda rec: None)
    call = NodeCall("exec-1", "flow-1", "tenant-1", "noop")
    payload = b"\n\x02hi"  # examples.text.Text(text="hi")
    try:
        results = {}
        for handler in ("noop", "echo"):
            node = _node(root, handler)
            results[handler] = await _time(lambda: pool.invoke(node, payload, call), N)
        return results
    finally:
        await pool.close()


async def bench_grpc_unary(tmp: Path) -> float:
    import grpc

    sock = str(tmp / "grpc.sock")
    proc = subprocess.Popen([sys.executable, "-c", _GRPC_SERVER, sock], stdout=subprocess.PIPE)
    try:
        proc.stdout.readline()
        async with grpc.aio.insecure_channel("unix:" + sock) as channel:
            ident = lambda b: b  # noqa: E731
            unary = channel.unary_unary("/bench.Echo/Unary", request_serializer=ident, response_deserializer=ident)
            return await _time(lambda: unary(b"\n\x02hi"), N)
    finally:
        proc.kill()
        proc.wait()


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="axb-"))
    try:
        root = tmp / "text"
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("gen", "__pycache__"))
        (root / "nodes" / "noop.py").write_text(
            "from gen.messages_pb2 import Text\n\n\ndef noop(ax, input):\n    return Text(text=input.text)\n"
        )
        host = asyncio.run(bench_host(root))
        print(f"host invoke, sync handler, tiny message:        {host['noop']:7.1f} µs/invoke ({N} sequential)")
        print(f"host invoke, same + one ax.log record:          {host['echo']:7.1f} µs/invoke")
        print(f"bare grpc.aio unary call (Unix socket), compare: {asyncio.run(bench_grpc_unary(tmp)):7.1f} µs/call")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
