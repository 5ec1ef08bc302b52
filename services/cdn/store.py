"""The edge's object store: a byte-budgeted in-memory LRU, optionally backed by a disk tier.

Objects are keyed by URL plus the values of the request headers the response ``Vary``-es
on. Evicted objects drop to the disk tier (when configured) and are promoted back on use.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from services.cdn.cachecontrol import Policy, response_policy

#: Per-object overhead counted against the budget besides the body.
OVERHEAD_BYTES = 512


@dataclass(slots=True)
class Entry:
    """One stored response: its identity body, headers (lowercased) and freshness state."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    stored_at: float
    initial_age: float
    policy: Policy
    vary: tuple[str, ...] = ()
    vary_values: tuple[str, ...] = ()
    encoded: dict[str, bytes] = field(default_factory=dict)
    prepared: dict = field(default_factory=dict)  # coding -> response headers, built once
    accounted: int = 0  # bytes charged to the memory budget when inserted

    def age(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.stored_at + self.initial_age

    def staleness(self, now: float | None = None) -> float:
        """Seconds past the freshness lifetime (<= 0 while fresh)."""
        return self.age(now) - self.policy.lifetime

    def is_fresh(self, now: float | None = None) -> bool:
        """Fresh while the lifetime exceeds the current age (RFC 9111 §4.2)."""
        return not self.policy.no_cache and self.staleness(now) < 0

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(b) for b in self.encoded.values()) + OVERHEAD_BYTES

    def meta(self) -> dict:
        return {
            "url": self.url,
            "status": self.status,
            "headers": self.headers,
            "stored_at": self.stored_at,
            "initial_age": self.initial_age,
            "vary": list(self.vary),
            "vary_values": list(self.vary_values),
        }

    @classmethod
    def from_meta(cls, meta: dict, body: bytes) -> Entry:
        headers = meta["headers"]
        return cls(
            url=meta["url"],
            status=meta["status"],
            headers=headers,
            body=body,
            stored_at=meta["stored_at"],
            initial_age=meta["initial_age"],
            policy=response_policy(meta["status"], headers),
            vary=tuple(meta["vary"]),
            vary_values=tuple(meta["vary_values"]),
        )


def parse_vary(value: str | None) -> tuple[str, ...]:
    """Header names a response varies on, lowercased and sorted; Accept-Encoding is left out
    because the edge always fetches identity bodies and negotiates encodings itself."""
    if not value:
        return ()
    names = {n.strip().lower() for n in value.split(",") if n.strip()}
    names.discard("accept-encoding")
    return tuple(sorted(names))


#: Stands for a selecting header the request did not send (unlike one sent empty).
ABSENT = "\x01"


def vary_values(names: tuple[str, ...], request_headers: dict[str, str]) -> tuple[str, ...]:
    """The request's values of the selecting headers, normalised (RFC 9111 §4.1): field
    lines combined, whitespace around list members dropped."""
    out = []
    for name in names:
        value = request_headers.get(name)
        if value is None:
            out.append(ABSENT)
        else:
            out.append(",".join(" ".join(v.split()) for v in value.split(",")))
    return tuple(out)


def make_key(url: str, values: tuple[str, ...]) -> str:
    return url if not values else url + "\x00" + "\x00".join(values)


class ObjectStore:
    """Memory LRU with a byte budget; a disk tier (``disk_dir``) catches what memory evicts."""

    def __init__(
        self,
        max_bytes: int = 256 * 1024 * 1024,
        *,
        disk_dir: Path | None = None,
        disk_max_bytes: int = 2 * 1024 * 1024 * 1024,
    ) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._mem: OrderedDict[str, Entry] = OrderedDict()
        self._vary: dict[str, tuple[str, ...]] = {}  # url -> names its variants vary on
        self.disk_dir = Path(disk_dir) if disk_dir else None
        self.disk_max_bytes = disk_max_bytes
        self._disk: OrderedDict[str, tuple[str, int]] = OrderedDict()  # key -> (url, size)
        self.disk_bytes = 0
        if self.disk_dir:
            self.disk_dir.mkdir(parents=True, exist_ok=True)
            self._load_disk_index()

    # -- lookup ------------------------------------------------------------------------
    def key_for(self, url: str, request_headers: dict[str, str]) -> str:
        names = self._vary.get(url, ())
        return make_key(url, vary_values(names, request_headers)) if names else url

    def vary_names(self, url: str) -> tuple[str, ...]:
        return self._vary.get(url, ())

    def get(self, key: str) -> Entry | None:
        entry = self._mem.get(key)
        if entry is not None:
            self._mem.move_to_end(key)
            return entry
        if key in self._disk:
            entry = self._read_disk(key)
            if entry is not None:
                self._insert_memory(key, entry)
            return entry
        return None

    def __len__(self) -> int:
        return len(self._mem.keys() | self._disk.keys())

    # -- insert ------------------------------------------------------------------------
    def put(self, entry: Entry) -> str:
        """Store ``entry`` under its URL and Vary values; returns its key."""
        if entry.vary:
            self._vary[entry.url] = entry.vary
        else:
            self._vary.pop(entry.url, None)
        key = make_key(entry.url, entry.vary_values)
        self._remove_memory(key)
        self._insert_memory(key, entry)
        return key

    def touch(self, entry: Entry) -> None:
        """Re-account an entry whose size changed (an encoding was added)."""
        key = make_key(entry.url, entry.vary_values)
        if self._mem.get(key) is entry and entry.size != entry.accounted:
            self._remove_memory(key)
            self._insert_memory(key, entry)

    def _insert_memory(self, key: str, entry: Entry) -> None:
        if entry.size > self.max_bytes:
            self._write_disk(key, entry)
            return
        entry.accounted = entry.size
        self._mem[key] = entry
        self.bytes += entry.accounted
        while self.bytes > self.max_bytes and self._mem:
            old_key, old = self._mem.popitem(last=False)
            self.bytes -= old.accounted
            self._write_disk(old_key, old)

    def _remove_memory(self, key: str) -> None:
        old = self._mem.pop(key, None)
        if old is not None:
            self.bytes -= old.accounted

    # -- purge -------------------------------------------------------------------------
    def purge_url(self, url: str) -> int:
        """Drop every variant of ``url``; returns how many objects went."""
        return self._purge(lambda u: u == url)

    def purge_prefix(self, prefix: str) -> int:
        """Drop every object whose URL starts with ``prefix``."""
        return self._purge(lambda u: u.startswith(prefix))

    def _purge(self, match) -> int:
        gone = 0
        for key in [k for k, e in self._mem.items() if match(e.url)]:
            self._remove_memory(key)
            gone += 1
        for key in [k for k, (u, _) in self._disk.items() if match(u)]:
            if key not in self._mem:
                gone += 1
            self._drop_disk(key)
        for url in [u for u in self._vary if match(u)]:
            del self._vary[url]
        return gone

    # -- disk tier ---------------------------------------------------------------------
    def _paths(self, key: str) -> tuple[Path, Path]:
        digest = hashlib.sha256(key.encode()).hexdigest()
        assert self.disk_dir is not None
        return self.disk_dir / f"{digest}.body", self.disk_dir / f"{digest}.json"

    def _write_disk(self, key: str, entry: Entry) -> None:
        if self.disk_dir is None or len(entry.body) > self.disk_max_bytes:
            return
        body_path, meta_path = self._paths(key)
        tmp = body_path.with_suffix(".tmp")
        tmp.write_bytes(entry.body)
        os.replace(tmp, body_path)
        meta_path.write_text(json.dumps({**entry.meta(), "key": key}), encoding="utf-8")
        self._drop_disk_index(key)
        self._disk[key] = (entry.url, len(entry.body))
        self.disk_bytes += len(entry.body)
        while self.disk_bytes > self.disk_max_bytes and self._disk:
            self._drop_disk(next(iter(self._disk)))

    def _read_disk(self, key: str) -> Entry | None:
        body_path, meta_path = self._paths(key)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            body = body_path.read_bytes()
        except (OSError, ValueError):
            self._drop_disk(key)
            return None
        self._disk.move_to_end(key)
        return Entry.from_meta(meta, body)

    def _drop_disk_index(self, key: str) -> None:
        old = self._disk.pop(key, None)
        if old is not None:
            self.disk_bytes -= old[1]

    def _drop_disk(self, key: str) -> None:
        self._drop_disk_index(key)
        if self.disk_dir is not None:
            for path in self._paths(key):
                path.unlink(missing_ok=True)

    def _load_disk_index(self) -> None:
        assert self.disk_dir is not None
        for meta_path in sorted(self.disk_dir.glob("*.json"), key=lambda p: p.stat().st_mtime):
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                size = meta_path.with_suffix(".body").stat().st_size
            except (OSError, ValueError):
                continue
            self._disk[meta["key"]] = (meta["url"], size)
            self.disk_bytes += size
            if meta["vary"]:
                self._vary[meta["url"]] = tuple(meta["vary"])
