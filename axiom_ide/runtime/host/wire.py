"""The host wire protocol: length-prefixed frames on a stream socket, one invocation at a time
per connection (concurrency = more connections). Shared by the runtime and the worker; stdlib only.

Frame: ``<I total> <B kind> <I meta_len> meta payload`` — ``total`` counts every byte after
itself; ``payload`` is raw bytes (a serialized message). ``meta`` is UTF-8 JSON (or empty), except
for the per-call frames, whose meta is fixed binary so that neither side handles JSON per call:

* ``DEFINE`` — meta ``<I slot>``, payload a *context part* as JSON. The worker keeps it in that
  slot of the connection's part table until the runtime defines another part there.
* ``CALL`` / ``OPEN`` — meta ``CALL_META`` = ``<I site><I run><I graph><I attempt>``: the slots of
  the call's site part (handler, message types, canvas id, reflection position), run part
  (execution/flow/tenant ids, variables) and graph part (the reflection view without its
  position; ``NO_PART`` when the call has none), then the attempt number.

A connection's parts are defined once and referenced by every later call that shares them, so a
run's variables and a graph's reflection view cross each connection once, not once per call.
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
ERROR = 11      #: meta: {"kind": "failure"|"flood", "message": str, "traceback": str}
OUT = 12        #: payload: one pipeline output frame
DONE = 13       #: the pipeline handler returned
LOG = 14        #: meta: {"level", "message", "attrs", "time"}
MEM_CALL = 15   #: meta: {"op", "args"}

#: CALL/OPEN meta: site slot, run slot, graph slot (or NO_PART), attempt.
CALL_META = struct.Struct("<IIII")
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


def dumps(obj: Any) -> bytes:
    """Compact JSON; values JSON cannot carry arrive as their ``repr``."""
    return _encode(obj).encode()


class FrameReader:
    """A receive buffer that bytes are read straight into (``recv_into`` on the worker,
    ``asyncio.BufferedProtocol`` in the runtime) and complete frames are taken from.

    Receiving into one reused buffer matters: asyncio's plain ``Protocol`` allocates a 256 KiB
    bytes object per read (an mmap/munmap pair per round trip) — more CPU than the rest of an
    invocation's runtime side. The buffer grows to hold a large frame whole and shrinks back once
    it is consumed.
    """

    __slots__ = ("_buf", "_view", "_start", "_end")

    def __init__(self) -> None:
        self._buf = bytearray(RECV_SIZE)
        self._view = memoryview(self._buf)
        self._start = self._end = 0  # unread bytes are _buf[_start:_end]

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
        return kind, meta, payload


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
