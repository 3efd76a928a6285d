"""A real ``axiom-ide serve`` in a subprocess on 127.0.0.1 (what tests/server's ``live`` fixture and
every other test that needs "the remote" start; tests/server is on pytest's pythonpath, so any test
imports it as ``live_server``).

:func:`start_server` starts it on a free port over a fresh copy of the example workspace and data dir, with one
API key for tenant ``local`` (``live.key``) and one for tenant ``acme`` (``live.other_key``).
``live.compile("hello")`` compiles a workspace flow into the server's database and returns its
graph id. Clients are real httpx clients.

:func:`live_fixture` makes a test module's ``live`` fixture: one such server shared by the module
(``live = live_fixture("remote", "--limits", "platform", setup=...)``); :func:`remote_fixture` a
test's ``remote(key=None, **kw)`` factory of RemoteBackends on it, closed after the test.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "axiom_ide" / "resources" / "examples" / "workspace"


@dataclass
class LiveServer:
    origin: str
    data_dir: Path
    workspace: Path
    key: str
    other_key: str
    process: subprocess.Popen
    _graphs: dict[str, str] = field(default_factory=dict)
    #: What it printed after its "listening on" line, read as it comes (a server logs a line per
    #: request: with nobody reading, the pipe would fill and the server block).
    output: list[str] = field(default_factory=list, init=False)
    _reader: threading.Thread | None = field(default=None, init=False)

    def drain(self) -> None:
        self._reader = threading.Thread(target=lambda: self.output.extend(self.process.stdout), daemon=True)
        self._reader.start()

    def headers(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.key}"}

    def client(self, key: str | None = None, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.origin, headers=self.headers(key), timeout=kw.pop("timeout", 30), **kw)

    def compile(self, flow: str, *, tenant_id: str = "local") -> str:
        """Compile ``flows/<flow>.flow.yaml`` into the server's store; returns the graph id."""
        cache_key = f"{tenant_id}/{flow}"
        if cache_key not in self._graphs:
            from axiom_ide.runtime.compiler.compile import compile_flow
            from axiom_ide.runtime.model.flow_yaml import load_flow
            from axiom_ide.runtime.packages import Workspace
            from axiom_ide.runtime.store.artifacts import ArtifactStore
            from axiom_ide.runtime.store.db import open_database

            db = open_database(self.data_dir)
            try:
                artifact, analysis = compile_flow(load_flow(self.workspace / "flows" / f"{flow}.flow.yaml").flow,
                                                  Workspace(self.workspace))
                assert artifact is not None, [d.message for d in analysis.diagnostics]
                ArtifactStore(db).put(artifact, tenant_id=tenant_id)
            finally:
                db.close()
            self._graphs[cache_key] = artifact.graph_id
        return self._graphs[cache_key]


def copy_examples(workspace: Path) -> Path:
    """A fresh copy of the example workspace at ``workspace`` (no generated files)."""
    shutil.copytree(EXAMPLES, workspace, ignore=shutil.ignore_patterns("gen", "__pycache__", ".pytest_cache"))
    return workspace


def start_server(root: Path, *extra: str, workspace: Path | None = None) -> LiveServer:
    from axiom_ide.runtime.store.apikeys import ApiKeyStore
    from axiom_ide.runtime.store.db import open_database

    data_dir = root / "data"
    if workspace is None:
        workspace = copy_examples(root / "workspace")
    db = open_database(data_dir)
    keys = ApiKeyStore(db)
    key, _ = keys.create("test")
    other_key, _ = keys.create("other", tenant_id="acme")
    db.close()
    env = dict(os.environ, AXIOM_IDE_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    from axiom_ide.runtime.host.sandbox import Sandbox

    if not Sandbox().isolated:  # two tenants' keys: serve refuses to run them unsandboxed unless told
        extra = ("--unsandboxed", *extra)
    process = subprocess.Popen(
        [sys.executable, "-m", "axiom_ide", "serve", "--port", "0", "--data-dir", str(data_dir),
         "--workspace", str(workspace), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.monotonic() + 60
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "listening on " in line:
            origin = line.split("listening on ", 1)[1].split()[0]
            server = LiveServer(origin, data_dir, workspace, key, other_key, process)
            server.drain()
            return server
    process.kill()
    raise RuntimeError("server did not start:\n" + "".join(lines))


def stop_server(server: LiveServer) -> str:
    """SIGTERM, wait, return the rest of its output."""
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    if server._reader is None:
        out, _ = server.process.communicate()
        return out or ""
    server._reader.join(timeout=30)
    return "".join(server.output)


def live_fixture(name: str, *server_args: str, prepare: Callable[[Path], object] | None = None,
                 setup: Callable[[LiveServer], object] | None = None):
    """A module-scoped ``live`` fixture: :func:`start_server` under a temp dir named ``name``, with
    ``server_args`` (e.g. ``"--limits", "platform"``); ``prepare(workspace)`` edits the copy of the
    example workspace before the server starts on it, ``setup(server)`` runs once it listens. Stopped
    when the module's tests are done. Assign it in the module: ``live = live_fixture("remote")``."""

    @pytest.fixture(scope="module", name="live")
    def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
        root = tmp_path_factory.mktemp(name)
        workspace = None
        if prepare is not None:
            workspace = copy_examples(root / "workspace")
            prepare(workspace)
        server = start_server(root, *server_args, workspace=workspace)
        try:
            if setup is not None:
                setup(server)
            yield server
        finally:
            stop_server(server)

    return live


def remote_fixture(poll_interval: float = 0.05):
    """A test's ``remote`` fixture over the module's ``live`` server: ``remote(key=None, **kw)`` makes a
    real RemoteBackend (``live.key`` by default; ``kw`` as RemoteBackend takes them), all closed after
    the test. Assign it in the module: ``remote = remote_fixture()``."""

    @pytest.fixture(name="remote")
    def remote(live: LiveServer, aio: Callable[..., object]) -> Iterator[Callable[..., object]]:
        from axiom_ide.backends.remote import RemoteBackend

        backends: list[RemoteBackend] = []

        def make(key: str | None = None, **kw: object) -> RemoteBackend:
            kw.setdefault("poll_interval", poll_interval)
            backend = RemoteBackend(live.origin, key or live.key, **kw)  # type: ignore[arg-type]
            backends.append(backend)
            return backend

        yield make
        for backend in backends:
            aio(backend.close())

    return remote


async def serve_handler(handler) -> tuple[object, str]:
    """A throwaway aiohttp server on 127.0.0.1 answering every path with ``handler`` (a misbehaving
    remote a test scripts); its runner (``await runner.cleanup()`` when done) and origin."""
    from aiohttp import web

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"
