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
