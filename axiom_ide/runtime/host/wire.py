"""The host wire protocol: length-prefixed frames on a stream socket, one invocation at a time
per connection (concurrency = more connections). Shared by the runtime and the worker; stdlib only.

Frame: ``<I total> <B kind> <I meta_len> meta payload`` — ``total`` counts every byte after
itself; ``payload`` is raw bytes (a serialized message). ``meta`` is UTF-8 JSON (or empty), except
for the per-call frames, whose meta is fixed binary so that neither side handles JSON per call:

* ``DEFINE`` — meta ``<I slot>``, payload a *context part* as JSON. The worker keeps it in that
  slot of the connection's part table until the runtime defines another part there.
* ``CALL`` / ``OPEN`` — meta ``CALL_META`` = ``<I site><I run><I graph><I attempt><I vars_len>``:
  the slots of the call's site part (handler, message types, canvas id, reflection position), run
  part (execution/flow/tenant ids) and graph part (the reflection view without its position;
  ``NO_PART`` when the call has none), the attempt number, and the length of the call's
  variables (JSON, 0: none) that open its payload; the input message follows them.

A connection's parts are defined once and referenced by every later call that shares them, so a
graph's reflection view crosses each connection once, not once per call. The variables (config
values and secrets) are *not* a part: they travel with every call and live in the worker only
for that invocation, so no later invocation can find them (the runtime encodes them once per
mapping, so this costs the worker one small ``json.loads`` per call that has any).
"""
from __future__ import annotations

import json
import socket
import struct
from typing import Any

# runtime → worker
CALL = 1        #: meta: CALL_META; payload: input message
OPEN = 2        #: meta: CALL_META; starts a pipeline
FRAME = 3       #: payload: one pipeline input frame
END = 4         #: no more pipeline input frames
MEM_REPLY = 5   #: meta: {"ok": bool, "result": ...}
DEFINE = 6      #: meta: <I slot>; payload: a context part (JSON) for that slot
# worker → runtime
RESULT = 10     #: payload: output message
ERROR = 11      #: meta: {"kind": "failure"|"flood", "message": str, "traceback": str, "type": str}
OUT = 12        #: payload: one pipeline output frame
DONE = 13       #: the pipeline handler returned
LOG = 14        #: meta: LOG_META, the UTF-8 message, the attrs as JSON (absent: none)
MEM_CALL = 15   #: meta: {"op", "args"}

#: CALL/OPEN meta: site slot, run slot, graph slot (or NO_PART), attempt, variables length.
CALL_META = struct.Struct("<IIIII")
#: LOG meta head: time, level code (LEVELS index; bits 2-3: STREAMS index), message length.
LOG_META = struct.Struct("<dBI")
LEVELS = ("debug", "info", "warn", "error")
#: print()/fd output carries attrs {"stream": name}; sent as a code, not as JSON.
STREAMS = ("", "stdout", "stderr")
_LEVEL_CODES = {name: code for code, name in enumerate(LEVELS)}
#: Slot number meaning "this call has no such part".
NO_PART = 0xFFFFFFFF
#: Part slots per connection. The runtime reuses them round-robin (it alone decides what a slot
#: holds), so the worker's table is bounded and needs no eviction logic of its own.
PART_SLOTS = 4096

_HEAD = struct.Struct("<IBI")
_LEN = struct.Struct("<I")
HEAD_SIZE = _HEAD.size
#: Largest output message (and frame) a node may produce — the platform's 16 MiB cap.
MAX_OUTPUT = 16 * 1024 * 1024
#: Largest frame either side accepts (input payloads are capped by the HTTP layer at 16 MiB).
MAX_FRAME = MAX_OUTPUT + 1024 * 1024
READY_LINE = "AXIOM-HOST-READY"
#: Size of a receive buffer (either side); larger frames get a buffer of their own size.
RECV_SIZE = 64 * 1024


def head(kind: int, meta: bytes, payload_size: int) -> bytes:
    """A frame without its payload (sent separately)."""
    return _HEAD.pack(5 + len(meta) + payload_size, kind, len(meta)) + meta


def encode(kind: int, meta: bytes = b"", payload: bytes = b"") -> bytes:
    return _HEAD.pack(5 + len(meta) + len(payload), kind, len(meta)) + meta + payload


_encode = json.JSONEncoder(separators=(",", ":"), default=repr).encode
try:  # the C encoder made once: JSONEncoder.encode builds a new one per call (most of its cost)
    from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]  # C, not in typeshed

    _c_encode = c_make_encoder(None, repr, encode_basestring_ascii, None, ":", ",", False, False, True)
except (ImportError, TypeError):
    _c_encode = None


def dumps(obj: Any) -> bytes:
    """Compact JSON; values JSON cannot carry arrive as their ``repr``."""
    if _c_encode is not None and isinstance(obj, dict):
        return "".join(_c_encode(obj, 0)).encode()
    return _encode(obj).encode()


def log_frame(level: str, message: str, attrs: dict[str, Any] | None, when: float, stream: int = 0) -> bytes:
    """A whole LOG frame. Fixed binary but for non-empty ``attrs`` (JSON): a log line is the one
    frame a chatty node sends many of. ``stream`` (1 stdout, 2 stderr) stands for the attrs."""
    text = message.encode("utf-8", "surrogatepass")
    extra = dumps(attrs) if attrs else b""
    head = LOG_META.pack(when, _LEVEL_CODES.get(level, 1) | stream << 2, len(text))
    return _HEAD.pack(5 + LOG_META.size + len(text) + len(extra), LOG, LOG_META.size + len(text) + len(extra)) + head + text + extra


#: The C JSON scanner without JSONDecoder.decode's whitespace handling (our JSON is compact).
_scan_json = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # set in __init__, not in typeshed


def load_compact(data: bytes) -> Any:
    """JSON this module's :func:`dumps` wrote (no surrounding whitespace), a third of the cost
    of ``json.loads`` for a small object."""
    return _scan_json(data.decode("utf-8", "surrogatepass"), 0)[0]


def parse_log(meta: bytes) -> tuple[str, str, dict[str, Any], float]:
    """A LOG frame's meta as (level, message, attrs, time)."""
    when, code, size = LOG_META.unpack_from(meta)
    end = LOG_META.size + size
    message = meta[LOG_META.size : end].decode("utf-8", "surrogatepass")
    stream = code >> 2
    if stream:
        attrs: Any = {"stream": STREAMS[stream]}
    elif len(meta) > end:
        attrs = _scan_json(meta[end:].decode("utf-8", "surrogatepass"), 0)[0]
        if not isinstance(attrs, dict):
            attrs = {}
    else:
        attrs = {}
    return LEVELS[code & 3], message, attrs, when


class FrameReader:
    """A receive buffer that bytes are read straight into (``recv_into`` on the worker,
    ``asyncio.BufferedProtocol`` in the runtime) and complete frames are taken from.

    Receiving into one reused buffer matters: asyncio's plain ``Protocol`` allocates a 256 KiB
    bytes object per read (an mmap/munmap pair per round trip) — more CPU than the rest of an
    invocation's runtime side. The buffer grows to hold a large frame whole and shrinks back once
    it is consumed.
    """

    __slots__ = ("_buf", "_view", "_start", "_end", "_last")

    def __init__(self) -> None:
        self._buf = bytearray(RECV_SIZE)
        self._view = memoryview(self._buf)
        self._start = self._end = 0  # unread bytes are _buf[_start:_end]
        self._last = (0, 0)  # where the last frame returned was (wipe_last)

    def space(self) -> memoryview:
        """Where to receive the next bytes: room for at least the rest of the current frame."""
        start, end, buf = self._start, self._end, self._buf
        need = 4096
        if end - start >= 4:
            (n,) = _LEN.unpack_from(buf, start)
            if n <= MAX_FRAME:
                need = max(need, n + 4 - (end - start))
        if len(buf) - end < need:
            pending = end - start
            if pending + need > len(buf):  # grow: a new buffer (the old one may still be exported)
                size = -(-(pending + need) // RECV_SIZE) * RECV_SIZE
                self._buf = bytearray(size)
                self._view = memoryview(self._buf)
            self._view[:pending] = memoryview(buf)[start:end]
            self._start, self._end = 0, pending
        return self._view[self._end :]

    def filled(self, n: int) -> None:
        """``n`` bytes were received into :meth:`space`."""
        self._end += n

    def next(self) -> tuple[int, bytes, bytes] | None:
        """The next complete frame as (kind, meta, payload), or None; ValueError on a bad frame."""
        start, end = self._start, self._end
        if end - start < 4:
            return None
        buf = self._buf
        (n,) = _LEN.unpack_from(buf, start)
        if n > MAX_FRAME or n < 5:
            raise ValueError(f"frame of {n} bytes is outside the 5..{MAX_FRAME} byte limits")
        stop = start + 4 + n
        if stop > end:
            return None
        kind = buf[start + 4]
        (meta_len,) = _LEN.unpack_from(buf, start + 5)
        m = start + 9 + meta_len
        if m > stop:
            raise ValueError(f"frame meta of {meta_len} bytes overruns its {n} byte frame")
        view = self._view
        meta = bytes(view[start + 9 : m]) if meta_len else b""
        payload = bytes(view[m:stop]) if m < stop else b""
        if stop == end:  # all consumed: start over at the front (and give back a grown buffer)
            self._start = self._end = 0
            if len(buf) > RECV_SIZE:
                self._buf = bytearray(RECV_SIZE)
                self._view = memoryview(self._buf)
        else:
            self._start = stop
        self._last = (start, stop)
        return kind, meta, payload

    def wipe_last(self) -> None:
        """Zero the bytes of the frame :meth:`next` returned last, if the buffer still holds them
        (the worker does this for a call that carried variables: no copy outlives it)."""
        start, stop = self._last
        if stop <= len(self._buf):
            self._view[start:stop] = bytes(stop - start)
        self._last = (0, 0)


class SocketFrames:
    """Blocking frame reader/writer over a connected socket (the worker's side)."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self._reader = FrameReader()

    def read(self) -> tuple[int, bytes, bytes] | None:
        """The next frame, or None at end of stream (ValueError on a malformed one)."""
        reader = self._reader
        while True:
            frame = reader.next()
            if frame is not None:
                return frame
            n = self.sock.recv_into(reader.space())
            if not n:
                return None
            reader.filled(n)

    def wipe_last(self) -> None:
        """Zero the last frame read in the receive buffer (see FrameReader.wipe_last)."""
        self._reader.wipe_last()

    def send_raw(self, head: bytes, payload: bytes = b"") -> None:
        """Send already-encoded frames, then a payload that belongs to the last one."""
        if len(payload) < 65536:
            self.sock.sendall(head + payload)
        else:
            self.sock.sendall(head)
            self.sock.sendall(payload)

    def send(self, kind: int, meta: bytes = b"", payload: bytes = b"") -> None:
        if len(payload) < 65536:
            self.sock.sendall(encode(kind, meta, payload))
        else:
            self.sock.sendall(_HEAD.pack(5 + len(meta) + len(payload), kind, len(meta)) + meta)
            self.sock.sendall(payload)
