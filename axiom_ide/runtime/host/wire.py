"""The host wire protocol: length-prefixed frames on a stream socket, one invocation at a time
per connection (concurrency = more connections). Shared by the runtime and the worker; stdlib only.

Frame: ``<I total> <B kind> <I meta_len> meta payload`` — ``total`` counts every byte after
itself, ``meta`` is UTF-8 JSON (or empty), ``payload`` raw bytes (a serialized message).
"""
from __future__ import annotations

import json
import socket
import struct
from typing import Any

# runtime → worker
CALL = 1        #: meta: invocation context; payload: input message
OPEN = 2        #: meta: invocation context; starts a pipeline
FRAME = 3       #: payload: one pipeline input frame
END = 4         #: no more pipeline input frames
MEM_REPLY = 5   #: meta: {"ok": bool, "result": ...}
# worker → runtime
RESULT = 10     #: payload: output message
ERROR = 11      #: meta: {"kind": "failure"|"flood", "message": str, "traceback": str}
OUT = 12        #: payload: one pipeline output frame
DONE = 13       #: the pipeline handler returned
LOG = 14        #: meta: {"level", "message", "attrs", "time"}
MEM_CALL = 15   #: meta: {"op", "args"}

_HEAD = struct.Struct("<IBI")
_LEN = struct.Struct("<I")
HEAD_SIZE = _HEAD.size
#: Largest output message (and frame) a node may produce — the platform's 16 MiB cap.
MAX_OUTPUT = 16 * 1024 * 1024
#: Largest frame either side accepts (input payloads are capped by the HTTP layer at 16 MiB).
MAX_FRAME = MAX_OUTPUT + 1024 * 1024
READY_LINE = "AXIOM-HOST-READY"


def head(kind: int, meta: bytes, payload_size: int) -> bytes:
    """A frame without its payload (sent separately)."""
    return _HEAD.pack(5 + len(meta) + payload_size, kind, len(meta)) + meta


def encode(kind: int, meta: bytes = b"", payload: bytes = b"") -> bytes:
    return _HEAD.pack(5 + len(meta) + len(payload), kind, len(meta)) + meta + payload


_encode = json.JSONEncoder(separators=(",", ":"), default=repr).encode


def dumps(obj: Any) -> bytes:
    """Compact JSON; values JSON cannot carry arrive as their ``repr``."""
    return _encode(obj).encode()


def decode(body: bytes) -> tuple[int, bytes, bytes]:
    """Split a frame body (everything after ``total``) into kind, meta, payload."""
    kind = body[0]
    (meta_len,) = _LEN.unpack_from(body, 1)
    return kind, body[5 : 5 + meta_len], body[5 + meta_len :]


class FrameParser:
    """Incremental decoder for data arriving in chunks (the runtime's asyncio protocol)."""

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Frame bodies completed by ``data``; raises ValueError on an oversized frame."""
        if not self._buf and len(data) >= 4:
            (n,) = _LEN.unpack_from(data)
            if n + 4 == len(data):  # the common case: exactly one frame
                return [data[4:]]
        buf = self._buf
        buf += data
        out = []
        while len(buf) >= 4:
            (n,) = _LEN.unpack_from(buf)
            if n > MAX_FRAME:
                raise ValueError(f"frame of {n} bytes exceeds the {MAX_FRAME} byte limit")
            if len(buf) < n + 4:
                break
            out.append(bytes(buf[4 : n + 4]))
            del buf[: n + 4]
        return out


class SocketFrames:
    """Blocking frame reader/writer over a connected socket (the worker's side)."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self._buf = bytearray()

    def read(self) -> tuple[int, bytes, bytes] | None:
        """The next frame, or None at end of stream."""
        buf = self._buf
        while True:
            if len(buf) >= 4:
                (n,) = _LEN.unpack_from(buf)
                if len(buf) >= n + 4:
                    body = bytes(buf[4 : n + 4])
                    del buf[: n + 4]
                    return decode(body)
                want = n + 4 - len(buf)
            else:
                want = 4 - len(buf)
            chunk = self.sock.recv(max(want, 65536))
            if not chunk:
                return None
            buf += chunk

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


#: Reflection views per connection, both ends alike: a graph's view crosses the socket once; later
#: calls send only ``reflection_ref`` + their position. Both ends evict first-in-first-out at the
#: same size and insert only on a full send, so they always agree on what is cached.
GRAPH_CACHE = 32


def remember_graph(cache: dict, graph_id: str, value=None) -> None:
    cache[graph_id] = value
    while len(cache) > GRAPH_CACHE:
        cache.pop(next(iter(cache)))
