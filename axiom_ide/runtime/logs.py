"""Process logging for ``axiom-ide serve`` and the IDE: stderr plus a rotating file in the data dir.

:func:`setup_logging` configures the root logger once per process:

- **stderr** — plain text when it is a terminal, JSON lines otherwise (``--log-format`` /
  ``AXIOM_IDE_LOG_FORMAT`` choose: ``auto``, ``text``, ``json``);
- **file** — ``<data dir>/logs/axiom-ide-<program>.log``, always JSON lines, rotated at
  :data:`MAX_BYTES` keeping :data:`BACKUPS` old files. Log lines can carry payload-derived text
  (node errors, node log messages), so the folder is 0700 and the files 0600. One file per program
  because rotation renames the file, which is not safe with two kinds of process appending to it.

A JSON line has ``time`` (ISO 8601, UTC, milliseconds), ``level`` (``debug``, ``info``, ``warn``,
``error``, ``critical`` — the ``ax.log`` vocabulary), ``logger``, ``msg``, then ``trace_id``
(the execution id), ``span_id`` and any other field the record was given with ``extra=``; a
traceback goes in ``exc``. A record logged from an execution's task without ids gets its
``trace_id`` from the task (:class:`Prepare`). The execution events that carry ``trace_id``/``span_id`` come from
:mod:`axiom_ide.runtime.telemetry`; the HTTP request lines from ``server/access_log.py``.

No caller logs an API key or an ``Authorization`` header; as a second line of defence every record
passes :class:`Prepare`, which masks ``Bearer <token>`` and 64-hex-digit runs (the raw key format).
"""
from __future__ import annotations

import asyncio
import json
import logging
import logging.handlers
import os
import re
import sys
import time
from pathlib import Path
from typing import Any, TextIO

FORMATS = ("auto", "text", "json")
LEVELS = ("debug", "info", "warning", "error", "critical")
#: Rotate the log file past 10 MiB, keeping 5 old ones (60 MiB at most per program).
MAX_BYTES = 10 * 1024 * 1024
BACKUPS = 5

_LEVEL_NAMES = {logging.DEBUG: "debug", logging.INFO: "info", logging.WARNING: "warn",
                logging.ERROR: "error", logging.CRITICAL: "critical"}
#: Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
_FIRST = ("trace_id", "span_id", "execution_id", "node")


def _iso(created: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)) + f".{int(created % 1 * 1000):03d}Z"


def extras(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a record was given with ``extra=`` (trace ids first)."""
    d = record.__dict__
    names = d.keys() - _STANDARD
    out = {k: d[k] for k in _FIRST if k in names}
    out.update((k, d[k]) for k in names if k not in out and not k.startswith("_"))
    return out


#: ``json.dumps`` with options builds an encoder per call; a line is written per record.
_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``msg``, extras, ``exc``. The line
    is kept on the record: the stderr and file handlers (and the file's rollover check) share it."""

    def format(self, record: logging.LogRecord) -> str:
        line = record.__dict__.get("_json_line")
        if line is None:
            line = record.__dict__["_json_line"] = self._format(record)
        return line

    def _format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {"time": _iso(record.created),
                               "level": _LEVEL_NAMES.get(record.levelno, record.levelname.lower()),
                               "logger": record.name, "msg": record.getMessage()}
        for key, value in extras(record).items():
            out.setdefault(key, value)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.stack_info:
            out["exc"] = record.stack_info
        return _encode(out)


class TextFormatter(logging.Formatter):
    """``2026-12-02 06:14:12.123 INFO  axiom_ide.executions: node completed  node=greet ...``"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-5s %(name)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.created)) + f".{int(record.msecs):03d}"

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = extras(record)
        for key in getattr(record, "_in_message", ()):  # already said by the message itself
            fields.pop(key, None)
        if fields:
            tail = "  " + " ".join(f"{k}={v}" for k, v in fields.items())
            head, sep, rest = line.partition("\n")  # keep a traceback below the fields
            line = head + tail + sep + rest
        return line


_SECRET = re.compile(r"(?i)(bearer\s+)\S+|\b[0-9a-f]{64}\b")


def redact(value: str) -> str:
    """``value`` with bearer tokens and raw-key-shaped strings (64 hex digits) masked."""
    if _SECRET.search(value) is None:
        return value
    return _SECRET.sub(lambda m: (m.group(1) or "") + "[redacted]", value)


class Prepare(logging.Filter):
    """Runs once per record, in whichever installed handler sees it first:

    - **redaction** — masks bearer tokens and raw keys in the message and string extras;
    - **execution context** — a record logged from an execution's own task (``Runtime`` names it
      ``execution-<id>``) without ids gets that execution's ``trace_id`` and ``execution_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        d = record.__dict__
        if "_prepared" in d:
            return True
        d["_prepared"] = True
        message = record.getMessage()
        strings = [(k, v) for k, v in d.items() if type(v) is str and k not in _STANDARD]
        if _SECRET.search("\n".join([message, *(v for _, v in strings)])) is not None:  # rare: look closer
            record.msg, record.args = redact(message), None
            for key, value in strings:
                d[key] = redact(value)
        if "trace_id" not in d:
            try:
                task = asyncio.current_task()
            except RuntimeError:  # not on an event loop's thread
                task = None
            name = task.get_name() if task is not None else ""
            if name.startswith("execution-") and len(name) == 42:
                d["trace_id"] = d["execution_id"] = name[10:]
        return True


class _PrivateFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are created 0600 (rotation creates a new one)."""

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802
        # The stdlib's also stats the path twice per record (bpo-45401: only regular files rotate);
        # ours is always a regular file we created.
        if self.stream is None:
            self.stream = self._open()
        return self.stream.tell() + len(self.format(record)) + 1 >= self.maxBytes > 0

    def _open(self):
        stream = open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors,
                      opener=lambda path, flags: os.open(path, flags, 0o600))
        try:
            os.chmod(self.baseFilename, 0o600)  # a file that was there before, with other modes
        except OSError:
            pass
        stream.seek(0, 2)  # so tell() is the size everywhere (Windows starts appends at 0)
        return stream


#: The handlers :func:`setup_logging` installed, so a second call replaces them.
_installed: list[logging.Handler] = []


def log_path(data_dir: Path | str, program: str) -> Path:
    return Path(data_dir) / "logs" / f"axiom-ide-{program}.log"


def resolve(fmt: str | None = None, level: str | None = None) -> tuple[str, int]:
    """The format (``auto``/``text``/``json``) and level from the flags, else the environment
    (``AXIOM_IDE_LOG_FORMAT``, ``AXIOM_IDE_LOG_LEVEL``), else auto/info. Raises ValueError naming
    the bad value."""
    fmt = (fmt or os.environ.get("AXIOM_IDE_LOG_FORMAT") or "auto").strip().lower()
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    name = (level or os.environ.get("AXIOM_IDE_LOG_LEVEL") or "info").strip().lower()
    name = {"warn": "warning"}.get(name, name)
    if name not in LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LEVELS)}, got {name!r}")
    return fmt, getattr(logging, name.upper())


def setup_logging(data_dir: Path | str, program: str, *, fmt: str | None = None, level: str | None = None,
                  stream: TextIO | None = None) -> Path:
    """Log to ``stream`` (stderr) and to the program's rotating file in ``data_dir``; returns the
    file's path. ``fmt``/``level`` as :func:`resolve` reads them. Calling it again replaces the
    handlers it installed before."""
    fmt, levelno = resolve(fmt, level)
    stream = stream if stream is not None else sys.stderr
    path = log_path(data_dir, program)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)  # mkdir's mode is masked by the umask; an existing folder keeps its own
    except OSError:
        pass  # reported below when the file cannot be opened
    if fmt == "auto":
        isatty = getattr(stream, "isatty", None)
        fmt = "text" if isatty is not None and isatty() else "json"
    console = logging.StreamHandler(stream)
    console.setFormatter(TextFormatter() if fmt == "text" else JsonFormatter())
    handlers: list[logging.Handler] = [console]
    problem = None
    try:
        file = _PrivateFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError as exc:  # a read-only data dir: keep logging to stderr
        problem = exc
    else:
        file.setFormatter(JsonFormatter())
        handlers.append(file)
    stop_logging()
    root = logging.getLogger()
    _installed[:] = handlers
    prepare = Prepare()
    for handler in handlers:
        handler.addFilter(prepare)
        root.addHandler(handler)
    root.setLevel(levelno)
    logging.captureWarnings(True)
    if problem is not None:
        logging.getLogger(__name__).warning("cannot write the log file %s: %s; logging to stderr only", path,
                                            problem.strerror or problem)
    return path


def stop_logging() -> None:
    """Remove and close the handlers :func:`setup_logging` installed."""
    root = logging.getLogger()
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    if _installed:
        logging.captureWarnings(False)
    _installed.clear()
