"""Run grpcio-tools' bundled protoc: descriptor sets for the runtime, Python bindings for gen/.

protoc runs in a subprocess (``python -m grpc_tools.protoc``), so a broken .proto yields protoc's
own ``file:line:col: message`` text, which becomes a ``proto_error`` diagnostic whose message is
protoc's message and whose location is that file (absolute), line and column: the location is said
once, by whoever shows it (relative to the package or workspace there, ``Diagnostic.relative_to``).
Compiled descriptor sets are cached in memory keyed by a hash of every input file's path and contents, so resolving thousands of nodes spawns protoc once per distinct source.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from google.protobuf import descriptor_pb2

from axiom_ide.runtime.errors import AxiomError, Diagnostic, error, has_errors, warning

#: ``messages/messages.proto:7:1: Expected ";".`` — protoc's diagnostic line.
_PROTOC_LINE_RE = re.compile(r"^(?P<file>[^:\n]+?):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$")
#: ``messages/messages.proto: Import "x.proto" was not found or had errors.`` — one about a whole file.
_PROTOC_FILE_RE = re.compile(r"^(?P<file>[^:\n]+?\.proto): (?P<msg>.*)$")

_cache: dict[str, bytes] = {}
_cache_lock = threading.Lock()


def well_known_include() -> str:
    """The grpc_tools ``_proto`` dir holding google/protobuf/*.proto."""
    import grpc_tools

    return str(Path(grpc_tools.__file__).parent / "_proto")


def parse_protoc_output(text: str, cwd: Path) -> list[Diagnostic]:
    """protoc's stderr → diagnostics: the message is protoc's own text after its ``file:line:col: ``
    prefix (``Expected ";".``), the location that file (absolute, resolved against ``cwd``), line and column."""
    out: list[Diagnostic] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        m = _PROTOC_LINE_RE.match(line) or _PROTOC_FILE_RE.match(line)
        if m:
            msg, where = m.group("msg"), m.groupdict()
            make = error
            if msg.startswith("warning: "):  # protoc's own warning, beside the errors
                msg, make = msg[len("warning: "):], warning
            out.append(make("proto_error", msg, file=_located(m.group("file"), cwd),
                            line=int(where["line"]) if where.get("line") else None,
                            column=int(where["col"]) if where.get("col") else None))
        elif "warning" in line.lower() and not out:
            continue
        else:
            out.append(error("proto_error", line))
    if not has_errors(out):
        out.append(error("proto_error", "protoc failed without a message"))
    return out


def _located(file: str, cwd: Path) -> str:
    return str(Path(file) if os.path.isabs(file) else cwd / file)


def _run_protoc(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "grpc_tools.protoc", f"-I{well_known_include()}", *args]
    return subprocess.run(cmd, cwd=str(cwd), capture_output=True, text=True, check=False)


def _hash_inputs(cwd: Path, include_dirs: Sequence[str], files: Sequence[str]) -> str:
    h = hashlib.sha256()
    for inc in include_dirs:
        h.update(b"I" + inc.encode() + b"\0")
        base = cwd / inc
        # Contents of every .proto under an include dir: an imported file can change the result.
        for p in sorted(base.rglob("*.proto")) if base.is_dir() else ():
            h.update(str(p.relative_to(base)).encode() + b"\0" + p.read_bytes() + b"\0")
    for f in files:
        h.update(b"F" + f.encode() + b"\0")
    return h.hexdigest()


def compile_descriptor_set(
    cwd: Path, include_dirs: Sequence[str], files: Sequence[str]
) -> descriptor_pb2.FileDescriptorSet:
    """Compile ``files`` (paths relative to ``cwd``) into a FileDescriptorSet with source info.

    Raises ``proto_error`` with protoc's text when compilation fails.
    """
    key = _hash_inputs(cwd, include_dirs, files)
    with _cache_lock:
        data = _cache.get(key)
    if data is None:
        with tempfile.TemporaryDirectory(prefix="axiom-protoc-") as tmp:
            out = Path(tmp) / "set.pb"
            args = [f"-I{d}" for d in include_dirs]
            args += [f"--descriptor_set_out={out}", "--include_imports", "--include_source_info", *files]
            proc = _run_protoc(args, cwd)
            if proc.returncode != 0:
                raise AxiomError(parse_protoc_output(proc.stderr or proc.stdout, cwd))
            data = out.read_bytes()
        with _cache_lock:
            _cache[key] = data
    fds = descriptor_pb2.FileDescriptorSet()
    fds.ParseFromString(data)
    return fds


def generate_python(cwd: Path, include_dirs: Sequence[str], files: Sequence[str], out_dir: Path) -> None:
    """``protoc --python_out=out_dir`` (out_dir must exist); raises ``proto_error`` on failure."""
    args = [f"-I{d}" for d in include_dirs] + [f"--python_out={out_dir}", *files]
    proc = _run_protoc(args, cwd)
    if proc.returncode != 0:
        raise AxiomError(parse_protoc_output(proc.stderr or proc.stdout, cwd))


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
