"""A Redis client cannot tell the node from Redis: the same commands, sent to a node and to a
private ``redis-server`` (7.0), get the same replies, errors included, byte for byte."""

from __future__ import annotations

import random

import pytest
import redis
from redis.client import CaseInsensitiveDict

from services.kv.launch import LocalCluster

SCRIPTS: list[list[tuple]] = [
    # strings
    [("SET", "k", "v"), ("GET", "k"), ("GET", "missing"), ("STRLEN", "k"), ("STRLEN", "no")],
    [
        ("SET", "k", "v", "NX"),
        ("SET", "k", "w", "NX"),
        ("SET", "k", "x", "XX"),
        ("GET", "k"),
        ("SET", "z", "1", "XX"),
        ("SET", "k", "y", "NX", "GET"),
        ("SET", "k", "y2", "XX", "GET"),
    ],
    [
        ("SET", "k", "v", "NX", "XX"),
        ("SET", "k", "v", "EX", "10", "PX", "100"),
        ("SET", "k", "v", "EX", "0"),
        ("SET", "k", "v", "EX", "-5"),
        ("SET", "k", "v", "EX", "abc"),
        ("SET", "k", "v", "PX"),
        ("SET", "k", "v", "KEEPTTL", "EX", "5"),
        ("SET", "k", "v", "FOO"),
        ("SET", "k", "v", "EX", "9223372036854775807"),
        ("SET", "k", "v", "ex", "10", "ex", "20"),
        ("TTL", "k"),
        ("SET", "k", "v", "PERSIST"),
    ],
    [
        ("SET", "k", "v", "EX", "100"),
        ("TTL", "k"),
        ("SET", "k", "w", "KEEPTTL"),
        ("TTL", "k"),
        ("SET", "k", "x"),
        ("TTL", "k"),
        ("SET", "k", "v", "PXAT", "1"),
        ("GET", "k"),
        ("EXISTS", "k"),
    ],
    [
        ("SETNX", "a", "1"),
        ("SETNX", "a", "2"),
        ("GET", "a"),
        ("SETEX", "b", "100", "x"),
        ("TTL", "b"),
        ("SETEX", "b", "0", "x"),
        ("PSETEX", "c", "-1", "x"),
        ("SETEX", "b", "x", "y"),
        ("GETSET", "a", "3"),
        ("GETSET", "new", "n"),
        ("GETDEL", "a"),
        ("GETDEL", "a"),
    ],
    [
        ("SET", "k", "v", "EX", "100"),
        ("GETEX", "k"),
        ("TTL", "k"),
        ("GETEX", "k", "PERSIST"),
        ("TTL", "k"),
        ("GETEX", "k", "EX", "50"),
        ("TTL", "k"),
        ("GETEX", "k", "NX"),
        ("GETEX", "k", "EX", "0"),
        ("GETEX", "nokey", "EX", "0"),
        ("GETEX", "k", "EXAT", "1"),
        ("GET", "k"),
        ("GETEX", "k", "PERSIST", "EX", "1"),
    ],
    [
        ("MSET", "a", "1", "b", "2"),
        ("MGET", "a", "b", "c"),
        ("MSET", "a"),
        ("MSET", "a", "1", "b"),
        ("MSETNX", "c", "3", "a", "9"),
        ("MSETNX", "c", "3", "d", "4"),
        ("MGET", "a", "c", "d"),
    ],
    [
        ("APPEND", "s", "hello"),
        ("APPEND", "s", " world"),
        ("GET", "s"),
        ("GETRANGE", "s", "0", "4"),
        ("GETRANGE", "s", "-5", "-1"),
        ("GETRANGE", "s", "-1", "-5"),
        ("GETRANGE", "s", "5", "2"),
        ("GETRANGE", "s", "0", "100"),
        ("GETRANGE", "s", "-100", "2"),
        ("GETRANGE", "no", "0", "1"),
        ("GETRANGE", "s", "a", "1"),
        ("SETRANGE", "s", "6", "WORLD"),
        ("GET", "s"),
        ("SETRANGE", "s", "20", "!"),
        ("GET", "s"),
        ("SETRANGE", "n", "3", "x"),
        ("GET", "n"),
        ("SETRANGE", "e", "3", ""),
        ("EXISTS", "e"),
        ("SETRANGE", "s", "-1", "x"),
        ("SETRANGE", "s", "0", ""),
        ("SETRANGE", "s", "536870912", "x"),
    ],
    [
        ("INCR", "i"),
        ("INCRBY", "i", "41"),
        ("DECR", "i"),
        ("DECRBY", "i", "-10"),
        ("GET", "i"),
        ("INCRBY", "i", "1.5"),
        ("INCRBY", "i", "+1"),
        ("INCRBY", "i", " 1"),
        ("INCRBY", "i", "01"),
        ("SET", "i", "9223372036854775807"),
        ("INCR", "i"),
        ("SET", "i", "-9223372036854775808"),
        ("DECR", "i"),
        ("DECRBY", "i", "-9223372036854775808"),
        ("SET", "s", "abc"),
        ("INCR", "s"),
        ("SET", "s", " 1"),
        ("INCR", "s"),
        ("SET", "s", "-0"),
        ("INCR", "s"),
        ("INCRBY", "i", "9223372036854775808"),
    ],
    [
        ("INCRBYFLOAT", "f", "10.5"),
        ("INCRBYFLOAT", "f", "0.1"),
        ("INCRBYFLOAT", "f", "-5.0e3"),
        ("INCRBYFLOAT", "f", "abc"),
        ("INCRBYFLOAT", "f", "inf"),
        ("INCRBYFLOAT", "f", "nan"),
        ("INCRBYFLOAT", "f", ""),
        ("INCRBYFLOAT", "f", " 1"),
        ("INCRBYFLOAT", "g", "3.0"),
        ("INCRBYFLOAT", "g", "1.23456789012345678"),
        ("SET", "h", "1e2"),
        ("INCRBYFLOAT", "h", "1"),
        ("INCRBYFLOAT", "h", "1.7976931348623157e308"),
        ("INCRBYFLOAT", "z", "-0"),
    ],
    # keys and expiry
    [
        ("MSET", "a", "1", "b", "2", "c", "3"),
        ("DEL", "a", "b", "x"),
        ("UNLINK", "c", "c"),
        ("EXISTS", "a", "a", "b"),
        ("SET", "t", "1"),
        ("TOUCH", "t", "t", "u"),
        ("TYPE", "t"),
        ("TYPE", "none"),
    ],
    [
        ("SET", "a", "1", "EX", "100"),
        ("RENAME", "a", "b"),
        ("TTL", "b"),
        ("GET", "a"),
        ("RENAME", "a", "b"),
        ("RENAME", "b", "b"),
        ("RENAMENX", "b", "b"),
        ("SET", "c", "3"),
        ("RENAMENX", "b", "c"),
        ("RENAMENX", "b", "d"),
        ("RENAME", "d", "c"),
        ("GET", "c"),
        ("TTL", "c"),
        ("RENAMENX", "zz", "c"),
    ],
    [
        ("SET", "a", "1", "EX", "100"),
        ("COPY", "a", "b"),
        ("TTL", "b"),
        ("COPY", "a", "b"),
        ("COPY", "a", "b", "REPLACE"),
        ("COPY", "a", "a"),
        ("COPY", "x", "y"),
        ("COPY", "a", "c", "DB", "0"),
        ("COPY", "a", "c", "DB", "3"),
        ("COPY", "a", "c", "DB"),
        ("COPY", "a", "c", "FOO"),
        ("COPY", "a", "c", "DB", "x"),
    ],
    [
        ("SET", "k", "v"),
        ("EXPIRE", "k", "100"),
        ("TTL", "k"),
        ("PTTL", "nokey"),
        ("TTL", "nokey"),
        ("EXPIRE", "k", "200", "NX"),
        ("EXPIRE", "k", "200", "XX"),
        ("TTL", "k"),
        ("EXPIRE", "k", "100", "GT"),
        ("EXPIRE", "k", "300", "GT"),
        ("TTL", "k"),
        ("EXPIRE", "k", "400", "LT"),
        ("EXPIRE", "k", "50", "LT"),
        ("TTL", "k"),
        ("EXPIRE", "k", "1", "NX", "XX"),
        ("EXPIRE", "k", "1", "GT", "LT"),
        ("EXPIRE", "k", "1", "YY"),
        ("EXPIRE", "k", "x"),
        ("EXPIRE", "k", "9223372036854775807"),
        ("PERSIST", "k"),
        ("PERSIST", "k"),
        ("TTL", "k"),
        ("EXPIRE", "k", "100", "GT"),
        ("EXPIRE", "k", "100", "LT"),
        ("TTL", "k"),
        ("EXPIRE", "nokey", "10"),
        ("EXPIRE", "k", "-1"),
        ("EXISTS", "k"),
    ],
    [
        ("SET", "k", "v"),
        ("PEXPIRE", "k", "100000"),
        ("EXPIREAT", "k", "4102444800"),
        ("EXPIRETIME", "k"),
        ("PEXPIRETIME", "k"),
        ("PEXPIREAT", "k", "4102444800123"),
        ("PEXPIRETIME", "k"),
        ("EXPIRETIME", "k"),
        ("EXPIRETIME", "no"),
        ("SET", "p", "1"),
        ("EXPIRETIME", "p"),
        ("PEXPIREAT", "k", "1"),
        ("EXISTS", "k"),
        ("EXPIREAT", "p", "x"),
    ],
    [
        (
            "MSET",
            "user:1",
            "a",
            "user:2",
            "b",
            "user:10",
            "c",
            "other",
            "d",
            "h\\llo",
            "e",
            "hallo",
            "f",
            "hbllo",
            "g",
        ),
        ("KEYS", "user:?"),
        ("KEYS", "user:*"),
        ("KEYS", "h[ae]llo"),
        ("KEYS", "h[^e]llo"),
        ("KEYS", "h[a-b]llo"),
        ("KEYS", "h\\\\llo"),
        ("KEYS", "*[1"),
        ("KEYS", "nomatch*"),
        ("DBSIZE",),
        ("RANDOMKEY", "x"),
        ("FLUSHDB", "ASYNC"),
        ("DBSIZE",),
        ("RANDOMKEY",),
        ("FLUSHDB", "x"),
        ("FLUSHALL", "SYNC"),
    ],
    # server and errors
    [
        ("PING",),
        ("PING", "hi"),
        ("PING", "a", "b"),
        ("ECHO", "x"),
        ("ECHO",),
        ("SELECT", "0"),
        ("SELECT", "1"),
        ("SELECT", "x"),
        ("GET",),
        ("GET", "a", "b"),
        ("NOSUCH",),
        ("NOSUCH", "a", "b\r\nc"),
        ("nosuch", "x" * 200),
        ("SET", "a"),
        ("EXISTS",),
        ("SCAN", "x"),
        ("SCAN", "0", "COUNT", "0"),
        ("SCAN", "0", "COUNT"),
        ("SCAN", "0", "BAD", "1"),
        ("CLIENT", "NOSUCH"),
        ("CONFIG", "NOSUCH"),
        ("TTL",),
        ("COMMAND", "NOSUCH"),
        ("CLIENT", "SETNAME", "bad name"),
        ("CLIENT", "SETNAME", "good"),
        ("CLIENT", "GETNAME"),
        ("CONFIG", "GET"),
        ("CONFIG", "SET", "nosuchparam", "1"),
        ("HELLO", "4"),
        ("HELLO", "x"),
    ],
]


def run(client: redis.Redis, script: list[tuple]) -> list:
    """Raw replies (no redis-py conversions, so float formatting is compared too)."""
    client.response_callbacks = CaseInsensitiveDict({})
    out = []
    for cmd in script:
        try:
            reply = client.execute_command(*cmd)
            out.append(sorted(reply) if cmd[0] == "KEYS" else reply)
        except redis.ResponseError as err:
            out.append(("error", str(err)))
    return out


@pytest.mark.parametrize("script", SCRIPTS, ids=[s[0][0] + f"-{i}" for i, s in enumerate(SCRIPTS)])
def test_node_answers_exactly_as_redis_does(kv, ref, script):
    assert run(kv, script) == run(ref, script)


def test_random_command_sequences_match_redis(kv, ref):
    rng = random.Random(11)
    keys = ["a", "b", "c", "n"]
    values = ["1", "-3", "x", "", "10.5", "9223372036854775806", "hello"]
    makers = [
        lambda: ("SET", rng.choice(keys), rng.choice(values)),
        lambda: ("GET", rng.choice(keys)),
        lambda: ("INCR", rng.choice(keys)),
        lambda: ("INCRBY", rng.choice(keys), rng.choice(["5", "-7", "x", "0"])),
        lambda: ("APPEND", rng.choice(keys), rng.choice(values)),
        lambda: ("GETRANGE", rng.choice(keys), str(rng.randint(-6, 6)), str(rng.randint(-6, 6))),
        lambda: ("SETRANGE", rng.choice(keys), str(rng.randint(0, 8)), rng.choice(values)),
        lambda: ("DEL", rng.choice(keys), rng.choice(keys)),
        lambda: ("EXISTS", rng.choice(keys), rng.choice(keys)),
        lambda: ("MSETNX", rng.choice(keys), "1", rng.choice(keys), "2"),
        lambda: ("RENAME", rng.choice(keys), rng.choice(keys)),
        lambda: ("COPY", rng.choice(keys), rng.choice(keys), *rng.choice([(), ("REPLACE",)])),
        lambda: ("EXPIRE", rng.choice(keys), "1000", *rng.choice([(), ("NX",), ("GT",), ("LT",)])),
        lambda: ("PERSIST", rng.choice(keys)),
        lambda: ("TTL", rng.choice(keys)),
        lambda: ("INCRBYFLOAT", rng.choice(keys), rng.choice(["0.1", "-2.5", "1e3"])),
        lambda: ("STRLEN", rng.choice(keys)),
        lambda: ("GETDEL", rng.choice(keys)),
        lambda: (
            "SET",
            rng.choice(keys),
            rng.choice(values),
            *rng.choice([("NX",), ("XX",), ("GET",), ("XX", "GET"), ("KEEPTTL",), ("EX", "500")]),
        ),
    ]
    script = [rng.choice(makers)() for _ in range(600)]
    script.append(("MGET", *keys))
    assert run(kv, script) == run(ref, script)


def test_scan_visits_every_key_once_like_keys(kv, ref):
    for client in (kv, ref):
        client.mset({f"key:{i}": i for i in range(300)})
        client.mset({f"other:{i}": i for i in range(50)})
    for client in (kv, ref):
        found = list(client.scan_iter(match="key:1*", count=17))
        assert sorted(found) == sorted(client.keys("key:1*"))
    assert sorted(kv.keys("key:1*")) == sorted(ref.keys("key:1*"))
    assert kv.dbsize() == ref.dbsize() == 350


def test_resp3_after_hello_3_matches_redis(single_node, private_redis):
    replies = []
    for port in (single_node.nodes[0].port, private_redis.port):
        client = redis.Redis(port=port, protocol=3)
        client.response_callbacks = CaseInsensitiveDict({})
        hello = client.execute_command("HELLO", "3")
        hello.pop(b"id")
        replies.append(
            [
                hello,
                client.execute_command("GET", "nothing-here"),
                client.execute_command("CONFIG", "GET", "maxclients"),
                client.execute_command("MGET", "nothing", "here"),
            ]
        )
        client.close()
    assert replies[0] == replies[1]


MULTI_KEY = {"MSET", "MSETNX", "RENAME", "RENAMENX", "COPY", "DEL", "EXISTS"}
CLUSTER_SCRIPTS = [s for s in SCRIPTS if any(cmd[0] in MULTI_KEY for cmd in s)]


@pytest.fixture(scope="module")
def cluster3(tmp_path_factory):
    """Three nodes (N=3, R=W=2): multi-key commands read and write keys homed on different
    nodes."""
    cluster = LocalCluster.create(tmp_path_factory.mktemp("kv3d"), 3)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.mark.parametrize(
    "script", CLUSTER_SCRIPTS, ids=[s[0][0] + f"-{i}" for i, s in enumerate(CLUSTER_SCRIPTS)]
)
def test_a_cluster_answers_multi_key_commands_as_redis_does(cluster3, ref, script):
    """RENAME, RENAMENX, COPY, MSET, MSETNX, DEL and EXISTS through one coordinator, then every
    key read back through another: the same replies as Redis, and the same values after."""
    first = redis.Redis(port=cluster3.nodes[0].port, socket_timeout=10)
    other = redis.Redis(port=cluster3.nodes[2].port, socket_timeout=10)
    first.flushall()
    assert run(first, script) == run(ref, script)
    keys = sorted({str(arg) for cmd in script for arg in cmd[1:3]})
    assert [other.get(k) for k in keys] == [ref.get(k) for k in keys]
