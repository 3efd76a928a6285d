"""What the node host tests share: the example text package with misbehaving nodes added,
node/call builders and a fresh-pool runner (fixtures ``package`` and ``messages`` are in conftest.py)."""
from __future__ import annotations

import asyncio
import shutil
import textwrap
from pathlib import Path

from axiom_ide.runtime.compiler.artifact import ArtifactNode
from axiom_ide.runtime.host import HostPool, NodeCall
from axiom_ide.runtime.host.freshness import ensure_gen

REPO = Path(__file__).resolve().parents[2]
TEXT = REPO / "axiom_ide" / "resources" / "examples" / "workspace" / "packages" / "text"

NODES = {
    "async_greet": """
        import asyncio
        from gen.messages_pb2 import GreetReply

        async def async_greet(ax, input):
            await asyncio.sleep(0.01)
            ax.log.warn("awaited", who=input.name)
            return GreetReply(greeting="Hi " + input.name)
    """,
    "boom": """
        def boom(ax, input):
            raise ValueError("name must not be empty: got " + repr(input.name))
    """,
    "wrong_type": """
        from gen.messages_pb2 import Text

        def wrong_type(ax, input):
            return Text(text="oops")
    """,
    "crash": """
        import os, signal

        def crash(ax, input):
            os.write(2, b"about to die\\n")
            os.kill(os.getpid(), signal.SIGKILL)
    """,
    "sleepy": """
        import time
        from gen.messages_pb2 import GreetReply

        def sleepy(ax, input):
            time.sleep(float(input.name))
            return GreetReply(greeting="slept " + input.name)
    """,
    "barrier": """
        import pathlib, time
        from gen.messages_pb2 import GreetReply

        def barrier(ax, input):
            # input "<dir>|<n>|<me>": arrive, then wait until n invocations have arrived (at most 60 s):
            # done only when they all run at once, since each holds its thread until the others come
            folder, n, me = input.name.split("|")
            pathlib.Path(folder).mkdir(exist_ok=True)  # in the host's own (private) /tmp
            (pathlib.Path(folder) / me).touch()
            deadline = time.monotonic() + 60
            while len(list(pathlib.Path(folder).iterdir())) < int(n):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{me} waited alone: the invocations did not run concurrently")
                time.sleep(0.005)
            return GreetReply(greeting="met " + n)
    """,
    "huge": """
        from gen.messages_pb2 import GreetReply

        def huge(ax, input):
            return GreetReply(greeting="x" * (17 * 1024 * 1024))
    """,
    "chatty": """
        from gen.messages_pb2 import GreetReply

        def chatty(ax, input):
            for i in range(100000):
                ax.log.info("line " + "y" * 200, i=i)
            return GreetReply()
    """,
    "secret": """
        from gen.messages_pb2 import GreetReply

        def secret(ax, input):
            value, ok = ax.secrets.get("API_KEY")
            missing = ax.secrets.get("NOT_REGISTERED")
            return GreetReply(greeting=f"{value}|{ok}|{missing!r}|{ax.execution_id}|{ax.flow_id}|{ax.tenant_id}")
    """,
    "remember": """
        from gen.messages_pb2 import GreetReply

        async def remember(ax, input):
            new_id = await ax.agent.memory.write("likes tea", importance=0.9)
            found = await ax.agent.memory.search("tea", limit=3)
            session = ax.agent.memory.session("s-1")
            await session.history.append(role="user", content=input.name)
            turns = await session.history.last(5)
            await session.end()
            return GreetReply(greeting="|".join([
                new_id, ",".join(f"{e.content}:{e.score}" for e in found),
                ",".join(f"{t.role}:{t.content}" for t in turns), type(found[0]).__name__ if found else "-",
            ]))
    """,
    "reflect": """
        from gen.messages_pb2 import GreetReply

        def reflect(ax, input):
            flow = ax.reflection.flow
            pos = flow.position
            down = [e.dst_instance for e in flow.edges if e.src_instance == pos.current_instance]
            cond = flow.edges[0].condition_summary
            return GreetReply(greeting=f"{flow.graph_id}|{[n.canvas_node_id for n in flow.nodes]}|{down}|"
                                       f"{pos.loop_iterations}|{cond.operands if cond else None}")
    """,
    "printer": """
        from gen.messages_pb2 import GreetReply

        def printer(ax, input):
            print("hello from print", input.name)
            return GreetReply(greeting="printed")
    """,
    "async_words": """
        from gen.messages_pb2 import Word

        async def async_words(ax, inputs):
            n = 0
            async for text in inputs:
                for w in text.text.split():
                    yield Word(word=w[::-1], index=n)
                    n += 1
    """,
}


def text_package(tmp_path_factory, label: str, nodes: dict[str, str]) -> Path:
    """A copy of the example text package with ``nodes`` (handler name → source) added, gen/ built."""
    root = tmp_path_factory.mktemp(label) / "text"
    shutil.copytree(TEXT, root, ignore=shutil.ignore_patterns("gen", "__pycache__", ".pytest_cache"))
    for name, body in nodes.items():
        (root / "nodes" / f"{name}.py").write_text(textwrap.dedent(body))
    ensure_gen(root)
    return root


def node(root: Path, handler: str, *, kind: str = "unary", input: str = "GreetRequest", output: str = "GreetReply") -> ArtifactNode:
    return ArtifactNode(
        id=handler, instance=1, ref=f"examples/text@0.1.0:{handler}", kind=kind,
        package="examples/text", version="0.1.0", name=handler,
        input_type=f"examples.text.{input}", output_type=f"examples.text.{output}",
        handler=handler, package_root=str(root),
    )


def call(canvas_id: str, **kw) -> NodeCall:
    return NodeCall(execution_id=kw.pop("execution_id", "exec-1"), flow_id="flow-1", tenant_id="tenant-1", canvas_id=canvas_id, **kw)


def run(coro_fn, **pool_kw):
    """Run ``coro_fn(pool)`` with a fresh pool on a fresh event loop; always closes the pool."""

    async def main():
        pool = HostPool(**pool_kw)
        try:
            return await coro_fn(pool)
        finally:
            await pool.close()

    return asyncio.run(main())


def greet_request(messages, name: str) -> bytes:
    return messages["GreetRequest"](name=name).SerializeToString()
