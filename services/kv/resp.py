"""RESP2: reading client requests (hiredis.Reader, plus Redis's inline form) and encoding replies.

hiredis parses the multibulk form in C; what it does not do for a server is bound a request,
so this module caps the bytes a partial request may buffer (``max_request_bytes``) and the
element count, and answers an oversized or malformed request the way Redis does: an
``ERR Protocol error: ...`` reply, after which the connection is closed.
"""

from __future__ import annotations

from collections.abc import Iterable

import hiredis

MAX_INLINE_BYTES = 64 * 1024  # Redis's PROTO_INLINE_MAX_SIZE
MAX_ELEMENTS = 1024 * 1024


class Status(str):
    """A simple-string reply (``+OK``)."""


class Error(Exception):
    """An error reply; ``str(self)`` is the whole line, e.g. ``ERR syntax error``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProtocolError(Error):
    """A request that cannot be read: reply with it, then close the connection."""

    def __init__(self, what: str) -> None:
        super().__init__(f"ERR Protocol error: {what}")


OK = Status("OK")
_OK = b"+OK\r\n"
PONG = Status("PONG")
_NULL_BULK = b"$-1\r\n"
_NULL_ARRAY = b"*-1\r\n"
# The header of a bulk string of each length up to 4 KiB (``$<n>\r\n``), made once: the hot
# paths write values and replica requests as header, bytes, CRLF (half the cost of formatting).
BULK_HEADS = [b"$%d\r\n" % n for n in range(4096)]


class NullArray:
    """The RESP2 null array (``*-1``), e.g. a ``BLPOP`` timeout."""


NULL_ARRAY = NullArray()


class Map(list):
    """A map reply (pairs): a flat array in RESP2, ``%`` in RESP3."""


def _clean(line: str) -> bytes:
    return line.replace("\r", " ").replace("\n", " ").encode("utf-8", "surrogateescape")


def encode(reply: object, out: list[bytes]) -> None:
    """Append the RESP2 encoding of ``reply`` to ``out``.

    bytes -> bulk, None -> null bulk, bool/int -> integer, Status -> simple string,
    Error -> error, float -> bulk (as Redis formats it), list/tuple -> array.
    """
    if type(reply) is bytes:
        out.append(b"$%d\r\n%s\r\n" % (len(reply), reply))
    elif reply is OK:
        out.append(_OK)
    elif reply is None:
        out.append(_NULL_BULK)
    elif isinstance(reply, Status):
        out.append(b"+" + _clean(reply) + b"\r\n")
    elif isinstance(reply, int):
        out.append(b":%d\r\n" % int(reply))
    elif isinstance(reply, Map):
        out.append(b"*%d\r\n" % (2 * len(reply)))
        for k, v in reply:
            encode(k, out)
            encode(v, out)
    elif isinstance(reply, list | tuple):
        out.append(b"*%d\r\n" % len(reply))
        for item in reply:
            encode(item, out)
    elif isinstance(reply, Error):
        out.append(b"-" + _clean(reply.message) + b"\r\n")
    elif isinstance(reply, str):
        data = reply.encode("utf-8", "surrogateescape")
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    elif isinstance(reply, NullArray):
        out.append(_NULL_ARRAY)
    elif isinstance(reply, bytearray | memoryview):
        encode(bytes(reply), out)
    else:
        raise TypeError(f"cannot encode {type(reply).__name__} as RESP")


def encode3(reply: object, out: list[bytes]) -> None:
    """RESP3 (after ``HELLO 3``): null is ``_``, maps are ``%``; the rest as in RESP2."""
    if reply is None or isinstance(reply, NullArray):
        out.append(b"_\r\n")
    elif isinstance(reply, Map):
        out.append(b"%%%d\r\n" % len(reply))
        for k, v in reply:
            encode3(k, out)
            encode3(v, out)
    elif isinstance(reply, list | tuple):
        out.append(b"*%d\r\n" % len(reply))
        for item in reply:
            encode3(item, out)
    else:
        encode(reply, out)


def encode_one(reply: object) -> bytes:
    out: list[bytes] = []
    encode(reply, out)
    return b"".join(out)


def encode_command(args: Iterable[bytes | str | int]) -> bytes:
    """A request as a client sends it: an array of bulk strings."""
    parts = []
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"*%d\r\n" % len(parts) + b"".join(parts)


def split_inline(line: bytes) -> list[bytes]:
    """Redis's ``sdssplitargs``: words, "double quoted" (with escapes) or 'single quoted'."""
    args: list[bytes] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i : i + 1].isspace():
            i += 1
        if i >= n:
            return args
        cur = bytearray()
        in_dq = in_sq = False
        while True:
            c = line[i : i + 1]
            if in_dq:
                if i >= n:
                    raise ProtocolError("unbalanced quotes in request")
                if c == b"\\" and i + 3 < n + 0 and line[i + 1 : i + 2] == b"x":
                    hexpart = line[i + 2 : i + 4]
                    try:
                        cur.append(int(hexpart, 16))
                        i += 3
                    except ValueError:
                        cur += c
                elif c == b"\\" and i + 1 < n:
                    i += 1
                    esc = line[i : i + 1]
                    cur += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"a": b"\a"}.get(
                        esc, esc
                    )
                elif c == b'"':
                    if i + 1 < n and not line[i + 1 : i + 2].isspace():
                        raise ProtocolError("unbalanced quotes in request")
                    in_dq = False
                    i += 1
                    break
                else:
                    cur += c
            elif in_sq:
                if i >= n:
                    raise ProtocolError("unbalanced quotes in request")
                if c == b"\\" and line[i + 1 : i + 2] == b"'":
                    i += 1
                    cur += b"'"
                elif c == b"'":
                    if i + 1 < n and not line[i + 1 : i + 2].isspace():
                        raise ProtocolError("unbalanced quotes in request")
                    in_sq = False
                    i += 1
                    break
                else:
                    cur += c
            else:
                if i >= n or c.isspace():
                    break
                if c == b'"':
                    in_dq = True
                elif c == b"'":
                    in_sq = True
                else:
                    cur += c
            i += 1
        args.append(bytes(cur))


class RequestReader:
    """Turns the bytes of one connection into requests (lists of bytes).

    ``feed`` returns the complete requests so far. Input that breaks the protocol or its
    bounds sets ``error`` (a ``ProtocolError``): the caller answers the requests before it,
    then the error, then closes the connection.

    Whether the next byte starts a request (where an inline command may begin) is tracked
    here, not read off hiredis's buffer: hiredis drops the bytes it has consumed once they
    pass 1 KiB, so its buffer is also empty in the middle of a large request split at an
    element boundary, and the rest of that request must not be read as inline commands.
    """

    def __init__(self, max_request_bytes: int) -> None:
        self.max_request_bytes = max_request_bytes
        self._reader = hiredis.Reader()
        self._inline = b""
        self._pending = 0  # bytes fed to hiredis since it last produced a request
        self._partial = False  # hiredis holds the start of a request not yet complete
        self.error: ProtocolError | None = None

    def feed(self, data: bytes) -> list[list[bytes]]:
        requests: list[list[bytes]] = []
        try:
            self._feed(data, requests)
        except ProtocolError as err:
            self.error = err
        return requests

    def _feed(self, data: bytes, requests: list[list[bytes]]) -> None:
        if self._inline or (not self._partial and data[:1] != b"*"):
            data = self._inline_requests(self._inline + data, requests)
            self._inline = b""
            if not data:
                return
        self._pending += len(data)
        self._reader.feed(data)
        while True:
            try:
                req = self._reader.gets()
            except hiredis.ProtocolError as exc:
                raise ProtocolError(str(exc).removeprefix("Protocol error, ")) from None
            if req is False:
                self._partial = True  # it was given bytes (see below) and has no request yet
                break
            self._pending = 0
            if type(req) is not list:
                raise ProtocolError("expected '*' at the start of a request")
            if len(req) > MAX_ELEMENTS:
                raise ProtocolError("invalid multibulk length")
            for arg in req:
                if type(arg) is not bytes:
                    raise ProtocolError("expected '$', got another reply type")
            if req:
                requests.append(req)
            if not self._reader.has_data():  # every byte fed is in a complete request
                self._partial = False
                break
        if self._pending > self.max_request_bytes:
            raise ProtocolError("invalid bulk length")

    def _inline_requests(self, data: bytes, requests: list[list[bytes]]) -> bytes:
        while data and data[:1] != b"*":
            nl = data.find(b"\n")
            if nl < 0:
                if len(data) > MAX_INLINE_BYTES:
                    raise ProtocolError("too big inline request")
                self._inline = data
                return b""
            line, data = data[:nl], data[nl + 1 :]
            if line.endswith(b"\r"):
                line = line[:-1]
            args = split_inline(line)
            if args:
                requests.append(args)
        return data
