"""CliBackend: the remote platform's verbs through a configured ``axiom`` CLI run as a subprocess
(DESIGN.md, "Remote platform and CLI") — ``--json`` wherever the verb has it.

``CliBackend("axiom")`` (a path, or a command line such as ``"python -m axiom_ide"``; the project's
own ``axiom-ide`` speaks the same verbs, flags and JSON shapes). ``remote=`` passes the URLs and key
as ``AXIOM_API_URL`` / ``AXIOM_INGRESS_URL`` / ``AXIOM_API_KEY`` to every call, so what the IDE is
connected to is what the CLI talks to; without it the CLI reads its own login.

Verbs: :meth:`login` (the key through ``AXIOM_API_KEY``, never argv), :meth:`whoami`,
:meth:`version`, :meth:`push` (``push --json``'s result object; or, with ``on_progress``, the
build log streamed line by line as ``push`` prints it), :meth:`publish` (``publish NAME@VERSION
--yes``), :meth:`flow_compile`, :meth:`flow_publish`, :meth:`flow_pull`, :meth:`flow_run`,
:meth:`search`, :meth:`info`, :meth:`import_package`.

Every failure is an ``AxiomError`` that names the command: ``cli_not_found`` (no such program: set
its path in Settings → Connections), ``cli_failed`` (non-zero exit, with what it wrote to stderr),
``cli_bad_output`` (``--json`` output that is not a JSON object), ``cli_timeout`` (killed after
``timeout`` seconds). No Qt here.
"""
from __future__ import annotations

import asyncio
import json
import os
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from axiom_ide.runtime.errors import AxiomError

#: Called with each progress line (no newline) as the CLI prints it.
Progress = Callable[[str], None]
#: How much of stderr / unparseable stdout a message quotes.
QUOTE = 600


@dataclass(frozen=True)
class CliResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


class CliBackend:
    def __init__(self, cli: str | Sequence[str] = "axiom", *, remote: Mapping[str, str] | None = None,
                 cwd: str | Path | None = None, timeout: float = 600.0,
                 env: Mapping[str, str] | None = None) -> None:
        self.command: tuple[str, ...] = tuple(shlex.split(cli) if isinstance(cli, str) else cli) or ("axiom",)
        self.cwd = Path(cwd) if cwd is not None else None
        self.timeout = timeout
        self.env = dict(env) if env is not None else None
        extra: dict[str, str] = {}
        if remote:
            for key, name in (("api_url", "AXIOM_API_URL"), ("ingress_url", "AXIOM_INGRESS_URL"),
                              ("key", "AXIOM_API_KEY")):
                if remote.get(key):
                    extra[name] = str(remote[key])
        self._remote_env = extra

    # -- running the CLI ------------------------------------------------------------------------
    def _shown(self, args: Sequence[str]) -> str:
        return " ".join(shlex.quote(a) for a in (Path(self.command[0]).name, *self.command[1:], *args))

    async def run(self, *args: str, cwd: str | Path | None = None, env: Mapping[str, str] | None = None,
                  on_progress: Progress | None = None, ok_codes: Sequence[int] = (0,),
                  timeout: float | None = None, progress_stdout: bool = False) -> CliResult:
        """Run ``<cli> args...``; stdout and stderr are read as they come: stderr lines (and
        stdout lines with ``progress_stdout``, where stdout is no JSON result) reach
        ``on_progress``. A return code outside ``ok_codes`` raises ``cli_failed``."""
        full_env = dict(self.env if self.env is not None else os.environ)
        full_env.update(self._remote_env)
        full_env.update(env or {})
        full_env.setdefault("PYTHONUNBUFFERED", "1")
        shown = self._shown(args)
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.command, *args, cwd=str(cwd or self.cwd or Path.cwd()), env=full_env,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        except FileNotFoundError:
            raise AxiomError.of("cli_not_found", f'the axiom CLI "{self.command[0]}" was not found; install it or '
                                'set its path in Settings → Connections') from None
        except PermissionError:
            raise AxiomError.of("cli_not_found", f'the axiom CLI "{self.command[0]}" is not executable; '
                                'check its path in Settings → Connections') from None
        out: list[str] = []
        err: list[str] = []

        async def read(stream: asyncio.StreamReader | None, into: list[str], progress: bool) -> None:
            assert stream is not None
            async for raw in stream:
                line = raw.decode("utf-8", "replace")
                into.append(line)
                if progress and on_progress is not None and line.strip():
                    on_progress(line.rstrip("\n"))

        limit = self.timeout if timeout is None else timeout
        try:
            await asyncio.wait_for(asyncio.gather(read(proc.stdout, out, progress_stdout),
                                                  read(proc.stderr, err, True), proc.wait()), limit)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise AxiomError.of("cli_timeout", f'"{shown}" did not finish within {limit:g}s and was stopped') from None
        result = CliResult(tuple(args), proc.returncode or 0, "".join(out), "".join(err))
        if result.returncode not in ok_codes:
            said = (result.stderr.strip() or _json_failure(result.stdout) or result.stdout.strip())[-QUOTE:]
            raise AxiomError.of("cli_failed", f'"{shown}" exited with status {result.returncode}'
                                + (f": {said}" if said else " and printed nothing"))
        return result

    def _json(self, result: CliResult) -> dict[str, Any]:
        """The JSON object the verb printed (the whole stdout, else its last line that is one)."""
        text = result.stdout.strip()
        candidates = [text] + [line for line in reversed(text.splitlines()) if line.lstrip().startswith("{")]
        for candidate in candidates:
            try:
                value = json.loads(candidate)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
        shown = self._shown(result.argv)
        raise AxiomError.of("cli_bad_output", f'"{shown}" did not print a JSON object'
                            + (f": {text[:QUOTE]}" if text else " (its output was empty)"))

    async def _run_json(self, *args: str, **kw: Any) -> dict[str, Any]:
        return self._json(await self.run(*args, **kw))

    # -- identity -------------------------------------------------------------------------------
    async def login(self, key: str) -> str:
        """``login`` with the key in ``AXIOM_API_KEY`` (never argv); the CLI's "✓ Logged in as …" line."""
        result = await self.run("login", env={"AXIOM_API_KEY": key})
        return _last_line(result.stdout)

    async def whoami(self) -> dict[str, Any]:
        return await self._run_json("whoami", "--json")

    async def version(self) -> str:
        return _last_line((await self.run("version")).stdout)

    # -- packages -------------------------------------------------------------------------------
    async def push(self, package_dir: str | Path, on_progress: Progress | None = None) -> dict[str, Any]:
        """Push the package in ``package_dir``. Without ``on_progress``: ``push --json``, its result
        object. With it: ``push`` as a person sees it — ``--json`` prints no progress (the docs: "a
        single JSON result object instead of human-readable progress output") — every line it
        prints (the build log, step by step) reaches ``on_progress`` as it comes, and the answer is
        ``{"key": NAME@VERSION from its "✓ pushed …" line, "log": [lines]}``."""
        if on_progress is None:
            return self._json(await self.run("push", "--json", cwd=package_dir))
        result = await self.run("push", cwd=package_dir, on_progress=on_progress, progress_stdout=True)
        lines = [line.rstrip() for line in result.stdout.splitlines() if line.strip()]
        pushed = next((line.split()[2] for line in lines if line.startswith("✓ pushed ") and len(line.split()) > 2),
                      None)
        if pushed is None:
            raise AxiomError.of("cli_bad_output", f'"{self._shown(result.argv)}" did not say what it pushed '
                                '(no "✓ pushed NAME@VERSION" line)')
        return {"key": pushed, "log": lines}

    async def publish(self, ref: str) -> str:
        """``publish NAME@VERSION --yes`` (irreversible: the IDE confirms first); what it printed."""
        if "@" not in ref:
            raise AxiomError.of("invalid_argument", f'publish needs NAME@VERSION, not "{ref}"')
        return (await self.run("publish", ref, "--yes")).stdout.strip()

    async def search(self, query: str = "", kind: str = "packages") -> dict[str, Any]:
        return await self._run_json("search", *([query] if query else []), "--type", kind, "--json")

    async def info(self, ref: str) -> dict[str, Any]:
        return await self._run_json("info", ref, "--json")

    async def import_package(self, ref: str, package_dir: str | Path) -> str:
        """``import NAME[@VERSION]`` in the package's directory; what it printed."""
        return (await self.run("import", ref, cwd=package_dir)).stdout.strip()

    # -- flows ----------------------------------------------------------------------------------
    async def flow_compile(self, file: str | Path) -> dict[str, Any]:
        """``flow compile FILE --remote --json``: the compile route's result (``graph_id``, ...)."""
        return await self._run_json("flow", "compile", str(file), "--remote", "--json")

    async def flow_publish(self, graph_id: str) -> dict[str, Any]:
        """``flow publish GRAPH_ID --yes --json`` (irreversible: the IDE confirms first)."""
        return await self._run_json("flow", "publish", graph_id, "--yes", "--json")

    async def flow_pull(self, graph_id: str, out: str | Path) -> Path:
        """``flow pull GRAPH_ID -o OUT``: the editable flow.yaml it wrote."""
        await self.run("flow", "pull", graph_id, "-o", str(out))
        return Path(out)

    async def flow_run(self, target: str, data: Any = None, *, config: str | None = None,
                       timeout: float | None = None) -> dict[str, Any] | list[dict[str, Any]]:
        """``flow run TARGET --remote --json``: a unary run's invoke answer (``result.success``
        false for a run that failed), a pipeline's SSE frames in order."""
        args = ["flow", "run", target, "--remote", "--json", "-d", json.dumps(data if data is not None else {})]
        if config:
            args += ["--config", config]
        if timeout is not None:
            args += ["--timeout", f"{timeout:g}"]
        result = await self.run(*args, ok_codes=(0, 1))  # 1: the run failed, the JSON says how
        frames = _json_lines(result.stdout)
        if frames and any("is_final" in f for f in frames):  # a pipeline: one SSE frame a line
            return frames
        if not result.stdout.strip():
            said = result.stderr.strip()[-QUOTE:]
            raise AxiomError.of("cli_failed", f'"{self._shown(result.argv)}" exited with status {result.returncode}'
                                + (f": {said}" if said else " and printed nothing"))
        return self._json(result)


def _json_lines(text: str) -> list[dict[str, Any]] | None:
    """Each non-empty line as a JSON object, or None when any line is not one."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            return None
        if not isinstance(value, dict):
            return None
        out.append(value)
    return out


def _json_failure(stdout: str) -> str | None:
    """What a ``--json`` verb's failure object says: ``{"errors": [{"message"}...]}``,
    ``{"error_message"}`` or ``{"error", "message"}``."""
    try:
        value = json.loads(stdout)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    errors = value.get("errors")
    if isinstance(errors, list) and errors:
        return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
    text = value.get("error_message") or value.get("message") or value.get("error")
    return str(text) if text else None


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _ignore(_line: str) -> None:
    return None
