"""Node processes and a private redis-server on free loopback ports, always stopped after."""

from __future__ import annotations

import pytest
import redis

from services.kv.launch import LocalCluster, RedisServer, free_port


@pytest.fixture(scope="module")
def single_node(tmp_path_factory):
    """One node process (no peers), with a durable store."""
    cluster = LocalCluster.create(tmp_path_factory.mktemp("kv1"), 1)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory):
    if not RedisServer.available():
        pytest.skip("redis-server is not installed (make tools installs redis-server)")
    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def kv(single_node):
    client = redis.Redis(port=single_node.nodes[0].port, socket_timeout=10)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def ref(private_redis):
    client = redis.Redis(port=private_redis.port, socket_timeout=10)
    client.flushall()
    yield client
    client.close()
