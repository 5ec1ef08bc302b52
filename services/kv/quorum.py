"""What the coordinator's paths share: the view a command runs against in a cluster, the
error when too few replicas answer, and how often requests are sampled for the lake."""

from __future__ import annotations

from services.kv.resp import Error

SAMPLE_EVERY = 20  # one request in this many is timed per replica for the lake


class Unavailable(Error):
    def __init__(self, what: str) -> None:
        super().__init__(f"NOREPLICAS {what}")


class View:
    """The keyspace a command sees in the cluster: values read by quorum, writes recorded."""

    def __init__(self, values: dict[bytes, tuple[bytes, int | None] | None], now: int) -> None:
        self.values = values
        self.now = now
        self.writes: dict[bytes, tuple[bytes, int | None] | None] = {}

    def now_ms(self) -> int:
        return self.now

    def lookup(self, key: bytes) -> bytes | None:
        got = self.values.get(key)
        return None if got is None else got[0]

    def get_expire(self, key: bytes) -> int | None:
        got = self.values.get(key)
        return None if got is None else got[1]

    def store(self, key: bytes, value: bytes, expire_ms: int | None) -> None:
        self.values[key] = self.writes[key] = (value, expire_ms)

    def set_expire(self, key: bytes, expire_ms: int | None) -> None:
        self.store(key, self.values[key][0], expire_ms)  # type: ignore[index]

    def delete(self, key: bytes) -> bool:
        existed = self.values.get(key) is not None
        self.values[key] = self.writes[key] = None
        return existed
