"""What one node holds as a replica: each key's sibling versions, the hints it keeps for down
nodes, and the Merkle leaves anti-entropy compares, all on the durable store.

Durable keys: ``d`` + key for data, ``h`` + node + NUL + key for a hint held for ``node``.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Protocol

from services.kv.ring import Ring
from services.kv.versions import (
    Version,
    blob_digest,
    blob_dots,
    chain_head,
    chain_step,
    decode,
    digest,
    dots,
    encode,
    head,
    merge,
)

LEAVES = 16


def leaf_of(key: bytes) -> int:
    """The Merkle leaf of ``key`` within its token range: any function of the key alone that
    every node computes alike; CRC-32 costs a tenth of the ring's hash."""
    return zlib.crc32(key) & (LEAVES - 1)


class Held(dict):
    """``key -> versions``, where a replicated write may be held as it arrived, encoded, until
    something reads it: decoding each one (and keeping its objects) was most of what a replica
    spent per write. Reads decode it and keep the versions (and the blob in ``blobs``)."""

    __slots__ = ("blobs",)

    def __init__(self, blobs: dict[bytes, bytes]) -> None:
        super().__init__()
        self.blobs = blobs

    def _decoded(self, key: bytes, blob: bytes) -> list[Version]:
        versions = decode(blob)
        dict.__setitem__(self, key, versions)
        self.blobs[key] = blob
        return versions

    def __getitem__(self, key: bytes) -> list[Version]:
        held = dict.__getitem__(self, key)
        return self._decoded(key, held) if type(held) is bytes else held

    def get(self, key: bytes, default: Any = None) -> Any:
        held = dict.get(self, key, default)
        return self._decoded(key, held) if type(held) is bytes else held

    def values(self) -> list[list[Version]]:  # type: ignore[override]
        return [self[k] for k in list(self)]

    def items(self) -> list[tuple[bytes, list[Version]]]:  # type: ignore[override]
        return [(k, self[k]) for k in list(self)]

    def peek(self, key: bytes) -> list[Version]:
        """``self[key]`` without keeping the decoded versions (anti-entropy walks every key)."""
        held = dict.__getitem__(self, key)
        return decode(held) if type(held) is bytes else held

    def encoded(self, key: bytes) -> bytes | None:
        """The blob ``key`` is held as, when it is held encoded."""
        held = dict.get(self, key)
        return held if type(held) is bytes else None


class Log(Protocol):
    """What a replica asks of its log: ``DurableStore``, or any store with these methods."""

    def load(self) -> dict[bytes, bytes]: ...

    def put(self, key: bytes, value: bytes | None) -> None: ...

    def put_many(self, keys: list[bytes], values: list[bytes]) -> None: ...


class Replica:
    def __init__(self, ring: Ring, store: Log | None, hint_limit: int = 100_000) -> None:
        self.ring = ring
        self.store = store
        self.hint_limit = hint_limit
        # data[key] encoded, where known and data holds it decoded: what replica reads send,
        # and what a coordinator compares a peer's answer with before decoding it (equal
        # blobs, equal version sets).
        self.blobs: dict[bytes, bytes] = {}
        self.data: Any = Held(self.blobs)  # Any: every lookup goes through its methods
        self.by_range: dict[int, set[bytes]] = defaultdict(set)
        self.hints: dict[str, dict[bytes, list[Version]]] = defaultdict(dict)
        self.hints_dropped = 0
        self.tombstones: set[bytes] = set()  # keys whose versions are all deletes (for GC)
        # key -> (what data held, its Merkle leaf and hash, its digest): ``_ae_entry``
        self._ae: dict[bytes, tuple[Any, int, int, bytes]] = {}
        if store is not None:
            for raw, blob in store.load().items():
                if raw[:1] == b"d":
                    self._index(raw[1:], decode(blob), blob)
                elif raw[:1] == b"h":
                    node, _, key = raw[1:].partition(b"\x00")
                    self.hints[node.decode()][key] = decode(blob)

    def _index(self, key: bytes, versions: list[Version], blob: bytes | None = None) -> None:
        self._set(key, versions, blob)
        self.by_range[self.ring.range_of(key)].add(key)

    def _set(self, key: bytes, versions: list[Version], blob: bytes | None = None) -> None:
        self.data[key] = versions
        if blob is None:
            self.blobs.pop(key, None)
        else:
            self.blobs[key] = blob
        if len(versions) == 1:
            deleted = versions[0].value is None
        else:
            deleted = all(v.value is None for v in versions)
        if deleted:
            self.tombstones.add(key)
        else:
            self.tombstones.discard(key)

    def reindex(self, ring: Ring) -> None:
        """The ring changed: token ranges are renumbered."""
        self.ring = ring
        self.by_range = defaultdict(set)
        for key in self.data:
            self.by_range[ring.range_of(key)].add(key)

    def drop(self, key: bytes) -> None:
        """Forget ``key`` (handed to its new homes, or a purged tombstone)."""
        if self.data.pop(key, None) is None:
            return
        self.blobs.pop(key, None)
        self._ae.pop(key, None)
        self.tombstones.discard(key)
        self.by_range[self.ring.range_of(key)].discard(key)
        if self.store is not None:
            self.store.put(b"d" + key, None)

    def get(self, key: bytes) -> list[Version]:
        """This node's versions of ``key``, with any it holds as hints for others."""
        data = self.data
        own = dict.get(data, key)  # ``Held.get`` inlined: every request reads its key here
        if own is None:
            own = []
        elif type(own) is bytes:
            own = data._decoded(key, own)
        if not self.hints:  # no hints held (a home's entry goes when its last hint does)
            return own
        extra = [h[key] for h in self.hints.values() if key in h]
        return merge(own, *extra) if extra else own

    def dots_of(self, key: bytes) -> bytes:
        """``dots(self.get(key))``; a write held encoded is read without decoding it (a
        digest read leaves it encoded)."""
        if not self.hints:
            held = dict.get(self.data, key)
            if type(held) is bytes:
                return blob_dots(held)
        return dots(self.get(key))

    def get_blob(self, key: bytes) -> bytes | None:
        """``get(key)`` encoded (None: nothing held), from the cache when it can be."""
        blob = self.blobs.get(key) or self.data.encoded(key)
        if blob is not None and not self._hinted(key):
            return blob
        versions = self.get(key)
        if not versions:
            return None
        blob = encode(versions)
        if key in self.data and not self._hinted(key):
            self.blobs[key] = blob
        return blob

    def _hinted(self, key: bytes) -> bool:
        return any(key in h for h in self.hints.values()) if self.hints else False

    def put(
        self, key: bytes, versions: list[Version], blob: bytes | None = None
    ) -> tuple[list[Version], bool]:
        """Merge ``versions`` in; returns the result and whether anything changed. ``blob``:
        ``versions`` encoded, when the caller has it already."""
        old = self.data.get(key)
        if len(versions) == 1:
            # One version over none, or over one that it has seen (a write on a replica in
            # step): ``merge``'s first cases, stored without the general comparison below.
            v = versions[0]
            if old is None:
                return self._replace(key, [v], blob, False), True
            if len(old) == 1:
                o = old[0]
                if v.counter == o.counter and v.node == o.node:
                    return old, False
                if v.context.get(o.node, 0) >= o.counter and o.context.get(v.node, 0) < v.counter:
                    return self._replace(key, [v], blob, True), True
        if old is None:
            old = []
        new = merge(old, versions)
        if len(new) == len(old) and all(
            a is b or (a.counter == b.counter and a.node == b.node)
            for a, b in zip(new, old, strict=True)
        ):
            return old, False
        same = blob is not None and len(new) == len(versions) == 1 and new[0] is versions[0]
        if not same:
            blob = encode(new) if self.store is not None else None
        if key in self.data:
            self._set(key, new, blob)  # its token range is indexed already
        else:
            self._index(key, new, blob)
        if self.store is not None:
            self.store.put(b"d" + key, blob)
        return new, True

    def put_encoded_many(self, writes: Iterable[tuple[bytes, bytes]]) -> tuple[int, int]:
        """``put_encoded`` of each ``(key, blob)``, in order, in one call: a blob that takes
        the place of the one version its node's chain held (the common case, compared at
        fixed offsets) is held and logged without a call per key. Returns the newest HLC."""
        data = self.data
        blobs = self.blobs
        logged: list[bytes] = []
        logged_blobs: list[bytes] = []
        newest = (0, 0)
        for key, blob in writes:
            old = dict.get(data, key)
            step = chain_step(blob, old) if type(old) is bytes else None
            if step is not None:
                held, hlc = step
                if hlc > newest:
                    newest = hlc
                if held:
                    continue
                dict.__setitem__(data, key, blob)  # its successor: ``_hold``
                if blobs:
                    blobs.pop(key, None)
                logged.append(b"d" + key)
                logged_blobs.append(blob)
                continue
            if logged and self.store is not None:  # the log keeps each key's order
                self.store.put_many(logged, logged_blobs)
                logged, logged_blobs = [], []
            hlc = self.put_encoded(key, blob)
            if hlc > newest:
                newest = hlc
        if logged and self.store is not None:
            self.store.put_many(logged, logged_blobs)
        return newest

    def put_encoded(self, key: bytes, blob: bytes) -> tuple[int, int]:
        """``put`` of a replicated write as it arrived (``blob``): held encoded when it is
        new here or supersedes the one version held (``put``'s first cases), merged by
        ``put`` otherwise. Returns the newest HLC it carries (for the node's clock)."""
        old = dict.get(self.data, key)
        if type(old) is bytes:  # one node's chain of writes: compared at fixed offsets
            mine = chain_head(blob)
            theirs = None if mine is None else chain_head(old)
            if mine is not None and theirs is not None and theirs[0] == mine[0]:
                _, counter, seen, hlc, deleted = mine
                _, o_counter, o_seen, _, o_deleted = theirs
                if counter == o_counter:
                    return hlc  # held already
                if seen < o_counter or o_seen >= counter:
                    self.put(key, decode(blob), blob)  # not a successor of what is held
                    return hlc
                self._hold(key, blob, o_deleted, deleted)
                return hlc
        new = head(blob)
        if new is None:
            versions = decode(blob)
            self.put(key, versions, blob)
            return max((v.hlc for v in versions), default=(0, 0))
        node, counter, ctx, hlc, deleted = new
        data = self.data
        if old is None:
            dict.__setitem__(data, key, blob)
            self.by_range[self.ring.range_of(key)].add(key)
        else:
            if type(old) is bytes:
                held = head(old)
            elif len(old) == 1:
                v = old[0]
                held = (v.node, v.counter, v.context, v.hlc, v.value is None)
            else:
                held = None
            if held is None:
                self.put(key, decode(blob), blob)
                return hlc
            o_node, o_counter, o_ctx, _, o_deleted = held
            if counter == o_counter and node == o_node:
                return hlc  # held already
            if ctx.get(o_node, 0) < o_counter or o_ctx.get(node, 0) >= counter:
                self.put(key, decode(blob), blob)  # not a successor of what is held
                return hlc
            self._hold(key, blob, o_deleted, deleted)
            return hlc
        if deleted:
            self.tombstones.add(key)
        if self.store is not None:
            self.store.put(b"d" + key, blob)
        return hlc

    def _hold(self, key: bytes, blob: bytes, was_deleted: bool, deleted: bool) -> None:
        """Hold ``blob`` (one version) in place of the one version it supersedes, and log it."""
        dict.__setitem__(self.data, key, blob)
        self.blobs.pop(key, None)
        if was_deleted and not deleted:
            self.tombstones.discard(key)
        if deleted:
            self.tombstones.add(key)
        if self.store is not None:
            self.store.put(b"d" + key, blob)

    def _replace(
        self, key: bytes, new: list[Version], blob: bytes | None, held: bool
    ) -> list[Version]:
        """Store ``new`` (one version, encoded as ``blob`` when given) in place of what is held
        (``held``: something is)."""
        if blob is None and self.store is not None:
            blob = encode(new)
        if held:
            self._set(key, new, blob)
        else:
            self._index(key, new, blob)
        if self.store is not None:
            self.store.put(b"d" + key, blob)
        return new

    def put_own(self, key: bytes, version: Version, blob: bytes) -> None:
        """Store a write this node coordinated: ``version`` has seen everything ``get(key)``
        returned, so it replaces what is held (``put`` without the merge)."""
        if key in self.data:
            self._set(key, [version], blob)
        else:
            self._index(key, [version], blob)
        if self.store is not None:
            self.store.put(b"d" + key, blob)

    def put_own_many(self, keys: list[bytes], blobs: list[bytes]) -> None:
        """``put_own`` of each key with the one version (none a delete) ``blobs`` encodes,
        in one call; held encoded, as a replicated write is (``Held``)."""
        data = self.data
        held = self.blobs
        tombstones = self.tombstones
        for key, blob in zip(keys, blobs, strict=True):
            if key not in data:
                self.by_range[self.ring.range_of(key)].add(key)
            dict.__setitem__(data, key, blob)
            if held:
                held.pop(key, None)  # the encoding of a decoded entry, which this one is not
            if tombstones:
                tombstones.discard(key)
        if self.store is not None:
            self.store.put_many([b"d" + key for key in keys], blobs)

    def add_hint(self, home: str, key: bytes, versions: list[Version]) -> bool:
        held = self.hints.get(home)
        if (held is None or key not in held) and self.hint_count() >= self.hint_limit:
            self.hints_dropped += 1
            return False
        if held is None:
            held = self.hints[home] = {}
        held[key] = merge(held.get(key, []), versions)
        if self.store is not None:
            self.store.put(b"h" + home.encode() + b"\x00" + key, encode(held[key]))
        return True

    def drop_hint(self, home: str, key: bytes) -> None:
        held = self.hints.get(home)
        if held is None:
            return
        if held.pop(key, None) is not None and self.store is not None:
            self.store.put(b"h" + home.encode() + b"\x00" + key, None)
        if not held:
            del self.hints[home]

    def hint_count(self) -> int:
        return sum(len(h) for h in self.hints.values())

    def flush(self) -> None:
        for key in list(self.data):
            if self.store is not None:
                self.store.put(b"d" + key, None)
        self.data.clear()
        self.blobs.clear()
        self._ae.clear()
        self.by_range.clear()
        self.tombstones.clear()

    def _ae_entry(self, key: bytes) -> tuple[Any, int, int, bytes]:
        """What anti-entropy compares ``key`` by: ``(held, leaf, hash, digest)``, its Merkle
        leaf, its hash over ``(key, version digest)`` and that digest, kept while what
        ``data`` holds for it is the same object ``held``: anti-entropy walks its ranges every
        few seconds, and most keys have not changed since the last walk."""
        held = dict.__getitem__(self.data, key)
        got = self._ae.get(key)
        if got is not None and got[0] is held:
            return got
        leaf = leaf_of(key) if got is None else got[1]
        dig = blob_digest(held) if type(held) is bytes else digest(held)
        h = hashlib.blake2b(key + dig, digest_size=8).digest()
        got = self._ae[key] = (held, leaf, int.from_bytes(h, "big"), dig)
        return got

    def merkle_leaves(self, range_index: int) -> list[bytes]:
        """Sixteen leaf hashes over ``(key, version digest)`` of the keys in one token range."""
        acc = [0] * LEAVES
        entry = self._ae_entry
        for key in self.by_range.get(range_index, ()):
            _, leaf, h, _ = entry(key)
            acc[leaf] ^= h
        return [x.to_bytes(8, "big") for x in acc]

    def leaf_digests(self, range_index: int, leaves: Iterable[int]) -> dict[bytes, bytes]:
        """The version digest of each key of one token range in any of ``leaves``."""
        wanted = set(leaves)
        entry = self._ae_entry
        out = {}
        for key in self.by_range.get(range_index, ()):
            _, at, _, dig = entry(key)
            if at in wanted:
                out[key] = dig
        return out
