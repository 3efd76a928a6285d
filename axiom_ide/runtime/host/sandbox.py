"""How a node host process is confined: the command that starts it, its environment, its limits.

On Linux the worker runs under bubblewrap (``bwrap``): its own mount, PID, IPC and UTS
namespaces (and a user namespace where the kernel allows one), seeing only the system's
``/usr`` and a few ``/etc`` files, the Python runtime and the ``axiom_ide`` package read-only,
its package directory read-only, its own socket directory, a private ``/tmp``, and a fresh
``/proc`` showing only its own processes. Outbound network stays (the docs promise it). Without
``bwrap`` the runtime warns once and runs hosts with the limits and the scrubbed environment
only. macOS runs the worker under ``sandbox-exec`` with a profile denying the home and data
directories; Windows puts it in a Job Object (kill on close, memory and process limits). See
README.md "Sandbox" for what is and is not tested.

Every platform: the environment is the allow-list below (never ``AXIOM_API_KEY`` or anything
else of the server's), and the worker applies :class:`HostLimits` to itself before it runs any
node code (``process_setup.apply_limits``).
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import axiom_ide

log = logging.getLogger("axiom_ide.runtime.host")

#: Environment variables a host inherits from the runtime (plus every ``LC_*``); everything
#: else is dropped. The host then gets HOME/TMPDIR (its private tmp), PYTHONPATH (the
#: ``axiom_ide`` source), PYTHONUNBUFFERED=1, PYTHONNOUSERSITE=1 and MALLOC_ARENA_MAX=2 (and PWD,
#: which bwrap sets to the package directory).
ENV_ALLOW = ("PATH", "LANG", "LANGUAGE", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR")
#: Also kept on Windows (without them Python and sockets do not work there).
ENV_ALLOW_WINDOWS = ("SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT", "SYSTEMDRIVE", "NUMBER_OF_PROCESSORS",
                     "PROCESSOR_ARCHITECTURE")
#: Files of /etc a sandboxed host sees (dynamic linking, name resolution, TLS roots, time zone).
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "resolv.conf", "hosts", "host.conf",
             "nsswitch.conf", "gai.conf", "services", "protocols", "ssl", "ca-certificates", "pki", "mime.types",
             "passwd", "group")
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


@dataclass(frozen=True)
class HostLimits:
    """Resource limits of one host process (None: not limited). CPU time per invocation is the
    node timeout (``NodeCall.timeout_s``). Each breach fails the invocation with NODE_FAILED
    naming the limit, e.g. ``node "x" exceeded the memory limit (1024 MiB)``."""

    #: Address space of the host process (RLIMIT_AS; Windows: the job's per-process memory).
    memory_mib: int | None = 1024
    #: Open file descriptors (RLIMIT_NOFILE); each concurrent invocation uses one.
    open_files: int | None = 1024
    #: Largest file the node may write (RLIMIT_FSIZE).
    file_size_mib: int | None = 1024
    #: Processes and threads in the host: a pids cgroup on Linux where one can be made, the
    #: job's active process limit on Windows; not enforced otherwise (README.md "Sandbox").
    processes: int | None = 256

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), separators=(",", ":"))


@dataclass(frozen=True)
class Sandbox:
    """The confinement a :class:`~axiom_ide.runtime.host.pool.HostPool` gives its hosts.

    ``enabled=False`` relaxes it for local debugging of native code (the desktop's setting):
    no bwrap / sandbox-exec, the runtime's own environment; ``limits`` still apply (None: none).
    """

    enabled: bool = True
    limits: HostLimits | None = HostLimits()
    #: False: no bwrap / sandbox-exec even where present, but limits and the scrubbed
    #: environment stay (``axiom-ide serve --unsandboxed``).
    use_tool: bool = True
    #: The bubblewrap program (looked up on PATH); tests point it elsewhere to simulate its absence.
    bwrap: str = "bwrap"
    #: Paths a deny-list sandbox (macOS) must hide besides the home directory: the data dir.
    private_paths: tuple[str, ...] = ()

    def tool(self) -> str | None:
        """The sandbox tool hosts run under on this platform (its path), or None."""
        if not self.enabled or not self.use_tool:
            return None
        if sys.platform.startswith("linux"):
            return _working_bwrap(self.bwrap)
        if sys.platform == "darwin":
            return shutil.which("sandbox-exec")
        return None

    def describe(self) -> str:
        """How hosts are confined, in a few words (for logs and ``serve``)."""
        if not self.enabled:
            return "unsandboxed"
        if sys.platform == "win32":
            return "job object"
        tool = self.tool()
        if tool is None:
            return "limits and scrubbed environment only"
        return "bubblewrap" if sys.platform.startswith("linux") else "sandbox-exec"

    @property
    def isolated(self) -> bool:
        """Whether node code is kept away from the data dir and other processes: bwrap on Linux,
        sandbox-exec on macOS, a job object on Windows (which confines processes, not files)."""
        return self.enabled and (sys.platform == "win32" or self.tool() is not None)


_bwrap_checked: dict[str, str | None] = {}
_warned = False


def _working_bwrap(name: str) -> str | None:
    """``name`` resolved on PATH, if it can actually build a sandbox here (user namespaces may
    be off); checked once per name. Warns once when there is none."""
    global _warned
    if name in _bwrap_checked:
        return _bwrap_checked[name]
    path = shutil.which(name)
    problem = "not found (install the 'bubblewrap' package)"
    if path is not None:
        try:
            probe = subprocess.run(
                [path, *_bwrap_namespaces(), "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"],
                capture_output=True, timeout=10,
            )
            if probe.returncode != 0:
                problem = f"cannot create a sandbox here: {probe.stderr.decode(errors='replace').strip()}"
                path = None
        except (OSError, subprocess.SubprocessError) as exc:
            problem, path = f"cannot run: {exc}", None
    _bwrap_checked[name] = path
    if path is None and not _warned:
        _warned = True
        log.warning("node hosts run without a sandbox: bubblewrap (%s) %s; they get resource limits and a "
                    "scrubbed environment only", name, problem)
    return path


def _bwrap_namespaces() -> list[str]:
    args = ["--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--unshare-user-try"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args += ["--cap-drop", "ALL"]  # root keeps its capabilities in bwrap unless told
    return args


def source_dir() -> Path:
    """The directory holding the ``axiom_ide`` package the host imports its worker from."""
    return Path(axiom_ide.__file__).resolve().parents[1]


def host_env(*, sandboxed: bool, private_tmp: str) -> dict[str, str]:
    """The host's environment: the allow-list when sandboxed, else the runtime's own."""
    src = str(source_dir())
    if not sandboxed:
        env = dict(os.environ)
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env["PYTHONUNBUFFERED"] = "1"
        return env
    keep = ENV_ALLOW + (ENV_ALLOW_WINDOWS if sys.platform == "win32" else ())
    env = {k: v for k, v in os.environ.items() if k in keep or k.startswith("LC_")}
    env.setdefault("PATH", os.defpath)
    env.update(HOME=private_tmp, TMPDIR=private_tmp, PYTHONPATH=src, PYTHONUNBUFFERED="1", PYTHONNOUSERSITE="1")
    if sys.platform == "win32":
        env.update(TEMP=private_tmp, TMP=private_tmp, USERPROFILE=private_tmp)
    else:
        env["MALLOC_ARENA_MAX"] = "2"  # each malloc arena reserves 64 MiB of the address-space limit
    return env


def _runtime_paths(python: str) -> list[str]:
    """What a host must read to run Python and the worker: the interpreter's prefixes (the venv
    and its base), the interpreter itself, the ``axiom_ide`` package."""
    paths = []
    for p in (sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
              os.path.dirname(os.path.dirname(os.path.realpath(python))), os.path.dirname(python),
              os.path.dirname(os.path.dirname(os.path.abspath(python))),  # a virtual environment's root
              str(source_dir() / "axiom_ide")):
        for q in (os.path.abspath(p), os.path.realpath(p)):
            if os.path.exists(q):
                paths.append(q)
    return _outermost(paths)


def _outermost(paths: list[str]) -> list[str]:
    """``paths`` without duplicates and without those inside another one (or inside /usr)."""
    out: list[str] = []
    for p in sorted(set(paths), key=len):
        if not any(p == q or p.startswith(q.rstrip(os.sep) + os.sep) for q in out + ["/usr"]):
            out.append(p)
    return out


def bwrap_command(tool: str, argv: list[str], *, root: Path, host_dir: Path, python: str,
                  read_only: tuple[Path, ...] = ()) -> list[str]:
    """``argv`` (the worker) under bubblewrap, seeing only what a host needs (module docstring);
    ``read_only``: more directories it reads (a read-only package's gen/ in the data dir)."""
    args = [tool, *_bwrap_namespaces()]
    for d in _SYSTEM_DIRS:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    for name in ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]  # before binds that may lie under /tmp
    for p in _runtime_paths(python):
        args += ["--ro-bind", p, p]
    for extra in read_only:
        args += ["--ro-bind", str(extra), str(extra)]
    args += ["--ro-bind", str(root), str(root), "--bind", str(host_dir), str(host_dir), "--chdir", str(root), "--"]
    return args + argv


def _sbpl(path: str) -> str:
    return '"' + os.path.realpath(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


def sandbox_exec_command(tool: str, argv: list[str], *, root: Path, host_dir: Path, python: str,
                         private_paths: tuple[str, ...], read_only: tuple[Path, ...] = ()) -> list[str]:
    """``argv`` under macOS ``sandbox-exec``: deny the home directory and ``private_paths``,
    then allow back reading the runtime and the package and writing the host's own directory
    (later rules win). Not tested here (no macOS): see README.md."""
    deny = [os.path.expanduser("~"), *private_paths]
    allow = [*_runtime_paths(python), str(root), *map(str, read_only)]
    profile = "\n".join([
        "(version 1)",
        "(allow default)",
        "(deny file-read* file-write* " + " ".join(f"(subpath {_sbpl(p)})" for p in deny) + ")",
        "(allow file-read* " + " ".join(f"(subpath {_sbpl(p)})" for p in allow) + ")",
        f"(allow file-read* file-write* (subpath {_sbpl(str(host_dir))}))",
    ])
    return [tool, "-p", profile, *argv]


def command(sandbox: Sandbox, argv: list[str], *, root: Path, host_dir: Path, python: str,
            read_only: tuple[Path, ...] = ()) -> tuple[list[str], bool]:
    """The command line that starts the worker ``argv`` confined by ``sandbox``, and whether
    its environment is to be scrubbed; ``read_only``: more directories the worker reads."""
    if not sandbox.enabled:
        return argv, False
    tool = sandbox.tool()
    if tool is not None and sys.platform.startswith("linux"):
        return bwrap_command(tool, argv, root=root, host_dir=host_dir, python=python, read_only=read_only), True
    if tool is not None and sys.platform == "darwin":
        return sandbox_exec_command(tool, argv, root=root, host_dir=host_dir, python=python,
                                    private_paths=sandbox.private_paths, read_only=read_only), True
    return argv, True
