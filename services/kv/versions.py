"""Dotted version vectors per key, a hybrid logical clock, and the Redis face's resolution rule.

Each stored version carries a *dot* (the node that coordinated it and that node's per-key
counter) and the *context* (a version vector of what its writer had seen). A version is
obsolete when another's context covers its dot; versions none of which covers another are
*siblings*: concurrent writes are kept side by side instead of one being lost. Writes are
coordinated by a replica of the key, which knows every dot it issued, so dots never repeat.

The Redis face shows one value: the sibling with the greatest hybrid logical clock timestamp
(``(physical ms, logical counter)``, ties by node name) wins: last writer wins by HLC.
Siblings are bounded (``MAX_SIBLINGS``); past the bound the oldest by HLC are dropped.
``KV.SIBLINGS key`` shows them all. Deletes are versions too (tombstones).
"""

from __future__ import annotations

import hashlib
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass

MAX_SIBLINGS = 8
_U8 = struct.Struct("<B")
_U64 = struct.Struct("<Q")
_TAIL = struct.Struct("<QIBqI")  # hlc ms, hlc logical, flags, expire (-1: none), value length


@dataclass(slots=True)
class Version:
    """One write of a key. Never changed once made (it is shared by replicas' sets, blobs and
    merges); not a frozen dataclass only because a frozen one costs a ``__setattr__`` call per
    field to build, and every replica request builds some."""

    node: str
    counter: int
    context: dict[str, int]
    hlc: tuple[int, int]
    value: bytes | None
    expire: int | None = None

    def __hash__(self) -> int:
        return hash((self.node, self.counter, self.hlc, self.value, self.expire))

    @property
    def dot(self) -> tuple[str, int]:
        return (self.node, self.counter)

    @property
    def stamp(self) -> tuple[int, int, str]:
        return (self.hlc[0], self.hlc[1], self.node)


def covered(context: dict[str, int], dot: tuple[str, int]) -> bool:
    return context.get(dot[0], 0) >= dot[1]


def merge(*sets: Iterable[Version]) -> list[Version]:
    """The versions of all sets that no other version has seen, at most ``MAX_SIBLINGS``."""
    if len(sets) == 2:
        quick = _merge_two(*sets)
        if quick is not None:
            return quick
    by_dot: dict[tuple[str, int], Version] = {}
    for versions in sets:
        for v in versions:
            by_dot.setdefault(v.dot, v)
    alive = [
        v
        for v in by_dot.values()
        if not any(o is not v and covered(o.context, v.dot) for o in by_dot.values())
    ]
    alive.sort(key=lambda v: v.stamp, reverse=True)
    return sorted(alive[:MAX_SIBLINGS], key=lambda v: v.dot)


def _merge_two(a: Iterable[Version], b: Iterable[Version]) -> list[Version] | None:
    """The common cases of ``merge`` without its quadratic scan: a merged set against the same
    set (a quorum read that agrees), or against one version that has seen all of it (a write
    over what a replica holds). None: not one of those cases."""
    if type(a) is not list or type(b) is not list:
        return None
    if len(b) == 1 and len(a) <= 1:
        new = b[0]
        if not a:
            return [new]
        old = a[0]
        if old.dot == new.dot:
            return [old]
        if covered(new.context, old.dot) and not covered(old.context, new.dot):
            return [new]
        return None
    if len(a) == len(b) and all(x.dot == y.dot for x, y in zip(a, b, strict=True)):
        return list(a)  # both are merged sets (sorted by dot): the same set
    return None


def context_of(versions: Iterable[Version]) -> dict[str, int]:
    """Everything these versions have seen, their own dots included."""
    ctx: dict[str, int] = {}
    for v in versions:
        if not ctx:
            ctx.update(v.context)
        else:
            for node, n in v.context.items():
                if ctx.get(node, 0) < n:
                    ctx[node] = n
        if ctx.get(v.node, 0) < v.counter:
            ctx[v.node] = v.counter
    return ctx


def new_version(
    local: list[Version],
    seen: dict[str, int],
    node: str,
    hlc: tuple[int, int],
    value: bytes | None,
    expire: int | None,
) -> Version:
    """A write coordinated by ``node``: it supersedes what ``node`` holds and what the writer
    had ``seen``; its dot is the next of ``node``'s counters for this key."""
    ctx = context_of(local)
    for n, c in seen.items():
        if ctx.get(n, 0) < c:
            ctx[n] = c
    return Version(node, ctx.get(node, 0) + 1, ctx, hlc, value, expire)


def winner(versions: list[Version]) -> Version | None:
    if len(versions) == 1:
        return versions[0]
    return max(versions, key=lambda v: v.stamp) if versions else None


def visible(versions: list[Version], now_ms: int) -> tuple[bytes, int | None] | None:
    """What the Redis face shows: the newest sibling by HLC, unless deleted or expired."""
    w = winner(versions)
    if w is None or w.value is None or (w.expire is not None and w.expire <= now_ms):
        return None
    return w.value, w.expire


class HLC:
    """A hybrid logical clock: close to wall time, strictly increasing, and ahead of every
    timestamp it has been shown."""

    def __init__(self) -> None:
        self.ms = 0
        self.logical = 0

    def now(self) -> tuple[int, int]:
        pt = int(time.time() * 1000)
        if pt > self.ms:
            self.ms, self.logical = pt, 0
        else:
            self.logical += 1
        return (self.ms, self.logical)

    def observe(self, stamp: tuple[int, int]) -> None:
        if stamp > (self.ms, self.logical):
            self.ms, self.logical = stamp


_NAMES: dict[str, bytes] = {}  # node name -> its length-prefixed encoding


def _name(s: str) -> bytes:
    b = _NAMES.get(s)
    if b is None:
        raw = s.encode()
        b = _U8.pack(len(raw)) + raw
        if len(_NAMES) < 4096:
            _NAMES[s] = b
    return b


_COUNTER_AND_COUNT = struct.Struct("<QB")  # a version's counter, then its context's size


def encode(versions: list[Version]) -> bytes:
    if len(versions) == 1:
        return _encode_one(versions[0])
    out = [_U8.pack(len(versions))]
    for v in versions:
        ctx = v.context
        out.append(_name(v.node))
        out.append(_U64.pack(v.counter))
        out.append(_U8.pack(len(ctx)))
        for node in sorted(ctx) if len(ctx) > 1 else ctx:
            out.append(_name(node))
            out.append(_U64.pack(ctx[node]))
        value = v.value
        expire = -1 if v.expire is None else v.expire
        if value is None:
            out.append(_TAIL.pack(v.hlc[0], v.hlc[1], 1, expire, 0))
        else:
            out.append(_TAIL.pack(v.hlc[0], v.hlc[1], 0, expire, len(value)))
            out.append(value)
    return b"".join(out)


def _encode_one(v: Version) -> bytes:
    """``encode([v])``, in fewer steps: every write a coordinator makes is encoded once."""
    ctx = v.context
    expire = -1 if v.expire is None else v.expire
    ms, logical = v.hlc
    value = v.value
    if value is None:
        tail = _TAIL.pack(ms, logical, 1, expire, 0)
        value = b""
    else:
        tail = _TAIL.pack(ms, logical, 0, expire, len(value))
    names = sorted(ctx) if len(ctx) > 1 else ctx
    seen = b"".join([_name(n) + _U64.pack(ctx[n]) for n in names])
    head = _COUNTER_AND_COUNT.pack(v.counter, len(ctx))
    return b"".join((b"\x01", _name(v.node), head, seen, tail, value))


def seen_by_write_over(local: list[Version]) -> dict[str, int]:
    """What a write over ``local`` has seen (``context_of``), as a fresh dict."""
    n = len(local)
    if n == 0:
        return {}
    if n == 1:
        v = local[0]
        ctx = v.context.copy()
        if ctx.get(v.node, 0) < v.counter:
            ctx[v.node] = v.counter
        return ctx
    return context_of(local)


def seen_by_write_over_blob(blob: bytes) -> tuple[dict[str, int], tuple[int, int]] | None:
    """``seen_by_write_over(decode(blob))`` and the held version's HLC, read off a
    one-version blob without building the version (None: not one version)."""
    if blob[0] != 1:
        return None
    held, counter, ctx, pos = _dot_and_context(blob, 1)
    if ctx.get(held, 0) < counter:
        ctx[held] = counter
    ms, logical = _TAIL_FROM(blob, pos)[:2]
    return ctx, (ms, logical)


def chain_head(blob: bytes) -> tuple[bytes, int, int, tuple[int, int], bool] | None:
    """What a write over a one-version blob whose context names no node but its own needs,
    read at fixed offsets without decoding names: the node's encoded name, the counter, the
    context's entry for the node (0: none), the HLC and whether it is a delete. The common
    case: a key written again and again through one coordinator. None: any other blob."""
    if blob[0] != 1:
        return None
    size = blob[1]
    shapes = _CHAIN_SHAPES.get(size) or _chain_shapes(size)
    if blob[10 + size] == 1:  # a context of one entry: this node's own, or no chain
        seen_self = shapes[0]
        if len(blob) < 1 + seen_self.size:
            return None
        name, counter, _, other, seen, ms, logical, flags = seen_self.unpack_from(blob, 1)
        if other != name:
            return None
        return name, counter, seen, (ms, logical), bool(flags & 1)
    name, counter, count, ms, logical, flags = shapes[1].unpack_from(blob, 1)
    if count:
        return None
    return name, counter, 0, (ms, logical), bool(flags & 1)


def chain_step(blob: bytes, old: bytes) -> tuple[bool, tuple[int, int]] | None:
    """``chain_head`` of both at once, for a replica taking ``blob`` (a write over a chain:
    its context names only its node) where it holds ``old`` (that node's chain head): when
    neither is a delete, ``(True, hlc)`` if ``blob`` is the version held, ``(False, hlc)`` if
    it supersedes it (it has seen ``old``'s dot and ``old`` has not seen its own), with
    ``blob``'s HLC. None: anything else (the general path merges them)."""
    size = blob[1]
    if blob[0] != 1 or old[0] != 1 or old[1] != size or blob[10 + size] != 1:
        return None
    seen_self, seen_none = _CHAIN_SHAPES.get(size) or _chain_shapes(size)
    if len(blob) < 1 + seen_self.size or len(old) < 1 + seen_none.size:
        return None
    name, counter, _, other, seen, ms, logical, flags = seen_self.unpack_from(blob, 1)
    if old[10 + size] == 1:  # a context of one entry
        if len(old) < 1 + seen_self.size:
            return None
        o_name, o_counter, _, o_other, o_seen, _, _, o_flags = seen_self.unpack_from(old, 1)
    else:
        o_name, o_counter, count, _, _, o_flags = seen_none.unpack_from(old, 1)
        o_other, o_seen = o_name, 0
        if count:
            return None
    if other != name or o_other != o_name or o_name != name or (flags | o_flags) & 1:
        return None
    if counter == o_counter:
        return True, (ms, logical)
    if seen >= o_counter and o_seen < counter:
        return False, (ms, logical)
    return None


# Per length of a node's name: the layout of a chain's head (``chain_head``) read in one
# unpacking, with a context naming the node itself and with an empty one.
_CHAIN_SHAPES: dict[int, tuple[struct.Struct, struct.Struct]] = {}


def _chain_shapes(size: int) -> tuple[struct.Struct, struct.Struct]:
    name = f"{size + 1}s"  # the length byte and the name: the node's ``_name``
    shapes = (struct.Struct(f"<{name}QB{name}QQIB"), struct.Struct(f"<{name}QBQIB"))
    _CHAIN_SHAPES[size] = shapes
    return shapes


class OwnChain:
    """One node's writes over its own chains (a one-version blob it issued over a context
    naming only itself, ``chain_head``), with its name's layouts made once: what such a write
    has seen, read at fixed offsets, and the blob it issues, in one packing. The common case
    of a coordinator's ``SET``."""

    def __init__(self, node: str) -> None:
        self.name = _name(node)
        self._size = len(self.name) - 1
        self._seen_self, self._seen_none = _CHAIN_SHAPES.get(self._size) or _chain_shapes(
            self._size
        )
        self._issue = _ISSUE_SHAPES.get(len(self.name)) or _issue_shape(len(self.name))

    def seen(self, blob: bytes) -> tuple[int, tuple[int, int]] | None:
        """Where ``blob`` is this node's chain, the counter of this node a write over it has
        seen (``seen_by_write_over_blob`` gives ``{node: counter}``) and the held version's
        HLC. None: any other blob."""
        if blob[0] != 1 or blob[1] != self._size:
            return None
        if blob[10 + self._size] == 1:  # a context of one entry
            shape = self._seen_self
            if len(blob) < 1 + shape.size:
                return None
            name, counter, _, other, seen, ms, logical, _ = shape.unpack_from(blob, 1)
            if name != self.name or other != name:
                return None
            return (seen if seen > counter else counter), (ms, logical)
        name, counter, count, ms, logical, _ = self._seen_none.unpack_from(blob, 1)
        if count or name != self.name:
            return None
        return counter, (ms, logical)

    def issue(self, seen: int, hlc: tuple[int, int], value: bytes) -> bytes:
        """``issue_blob({node: seen}, node, hlc, value)``: a write over this node's chain."""
        name = self.name
        return self._issue.pack(1, name, seen + 1, 1, name, seen, *hlc, 0, -1, len(value)) + value


_ISSUE_SHAPES: dict[int, struct.Struct] = {}


def _issue_shape(size: int) -> struct.Struct:
    shape = _ISSUE_SHAPES[size] = struct.Struct(f"<B{size}sQB{size}sQ" + _TAIL.format[1:])
    return shape


def issue_blob(ctx: dict[str, int], node: str, hlc: tuple[int, int], value: bytes) -> bytes:
    """``encode`` of the version ``node`` issues at ``hlc`` over a write that saw ``ctx``
    (its dot is the next counter of ``node`` after ``ctx``'s): a coordinator stores, logs and
    sends this, and builds no ``Version`` for a plain ``SET``."""
    size = len(ctx)
    if size == 0:
        seen = b""
    elif size == 1:
        ((other, seen_counter),) = ctx.items()
        seen = _name(other) + _U64.pack(seen_counter)
    else:
        seen = b"".join([_name(k) + _U64.pack(ctx[k]) for k in sorted(ctx)])
    return b"".join(
        (
            b"\x01",
            _name(node),
            _COUNTER_AND_COUNT.pack(ctx.get(node, 0) + 1, size),
            seen,
            _TAIL.pack(hlc[0], hlc[1], 0, -1, len(value)),
            value,
        )
    )


_U64_FROM = _U64.unpack_from
_COUNTER_AND_COUNT_FROM = _COUNTER_AND_COUNT.unpack_from
_TAIL_FROM = _TAIL.unpack_from
TAIL_SIZE = _TAIL.size


def _dot_and_context(blob: bytes, pos: int) -> tuple[str, int, dict[str, int], int]:
    """The version at ``pos``: its dot (node, counter), its context, and where its tail starts."""
    n = blob[pos]
    node = blob[pos + 1 : pos + 1 + n].decode()
    pos += 1 + n
    counter = _U64_FROM(blob, pos)[0]
    count = blob[pos + 8]
    pos += 9
    ctx = {}
    for _ in range(count):
        n = blob[pos]
        name = blob[pos + 1 : pos + 1 + n].decode()
        pos += 1 + n
        ctx[name] = _U64_FROM(blob, pos)[0]
        pos += 8
    return node, counter, ctx, pos


def decode(blob: bytes) -> list[Version]:
    pos = 1
    out = []
    for _ in range(blob[0]):
        node, counter, ctx, pos = _dot_and_context(blob, pos)
        ms, logical, flags, expire, vlen = _TAIL_FROM(blob, pos)
        pos += TAIL_SIZE
        value = None if flags & 1 else blob[pos : pos + vlen]
        pos += vlen
        out.append(
            Version(node, counter, ctx, (ms, logical), value, None if expire == -1 else expire)
        )
    return out


def head(blob: bytes) -> tuple[str, int, dict[str, int], tuple[int, int], bool] | None:
    """What a replica compares a one-version blob by, without building the version: its dot
    (node, counter), context, HLC and whether it is a delete. None: not one version."""
    if blob[0] != 1:
        return None
    node, counter, ctx, pos = _dot_and_context(blob, 1)
    ms, logical, flags, _, _ = _TAIL_FROM(blob, pos)
    return node, counter, ctx, (ms, logical), bool(flags & 1)


def blob_value(blob: bytes, now_ms: int) -> bytes | None:
    """What ``visible(decode(blob), now_ms)`` shows of a one-version blob (its value; None
    for a delete or an expired write), read off it without decoding."""
    pos = 2 + blob[1]  # past the version count and the node's name
    count = blob[pos + 8]
    pos += 9
    for _ in range(count):
        pos += 9 + blob[pos]
    _, _, flags, expire, size = _TAIL_FROM(blob, pos)
    if flags & 1 or (expire != -1 and expire <= now_ms):
        return None
    pos += TAIL_SIZE
    return blob[pos : pos + size]


def dots(versions: list[Version]) -> bytes:
    """The dots of a version set, as bytes: equal for equal sets (a dot names one version
    everywhere), what a digest read compares (empty: no versions)."""
    if not versions:
        return b""
    if len(versions) == 1:
        v = versions[0]
        return f"{v.node}:{v.counter}".encode()
    return "|".join(sorted(f"{v.node}:{v.counter}" for v in versions)).encode()


def blob_dots(blob: bytes) -> bytes:
    """``dots(decode(blob))``, read off a one-version blob without decoding it."""
    if blob[0] != 1:
        return dots(decode(blob))
    n = blob[1]
    return b"%s:%d" % (blob[2 : 2 + n], _U64_FROM(blob, 2 + n)[0])


def blob_digest(blob: bytes) -> bytes:
    """``digest(decode(blob))``, without building the versions of a one-version blob."""
    if blob[0] != 1:
        return digest(decode(blob))
    return hashlib.blake2b(blob_dots(blob), digest_size=8).digest()


def digest(versions: list[Version]) -> bytes:
    """What anti-entropy compares: equal sets of versions give equal digests."""
    return hashlib.blake2b(
        "|".join(f"{v.node}:{v.counter}" for v in versions).encode(), digest_size=8
    ).digest()
