"""The node sandbox through real host processes: what node code can see (bubblewrap), its
environment, its resource limits, and that nothing it starts outlives its host or the runtime."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from host_support import REPO, greet_request, node, text_package

from axiom_ide.runtime.host import HostPool, NodeCall, NodeCrashed, NodeFailure
from axiom_ide.runtime.host import sandbox as sandbox_mod
from axiom_ide.runtime.host.sandbox import HostLimits, Sandbox

NODES = {
    # input: JSON list of paths; output: JSON {path: "read" | "listed" | exception class name}
    "peek": """
        import json, os
        from gen.messages_pb2 import GreetReply

        def peek(ax, input):
            seen = {}
            for path in json.loads(input.name):
                try:
                    if os.path.isdir(path):
                        os.listdir(path)
                        seen[path] = "listed"
                    else:
                        with open(path, "rb") as f:
                            f.read(16)
                        seen[path] = "read"
                except Exception as exc:
                    seen[path] = type(exc).__name__
            return GreetReply(greeting=json.dumps(seen))
    """,
    "env": """
        import json, os
        from gen.messages_pb2 import GreetReply

        def env(ax, input):
            return GreetReply(greeting=json.dumps(dict(os.environ)))
    """,
    "procs": """
        import json, os
        from gen.messages_pb2 import GreetReply

        def procs(ax, input):
            return GreetReply(greeting=json.dumps(sorted(int(p) for p in os.listdir("/proc") if p.isdigit())))
    """,
    "scratch": """
        import os
        from gen.messages_pb2 import GreetReply

        def scratch(ax, input):
            with open("/tmp/scratch.txt", "w") as f:
                f.write(input.name)
            with open("/tmp/scratch.txt") as f:
                return GreetReply(greeting=f.read() + "|" + ",".join(sorted(os.listdir("/tmp"))))
    """,
    "hog": """
        from gen.messages_pb2 import GreetReply

        def hog(ax, input):
            block = bytearray(int(input.name) << 20)
            return GreetReply(greeting=str(len(block)))
    """,
    "files": """
        import os
        from gen.messages_pb2 import GreetReply

        def files(ax, input):
            held = [open(os.devnull) for _ in range(int(input.name))]
            return GreetReply(greeting=str(len(held)))
    """,
    "bigfile": """
        from gen.messages_pb2 import GreetReply

        def bigfile(ax, input):
            with open("/tmp/big.bin", "wb") as f:
                for _ in range(int(input.name)):
                    f.write(b"x" * (1 << 20))
            return GreetReply(greeting="written")
    """,
    # input "<marker> <then>": start a child named by the marker that sleeps 600 s, then
    # exit the host ("exit") or answer ("return").
    "spawner": """
        import os, subprocess, sys
        from gen.messages_pb2 import GreetReply

        def spawner(ax, input):
            marker, then = input.name.split()
            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", marker])
            if then == "exit":
                os._exit(3)
            return GreetReply(greeting="spawned")
    """,
    "nap": """
        import time
        from gen.messages_pb2 import GreetReply

        def nap(ax, input):
            time.sleep(float(input.name))
            return GreetReply(greeting="rested")
    """,
    "bomb": """
        import subprocess

        def bomb(ax, input):
            children = []
            try:
                while True:
                    children.append(subprocess.Popen(["sleep", "60"]))
            finally:
                for child in children:
                    child.kill()
                    child.wait()
    """,
    # A forked copy of the host that keeps every fd (the connection too), named by the marker.
    "forker": """
        import ctypes, os, time

        def forker(ax, input):
            if os.fork() == 0:
                ctypes.CDLL(None).prctl(15, input.name.encode(), 0, 0, 0)  # PR_SET_NAME
                time.sleep(600)
                os._exit(0)
            os._exit(3)
    """,
}

BWRAP = shutil.which("bwrap")


@pytest.fixture
def bwrap():
    """bwrap must be there: under CI a missing bwrap fails these tests instead of skipping them."""
    if BWRAP is None or Sandbox().tool() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("bubblewrap (bwrap) is missing or cannot create a sandbox; scripts/ensure-test-tools.sh installs it")
        pytest.skip("bubblewrap (bwrap) is not available")
    return BWRAP


#: The fallback: no bwrap, hosts get limits and a scrubbed environment only.
NO_BWRAP = Sandbox(bwrap="/nonexistent/bwrap")


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return text_package(tmp_path_factory, "sandbox", NODES)


def call(canvas_id: str, **kw) -> NodeCall:
    return NodeCall(execution_id="exec-1", flow_id="flow-1", tenant_id="tenant-1", canvas_id=canvas_id, **kw)


def invoke(package, messages, handler: str, text: str, **pool_kw) -> str:
    async def go():
        pool = HostPool(**pool_kw)
        try:
            out = await pool.invoke(node(package, handler), greet_request(messages, text), call(handler))
            return messages["GreetReply"].FromString(out).greeting
        finally:
            await pool.close()

    return asyncio.run(go())


def failure(package, messages, handler: str, text: str, **pool_kw) -> tuple[Exception, str]:
    """The error ``handler`` fails with, and the next invocation's answer on the same pool."""

    async def go():
        pool = HostPool(**pool_kw)
        try:
            with pytest.raises(Exception) as info:
                await pool.invoke(node(package, handler), greet_request(messages, text), call(handler, timeout_s=60))
            out = await pool.invoke(node(package, "procs"), greet_request(messages, ""), call("after"))
            return info.value, messages["GreetReply"].FromString(out).greeting
        finally:
            await pool.close()

    return asyncio.run(go())


def processes_named(marker: str) -> list[int]:
    """Live processes whose command line or name contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if stat.rsplit(") ", 1)[-1].startswith("Z"):
                continue
            text = (entry / "cmdline").read_bytes().decode(errors="replace") + (entry / "comm").read_text()
        except OSError:
            continue
        if marker in text:
            found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError as exc:
        return repr(exc)


def wait_present(marker: str, timeout: float = 20.0) -> list[int]:
    """Processes named ``marker``, waiting for one: a child that Popen just returned may still be
    inside execve, its command line not set yet."""
    deadline = time.monotonic() + timeout
    while not (found := processes_named(marker)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return found


def wait_gone(marker: str, timeout: float = 20.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := processes_named(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


# -- what node code sees ------------------------------------------------------------------------


def test_node_sees_its_package_and_nothing_of_the_platform(package, messages, bwrap, tmp_path):
    """The data dir, its database and key file, another package, the user's home and the
    runtime's /proc environ are invisible; the package and the Python runtime are readable."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "axiom.db").write_bytes(b"SQLite format 3\0")
    (data / "secret.key").write_bytes(b"master key")
    other = tmp_path / "other-package"
    other.mkdir()
    (other / "axiom.yaml").write_text("name: other\n")
    in_home = Path(os.path.expanduser("~")) / f".axiom-sandbox-test-{uuid.uuid4().hex}"
    in_home.write_text("the user's own file")
    try:
        paths = [str(data), str(data / "axiom.db"), str(data / "secret.key"), str(other / "axiom.yaml"), str(in_home),
                 f"/proc/{os.getpid()}/environ", "/etc/shadow", str(package / "axiom.yaml"), str(package / "gen"),
                 sys.executable, sandbox_mod.__file__]
        seen = json.loads(invoke(package, messages, "peek", json.dumps(paths)))
    finally:
        in_home.unlink()
    for hidden in paths[:7]:
        assert seen[hidden] == "FileNotFoundError", (hidden, seen[hidden])
    assert seen[str(package / "axiom.yaml")] == "read" and seen[str(package / "gen")] == "listed"
    assert seen[sys.executable] == "read" and seen[sandbox_mod.__file__] == "read"


def test_node_cannot_write_its_package_and_has_a_private_tmp(package, messages, bwrap, tmp_path):
    outside = Path("/tmp") / f"outside-{uuid.uuid4().hex}"
    outside.write_text("runtime's /tmp")
    try:
        written, listing = invoke(package, messages, "scratch", "mine").split("|")
    finally:
        outside.unlink()
    assert written == "mine" and "scratch.txt" in listing.split(",") and outside.name not in listing
    assert not (Path("/tmp") / "scratch.txt").exists()

    seen = json.loads(invoke(package, messages, "peek", json.dumps([str(package / "axiom.yaml")])))
    assert seen[str(package / "axiom.yaml")] == "read"


def test_node_sees_only_its_own_processes(package, messages, bwrap):
    pids = json.loads(invoke(package, messages, "procs", ""))
    assert os.getpid() not in pids
    assert len(pids) <= 3  # bwrap's init and the worker (Python may show one more briefly)


@pytest.mark.parametrize("sandbox", [Sandbox(), NO_BWRAP], ids=["bwrap", "no-bwrap"])
def test_environment_is_the_allow_list(package, messages, monkeypatch, sandbox):
    if sandbox.bwrap == "bwrap" and Sandbox().tool() is None:
        pytest.skip("bubblewrap is not available") if os.environ.get("CI") != "true" else pytest.fail("no bwrap")
    monkeypatch.setenv("AXIOM_API_KEY", "ak_live_should_not_leak")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "nor-this")
    monkeypatch.setenv("LC_TIME", "C")
    env = json.loads(invoke(package, messages, "env", "", sandbox=sandbox))
    assert "AXIOM_API_KEY" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    allowed = set(sandbox_mod.ENV_ALLOW) | {"HOME", "TMPDIR", "PYTHONPATH", "PYTHONUNBUFFERED", "PYTHONNOUSERSITE",
                                            "MALLOC_ARENA_MAX", "PWD"}
    assert {k for k in env if not k.startswith("LC_")} <= allowed
    assert env["LC_TIME"] == "C" and env["PYTHONPATH"] == str(REPO)
    assert env["HOME"] == env["TMPDIR"] and env["HOME"] != os.path.expanduser("~")


def test_unsandboxed_hosts_keep_the_runtime_environment(package, messages, monkeypatch):
    """The desktop's relaxed setting (local debugging of native code)."""
    monkeypatch.setenv("AXIOM_DEBUG_MARKER", "kept")
    env = json.loads(invoke(package, messages, "env", "", sandbox=Sandbox(enabled=False)))
    assert env["AXIOM_DEBUG_MARKER"] == "kept"


def test_missing_bwrap_is_said_once_and_hosts_still_run(package, messages, caplog, monkeypatch):
    monkeypatch.setattr(sandbox_mod, "_warned", False)
    monkeypatch.setattr(sandbox_mod, "_bwrap_checked", {})
    with caplog.at_level(logging.WARNING, logger="axiom_ide.runtime.host"):
        assert json.loads(invoke(package, messages, "procs", "", sandbox=NO_BWRAP))
        assert json.loads(invoke(package, messages, "procs", "", sandbox=Sandbox(bwrap="/another/missing")))
    warnings = [r.getMessage() for r in caplog.records if r.name == "axiom_ide.runtime.host"]
    assert len(warnings) == 1 and "bubblewrap (/nonexistent/bwrap) not found" in warnings[0]
    assert NO_BWRAP.describe() == "limits and scrubbed environment only" and not NO_BWRAP.isolated


# -- resource limits ------------------------------------------------------------------------------


@pytest.mark.parametrize("sandbox", [Sandbox(), NO_BWRAP], ids=["bwrap", "no-bwrap"])
def test_memory_limit_breach_is_a_clear_node_failure(package, messages, sandbox):
    exc, after = failure(package, messages, "hog", str(3 * 1024), sandbox=sandbox)
    assert isinstance(exc, NodeFailure) and exc.code == "node_failed"
    assert str(exc) == 'node "hog" exceeded the memory limit (1024 MiB)'
    assert json.loads(after)  # the host was restarted and serves the next invocation


def test_memory_limit_is_configurable(package, messages):
    limits = HostLimits(memory_mib=2048)
    assert invoke(package, messages, "hog", "1200", sandbox=Sandbox(limits=limits)) == str(1200 << 20)
    exc, _ = failure(package, messages, "hog", "1200", sandbox=Sandbox(limits=HostLimits(memory_mib=512)))
    assert str(exc) == 'node "hog" exceeded the memory limit (512 MiB)'


def test_open_files_limit_breach_is_a_clear_node_failure(package, messages):
    exc, _ = failure(package, messages, "files", "200", sandbox=Sandbox(limits=HostLimits(open_files=64)))
    assert isinstance(exc, NodeFailure) and str(exc) == 'node "files" exceeded the open files limit (64)'


def test_file_size_limit_breach_is_a_clear_node_failure(package, messages):
    exc, _ = failure(package, messages, "bigfile", "3", sandbox=Sandbox(limits=HostLimits(file_size_mib=1)))
    assert isinstance(exc, NodeFailure) and str(exc) == 'node "bigfile" exceeded the file size limit (1 MiB)'


# -- processes a node starts ----------------------------------------------------------------------


@pytest.mark.parametrize("sandbox", [Sandbox(), NO_BWRAP], ids=["bwrap", "no-bwrap"])
@pytest.mark.parametrize("handler", ["spawner", "forker"])
def test_fork_then_exit_fails_the_invocation_at_once_and_the_child_dies(package, messages, sandbox, handler):
    """The host exits while a child it started holds its pipes (and, forked, its connection):
    the invocation fails with the host's exit — not a timeout —, and the child is killed."""
    marker = f"axm{uuid.uuid4().hex[:10]}"
    text = f"{marker} exit" if handler == "spawner" else marker
    exc, after = failure(package, messages, handler, text, sandbox=sandbox)
    assert isinstance(exc, NodeCrashed), exc
    assert str(exc).startswith(f'node host for examples/text@0.1.0 exited (code 3) while running node "{handler}"')
    assert json.loads(after)
    assert wait_gone(marker) == []


@pytest.mark.parametrize("sandbox", [Sandbox(), NO_BWRAP], ids=["bwrap", "no-bwrap"])
def test_children_are_gone_after_the_runtime_closes_its_pool(package, messages, sandbox):
    marker = f"axm{uuid.uuid4().hex[:10]}"

    async def go():
        pool = HostPool(sandbox=sandbox)
        try:
            out = await pool.invoke(node(package, "spawner"), greet_request(messages, f"{marker} return"), call("s"))
            assert wait_present(marker), "the child should be running while its host lives"
            return messages["GreetReply"].FromString(out).greeting
        finally:
            await pool.close()

    assert asyncio.run(go()) == "spawned"
    assert wait_gone(marker) == []


@pytest.mark.parametrize("unsandboxed", [False, True], ids=["bwrap", "no-bwrap"])
def test_children_are_gone_after_the_runtime_process_is_killed(package, messages, tmp_path, unsandboxed):
    """SIGKILL the runtime's process: its hosts and whatever their nodes started die too."""
    marker = f"axm{uuid.uuid4().hex[:10]}"
    script = tmp_path / "runtime.py"
    script.write_text(textwrap.dedent(f"""
        import asyncio, sys
        sys.path.insert(0, {str(REPO / "tests" / "runtime")!r})
        from axiom_ide.runtime.host import HostPool, NodeCall
        from axiom_ide.runtime.host.sandbox import Sandbox
        from host_support import node
        from axiom_ide.runtime.packages import Package

        async def main():
            sandbox = Sandbox(bwrap="/nonexistent/bwrap") if {unsandboxed!r} else Sandbox()
            pool = HostPool(sandbox=sandbox)
            req = Package({str(package)!r}).message_class("GreetRequest")(name={marker + " return"!r})
            await pool.invoke(node({str(package)!r}, "spawner"), req.SerializeToString(),
                              NodeCall("e", "f", "t", "spawner"))
            print("spawned", *[pid for h in pool._all for pid in h.process_tree()], flush=True)
            await asyncio.sleep(600)

        asyncio.run(main())
    """))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, env=env)
    try:
        line = proc.stdout.readline().split()
        assert line[0] == b"spawned"
        tree = {int(pid): _cmdline(int(pid)) for pid in line[1:]}
        assert wait_present(marker), tree
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert wait_gone(marker) == []


def test_a_fork_bomb_stops_at_the_process_limit(package, messages):
    """Where a pids cgroup can be made (as here), HostLimits.processes caps processes and threads."""
    from axiom_ide.runtime.host import cgroup

    if cgroup.base() is None:
        if os.environ.get("CI") == "true" and Path("/sys/fs/cgroup/pids").is_dir():
            pytest.fail("a writable pids cgroup was expected here")
        pytest.skip("no writable pids cgroup: the process limit is not enforced here (README.md)")
    exc, after = failure(package, messages, "bomb", "", sandbox=Sandbox(limits=HostLimits(processes=40)))
    assert isinstance(exc, NodeFailure) and str(exc) == 'node "bomb" exceeded the process limit (40)'
    assert json.loads(after)


def fan_out(package, messages, n: int, **pool_kw) -> list:
    """``n`` concurrent invocations of one node on one host: their answers or errors."""

    async def go():
        pool = HostPool(**pool_kw)
        req = greet_request(messages, "0.5")
        try:
            return await asyncio.gather(*(pool.invoke(node(package, "nap"), req, call(f"n{i}")) for i in range(n)),
                                        return_exceptions=True)
        finally:
            await pool.close()

    return asyncio.run(go())


def test_a_wide_fan_out_fits_in_the_default_limits(package, messages):
    """200 invocations at once on one sandboxed host (a thread each, connecting in one burst)."""
    results = fan_out(package, messages, 200)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert {messages["GreetReply"].FromString(r).greeting for r in results} == {"rested"}


def test_invocations_past_the_hosts_thread_limit_fail_clearly(package, messages):
    from axiom_ide.runtime.host import cgroup

    if cgroup.base() is None:
        pytest.skip("no writable pids cgroup: the process limit is not enforced here (README.md)")
    results = fan_out(package, messages, 60, sandbox=Sandbox(limits=HostLimits(processes=40)))
    errors = {str(r) for r in results if isinstance(r, Exception)}
    assert len(errors) == 1 and len([r for r in results if isinstance(r, Exception)]) > 0
    (error,) = errors
    assert error.startswith("the node host cannot run more than ") and error.endswith(
        " invocations at once within its limits (memory 1024 MiB, processes 40): no thread can be started")
    assert sum(1 for r in results if not isinstance(r, Exception)) > 20


# -- other platforms' code paths (only Linux runs here: these check what they would run) ----------


def test_the_macos_profile_denies_home_and_data_dir_and_allows_the_runtime_back(tmp_path):
    root, host_dir, data = tmp_path / "pkg", tmp_path / "host", tmp_path / "data"
    argv = sandbox_mod.sandbox_exec_command("/usr/bin/sandbox-exec", ["python", "-m", "w"], root=root,
                                           host_dir=host_dir, python=sys.executable, private_paths=(str(data),))
    assert argv[:2] == ["/usr/bin/sandbox-exec", "-p"] and argv[3:] == ["python", "-m", "w"]
    rules = argv[2].splitlines()
    assert rules[:2] == ["(version 1)", "(allow default)"]
    deny, allow_read, allow_write = rules[2], rules[3], rules[4]
    home = os.path.realpath(os.path.expanduser("~"))
    assert deny.startswith("(deny file-read* file-write* ") and f'(subpath "{home}")' in deny
    assert f'(subpath "{os.path.realpath(data)}")' in deny
    assert allow_read.startswith("(allow file-read* ") and f'(subpath "{os.path.realpath(root)}")' in allow_read
    assert f'(subpath "{os.path.realpath(sandbox_mod.source_dir() / "axiom_ide")}")' in allow_read
    assert allow_write == f'(allow file-read* file-write* (subpath "{os.path.realpath(host_dir)}"))'


def test_the_windows_environment_keeps_what_python_needs_there_and_nothing_else(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("SYSTEMROOT", r"C:\Windows")
    monkeypatch.setenv("AXIOM_API_KEY", "ak_secret")
    env = sandbox_mod.host_env(sandboxed=True, private_tmp=r"C:\tmp\h1")
    assert env["SYSTEMROOT"] == r"C:\Windows" and "AXIOM_API_KEY" not in env
    assert env["TEMP"] == env["TMP"] == env["USERPROFILE"] == env["HOME"] == r"C:\tmp\h1"
    assert "MALLOC_ARENA_MAX" not in env
