"""Tenant isolation through the real server with two tenants' keys (issue 11): a node cannot read
the data dir, the key file, the database or the server's environ; it finds no other tenant's
variables in its host; one tenant's crashing, segfaulting, flooding or fork-then-exit node
leaves the other tenant's in-flight run alone (and its fd output out of that run's log); and
``serve`` will not run several tenants unsandboxed unless told."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import uuid

import httpx
import pytest
from engine_support import chain, write_package
from live_server import REPO, start_server, stop_server

INVOKE = "/invocations/v1/flows/invoke"

MANIFEST = """\
name: tests/attacks
version: 0.1.0
language: python
description: Nodes that attack the platform.
nodes:
  - {name: Peek, input: Text, output: Text}
  - {name: Env, input: Text, output: Text}
  - {name: Walker, input: Text, output: Text}
  - {name: Keep, input: Text, output: Text}
  - {name: Crash, input: Text, output: Text}
  - {name: Segfault, input: Text, output: Text}
  - {name: Flood, input: Text, output: Text}
  - {name: Forkexit, input: Text, output: Text}
  - {name: Hog, input: Text, output: Text}
"""
PROTO = 'syntax = "proto3";\npackage tests.attacks;\nmessage Text { string text = 1; }\n'
NODES = {
    "peek": ("import json, os\nfrom gen.messages_pb2 import Text\n"
             "def peek(ax, input):\n    seen = {}\n    for p in json.loads(input.text):\n"
             "        try:\n            seen[p] = os.listdir(p) if os.path.isdir(p) else open(p, 'rb').read(64).decode('latin-1')\n"
             "        except Exception as exc:\n            seen[p] = type(exc).__name__\n"
             "    return Text(text=json.dumps(seen))\n"),
    "env": ("import json, os\nfrom gen.messages_pb2 import Text\n"
            "def env(ax, input):\n    return Text(text=json.dumps(dict(os.environ)))\n"),
    # counts strings/bytes in the host's heap containing the needle (sent reversed)
    "walker": ("import gc\nfrom gen.messages_pb2 import Text\n"
               "def walker(ax, input):\n    needle = input.text[::-1]\n    raw = needle.encode()\n"
               "    hits, seen, todo = 0, set(), [(o, 0) for o in gc.get_objects()]\n"
               "    while todo:\n        obj, depth = todo.pop()\n        if id(obj) in seen:\n            continue\n"
               "        seen.add(id(obj))\n        if isinstance(obj, str):\n            hits += needle in obj\n"
               "        elif isinstance(obj, (bytes, bytearray)):\n            hits += raw in obj\n"
               "        elif depth < 3:\n            todo += [(r, depth + 1) for r in gc.get_referents(obj)]\n"
               "    return Text(text=str(hits))\n"),
    # input "<port> <seconds>": reads its tenant's secret, tells the test on 127.0.0.1:<port>
    # that it started (outbound network is allowed), then takes its time
    "keep": ("import socket, time\nfrom gen.messages_pb2 import Text\n"
             "def keep(ax, input):\n    value, ok = ax.secrets.get('TOKEN')\n    port, seconds = input.text.split()\n"
             "    if port != '0':\n        socket.create_connection(('127.0.0.1', int(port))).close()\n"
             "    time.sleep(float(seconds))\n    return Text(text=f'{ok}:{len(value)}')\n"),
    "crash": ("import os, signal\ndef crash(ax, input):\n    os.write(2, b'tenant-A-crash\\n')\n"
              "    os.kill(os.getpid(), signal.SIGKILL)\n"),
    "segfault": ("import ctypes, os\ndef segfault(ax, input):\n    os.write(2, b'tenant-A-segfault\\n')\n"
                 "    ctypes.string_at(0)\n"),
    "flood": ("import os\ndef flood(ax, input):\n    line = b'tenant-A-flood ' + b'z' * 200 + b'\\n'\n"
              "    while True:\n        os.write(1, line)\n        os.write(2, line)\n"),
    "forkexit": ("import os, subprocess, sys\ndef forkexit(ax, input):\n"
                 "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', input.text])\n"
                 "    os.write(2, b'tenant-A-forkexit\\n')\n    os._exit(3)\n"),
    "hog": ("from gen.messages_pb2 import Text\ndef hog(ax, input):\n"
            "    return Text(text=str(len(bytearray(3 << 30))))\n"),
}
NAMES = ["Peek", "Env", "Walker", "Keep", "Crash", "Segfault", "Flood", "Forkexit", "Hog"]


def _bwrap_or_skip() -> None:
    from axiom_ide.runtime.host.sandbox import Sandbox

    if Sandbox().tool() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("bubblewrap (bwrap) is missing or cannot run; scripts/ensure-test-tools.sh installs it")
        pytest.skip("bubblewrap (bwrap) is not available")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _bwrap_or_skip()
    root = tmp_path_factory.mktemp("tenants")
    import shutil

    from live_server import EXAMPLES

    workspace = root / "workspace"
    shutil.copytree(EXAMPLES, workspace, ignore=shutil.ignore_patterns("gen", "__pycache__", ".pytest_cache"))
    write_package(workspace, "attacks", MANIFEST, PROTO, NODES)
    for name in NAMES:
        chain(workspace, f"attack-{name.lower()}", [name], pkg="tests/attacks@0.1.0")
    os.environ["AXIOM_API_KEY"] = "ak_exported_in_the_servers_environment"
    try:
        live = start_server(root, workspace=workspace)
    finally:
        del os.environ["AXIOM_API_KEY"]
    yield live
    stop_server(live)


def run(live, flow: str, text: str, *, key: str | None = None, tenant: str = "local") -> dict:
    graph_id = live.compile(f"attack-{flow}", tenant_id=tenant)
    with live.client(key) as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": text}, "wait": True}, timeout=120)
    assert r.status_code == 202, r.text
    return r.json()


def output(body: dict) -> str:
    assert body["result"]["success"], body["result"]
    return body["result"]["output"]["text"]


def events(live, execution_id: str) -> list:
    from axiom_ide.runtime.store.db import open_database
    from axiom_ide.runtime.store.events import EventStore

    db = open_database(live.data_dir)
    try:
        return EventStore(db).list(execution_id)
    finally:
        db.close()


def put_secret(live, name: str, value: str, *, key: str) -> None:
    with live.client(key) as c:
        r = c.put(f"/api/secrets/{name}", json={"value": value})
    assert r.status_code in (200, 201), r.text


def test_a_node_sees_neither_the_data_dir_nor_the_servers_environ(server):
    data = server.data_dir
    paths = [str(data), str(data / "axiom.db"), str(data / "secret.key"), f"/proc/{server.process.pid}/environ",
             str(server.workspace / "packages" / "faults"), os.path.expanduser("~/.bash_history")]
    seen = json.loads(output(run(server, "peek", json.dumps(paths))))
    assert seen == dict.fromkeys(paths, "FileNotFoundError")
    env = json.loads(output(run(server, "env", "")))
    assert "AXIOM_API_KEY" not in env and "AXIOM_IDE_DATA_DIR" not in env
    assert not any(str(data) in v for v in env.values())


def test_a_host_holds_no_other_tenants_variables(server):
    """Tenant acme's secret is in every acme invocation's variables — an acme node walking its
    host's heap finds it (so the walk works) —, but tenant local's node, walking its own host's
    heap after acme's runs, finds nothing of it."""
    secret = "acme-token-" + uuid.uuid4().hex
    put_secret(server, "TOKEN", secret, key=server.other_key)
    assert output(run(server, "keep", "0 0", key=server.other_key, tenant="acme")) == f"True:{len(secret)}"
    assert int(output(run(server, "walker", secret[::-1], key=server.other_key, tenant="acme"))) >= 1
    assert output(run(server, "walker", secret[::-1])) == "0"


def test_a_memory_hog_gets_a_clear_error(server):
    body = run(server, "hog", "")
    assert body["result"]["success"] is False
    assert 'node "n1" exceeded the memory limit (1024 MiB)' in body["result"]["error"]


@pytest.mark.parametrize("attack", ["crash", "segfault", "flood", "forkexit"])
def test_one_tenants_failing_node_leaves_the_others_run_alone(server, attack):
    """acme's run is in flight (its node has started) when local's node crashes, segfaults, floods
    fd 1/2 or forks and exits: acme's run completes, and none of local's output is in its events."""
    graph_id = server.compile("attack-keep", tenant_id="acme")
    acme: dict = {}
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(60)
    port = listener.getsockname()[1]

    def acme_run():
        with server.client(server.other_key) as c:
            acme["body"] = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": f"{port} 2"}, "wait": True},
                                  timeout=120).json()

    started = threading.Thread(target=acme_run)
    started.start()
    with listener:
        listener.accept()[0].close()  # acme's node is running
    marker = f"axm{uuid.uuid4().hex[:10]}"
    mine = run(server, attack, marker)
    started.join(120)
    assert mine["result"]["success"] is False
    assert acme["body"]["result"]["success"], acme["body"]["result"]
    assert acme["body"]["result"]["output"]["text"].startswith("True:")
    theirs = events(server, acme["body"]["execution_id"])
    assert not any("tenant-A" in json.dumps(e.to_json()) for e in theirs)
    if attack == "forkexit":
        assert "exited (code 3)" in mine["result"]["error"]


def test_serve_refuses_several_tenants_without_the_sandbox_unless_told(tmp_path):
    """With bwrap missing (not on PATH) and keys of two tenants, serve exits with a clear message;
    ``--unsandboxed`` serves anyway."""
    from axiom_ide.runtime.store.apikeys import ApiKeyStore
    from axiom_ide.runtime.store.db import open_database

    data = tmp_path / "data"
    db = open_database(data)
    ApiKeyStore(db).create("a")
    ApiKeyStore(db).create("b", tenant_id="acme")
    db.close()
    bin_dir = tmp_path / "bin"  # a PATH without bwrap
    bin_dir.mkdir()
    env = dict(os.environ, PATH=str(bin_dir), PYTHONPATH=str(REPO))
    r = subprocess.run([sys.executable, "-m", "axiom_ide", "serve", "--port", "0", "--data-dir", str(data)],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2
    assert r.stderr.splitlines()[-1].startswith("error: API keys of 2 tenants exist (acme, local), but node code would run without a "
                               "sandbox here (limits and scrubbed environment only: bubblewrap is missing or cannot run).")
    assert "--unsandboxed" in r.stderr
    proc = subprocess.Popen([sys.executable, "-m", "axiom_ide", "serve", "--port", "0", "--data-dir", str(data),
                             "--unsandboxed"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        line = ""
        while "listening on " not in line:
            line = proc.stdout.readline()
            assert line, "serve --unsandboxed did not start"
        origin = line.split("listening on ", 1)[1].split()[0]
        assert httpx.get(f"{origin}/invocations/v1/executions").status_code == 401  # it serves
    finally:
        proc.terminate()
        proc.wait(30)
