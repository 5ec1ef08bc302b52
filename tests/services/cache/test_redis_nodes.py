"""The Redis backend: real ``redis-server`` processes on free loopback ports, one killed."""

import subprocess
import time

import pytest

from services.cache import CacheClient, RedisNode
from tests.conftest import free_port, require_binary, server_reachable

pytestmark = pytest.mark.servers


@pytest.fixture
def redis_servers(tmp_path):
    binary = require_binary("redis-server")
    procs = []
    ports = []
    for _ in range(3):
        port = free_port()
        proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(proc)
        ports.append(port)
    deadline = time.monotonic() + 10
    while not all(server_reachable("127.0.0.1", p) for p in ports):
        if time.monotonic() > deadline:
            pytest.skip("redis-server did not start")
        time.sleep(0.05)
    yield procs, ports
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def test_killing_a_redis_node_loses_no_write_through_data(redis_servers):
    procs, ports = redis_servers
    nodes = [
        RedisNode(f"r{i}", f"redis://127.0.0.1:{p}/0", timeout=0.3) for i, p in enumerate(ports)
    ]
    client = CacheClient(nodes, replicas=2)
    for i in range(300):
        client.set(f"k{i}", {"v": i}, ttl=60)
    procs[0].kill()
    procs[0].wait(timeout=10)
    assert all(client.get(f"k{i}") == {"v": i} for i in range(300))
    assert client.metrics.counts["failovers"] > 0
    assert "r0" in client.down_nodes()
    # Writes keep working on the survivors.
    client.set("after", 1)
    assert client.get("after") == 1
    assert client.stats()["nodes"]["r0"] == {"up": False}
    client.close()


def test_redis_ttl_and_delete(redis_servers):
    _, ports = redis_servers
    client = CacheClient([RedisNode("r", f"redis://127.0.0.1:{ports[0]}/0")], replicas=1)
    client.set("t", "x", ttl=0.1)
    client.set("d", "y")
    client.delete("d")
    assert client.get("t") == "x" and client.get("d") is None
    # Redis expires the key itself: what must hold is that the TTL reached it, in ms.
    assert 0 < client.nodes["r"].client.pttl("t") <= 100
    client.close()


def test_redis_url_setting_puts_every_server_behind_the_platform_client(redis_servers, settings):
    from services.cache import build_cache

    _, ports = redis_servers
    urls = ",".join(f"redis://127.0.0.1:{p}/0" for p in ports)
    client = build_cache(settings.model_copy(update={"redis_url": urls}))
    assert sorted(client.nodes) == ["redis-0", "redis-1", "redis-2"]
    client.set("k", {"a": 1})
    assert client.get("k") == {"a": 1}
    client.close()


def _start_redis(port, tmp_path):
    return subprocess.Popen(
        [require_binary("redis-server"), "--port", str(port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_strong_quorums_over_redis_survive_one_dead_server_fail_on_two_and_repair_a_restart(
    redis_servers, tmp_path
):
    from services.cache.client import QuorumUnavailable
    from services.cache.versions import body_of

    procs, ports = redis_servers
    nodes = [
        RedisNode(f"r{i}", f"redis://127.0.0.1:{p}/0", timeout=0.3) for i, p in enumerate(ports)
    ]
    client = CacheClient(nodes, replicas=3, consistency="strong", retry_down_after=0.0)
    keys = [f"q{i}" for i in range(60)]
    for k in keys:
        client.set(k, {"v": k}, ttl=60)
    procs[0].kill()
    procs[0].wait(timeout=10)
    for k in keys:
        assert client.set(k, {"v": k, "gen": 2}, ttl=60) == 2
        assert client.get(k) == {"v": k, "gen": 2}
    procs[1].kill()
    procs[1].wait(timeout=10)
    with pytest.raises(QuorumUnavailable, match="quorum is 2"):
        client.set("q0", "lost")
    with pytest.raises(QuorumUnavailable, match="quorum is 2"):
        client.get("q1")
    # r0 comes back empty (no persistence): reads repair it from r2, with the remaining TTL
    procs.append(_start_redis(ports[0], tmp_path))
    deadline = time.monotonic() + 10
    while not server_reachable("127.0.0.1", ports[0]):
        assert time.monotonic() < deadline, "redis-server did not restart"
        time.sleep(0.05)
    # the refused write reached r2 before failing: unacknowledged, it may still be served
    assert client.get("q0") in ("lost", {"v": "q0", "gen": 2})
    rest = keys[1:]
    assert all(client.get(k) == {"v": k, "gen": 2} for k in rest)
    r0 = nodes[0].client
    assert all(body_of(r0.get(k)) == b'{"v":"%s","gen":2}' % k.encode() for k in rest)
    assert 0 < r0.pttl("q5") <= 60_000
    client.close()


class _PrefixedNode(RedisNode):
    """A replica as a key prefix on one shared server, with a switch to play dead."""

    def __init__(self, name, url, prefix):
        super().__init__(name, url, timeout=0.5)
        self.prefix = prefix
        self.down = False

    def _k(self, key):
        if self.down:
            from services.cache.nodes import NodeDown

            raise NodeDown(f"{self.name} is down")
        return self.prefix + key

    def get(self, key):
        return super().get(self._k(key))

    def set(self, key, value, ttl=None):
        super().set(self._k(key), value, ttl)

    def set_versioned(self, key, value, ttl=None):
        return super().set_versioned(self._k(key), value, ttl)

    def delete(self, key):
        super().delete(self._k(key))


def test_strong_quorums_on_the_shared_redis_under_owned_prefixes():
    """Against the platform's Redis (6379): each replica is a key prefix this test owns, and
    only those keys are deleted afterwards (the shared server is never flushed)."""
    import uuid

    from services.cache.client import QuorumUnavailable

    if not server_reachable("127.0.0.1", 6379):
        pytest.skip("no Redis on 127.0.0.1:6379")
    base = f"test:cache-quorum:{uuid.uuid4().hex}:"
    nodes = [_PrefixedNode(f"p{i}", "redis://127.0.0.1:6379/0", f"{base}{i}:") for i in range(3)]
    client = CacheClient(nodes, replicas=3, consistency="strong", retry_down_after=0.0)
    try:
        client.set("k", "old", ttl=60)
        nodes[1].down = True
        client.set("k", "new", ttl=60)
        nodes[1].down = False
        assert client.get("k") == "new"
        assert nodes[1].client.get(f"{base}1:k").endswith(b'"new"')  # repaired
        nodes[0].down = nodes[2].down = True
        with pytest.raises(QuorumUnavailable):
            client.get("k")
        nodes[0].down = nodes[2].down = False
        client.delete("k")
        assert client.get("k") is None
    finally:
        raw = nodes[0].client
        owned = list(raw.scan_iter(match=f"{base}*", count=1000))
        if owned:
            raw.delete(*owned)
        client.close()
