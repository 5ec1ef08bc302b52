"""The replica port takes peers' commands (``KV.R.*``) from anyone who connects: a malformed
one gets an error reply, stores nothing, and leaves the connection usable."""

from __future__ import annotations

import contextlib
import random

import pytest
import redis

from services.kv.blob_check import check_blobs
from services.kv.launch import LocalCluster
from services.kv.versions import MAX_SIBLINGS, Version, decode, encode


def random_versions(rng: random.Random, count: int) -> list[Version]:
    names = ["n1", "n2", "nœud-3", "a" * 40]
    out = []
    for _ in range(count):
        ctx = {n: rng.randrange(1, 1 << 40) for n in rng.sample(names, rng.randrange(0, 4))}
        value = None if rng.random() < 0.2 else rng.randbytes(rng.randrange(0, 300))
        expire = None if rng.random() < 0.7 else rng.randrange(1, 1 << 42)
        hlc = (rng.randrange(1 << 41), rng.randrange(1 << 16))
        out.append(Version(rng.choice(names), rng.randrange(1, 1 << 40), ctx, hlc, value, expire))
    return out


def test_every_encoding_is_accepted_and_every_cut_or_padded_one_refused():
    rng = random.Random(5)
    for _ in range(300):
        blob = encode(random_versions(rng, rng.randrange(1, MAX_SIBLINGS + 1)))
        check_blobs([blob])
        assert len(decode(blob)) == blob[0]
        for cut in range(len(blob)):
            with pytest.raises(ValueError):
                check_blobs([blob[:cut]])
        with pytest.raises(ValueError):
            check_blobs([blob + b"\x00"])


def test_no_versions_too_many_siblings_and_names_that_are_not_utf8_are_refused():
    rng = random.Random(6)
    one = encode(random_versions(rng, 1))
    many = encode(random_versions(rng, MAX_SIBLINGS))
    assert many[0] == MAX_SIBLINGS
    with pytest.raises(ValueError):
        check_blobs([b"\x00"])
    with pytest.raises(ValueError):
        check_blobs([bytes([MAX_SIBLINGS + 1]) + many[1:] + one[1:]])
    bad_name = one[:2] + b"\xff" + one[3:]  # the first byte of the writer's name
    with pytest.raises(ValueError):
        check_blobs([bad_name])
    with pytest.raises(ValueError):
        check_blobs([one, b""])  # one bad entry refuses the whole batch


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    cluster = LocalCluster.create(tmp_path_factory.mktemp("kv3"), 3)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def node(three):
    client = redis.Redis(port=three.nodes[0].port, socket_timeout=10)
    yield client
    client.close()


def a_blob(value: bytes = b"v") -> bytes:
    return encode([Version("n1", 7, {}, (1_700_000_000_000, 0), value)])


@pytest.mark.parametrize(
    "blob",
    [a_blob()[:-1], a_blob() + b"!", a_blob()[:5], b"", b"\x01", b"\x09" + a_blob()[1:]],
    ids=["truncated", "padded", "cut-in-the-dot", "empty", "count-only", "too-many-siblings"],
)
def test_a_malformed_replica_put_is_refused_and_stores_nothing(node, blob):
    for command in (
        ["KV.R.PUT", "rk", blob],
        ["KV.R.PUT", "rk", blob, "n2"],
        ["KV.R.MPUT", "rk", blob, ""],
        ["KV.R.MPUT", "ok", a_blob(), "", "rk", blob, ""],
    ):
        with pytest.raises(redis.ResponseError, match="wrong arguments"):
            node.execute_command(*command)
    assert node.execute_command("KV.R.GET", "rk") is None
    assert node.execute_command("KV.R.GET", "ok") is None  # the batch's good entry too
    assert node.ping()


def test_a_well_formed_replica_put_is_stored_as_sent(node):
    blob = a_blob(b"kept")
    assert node.execute_command("KV.R.MPUT", "wk", blob, "") == 1
    assert decode(node.execute_command("KV.R.GET", "wk")) == decode(blob)


@pytest.mark.parametrize(
    "command",
    [
        ["KV.R.COORD", "ck", a_blob()[:-2], "v", "", "2", "E"],
        ["KV.R.COORD", "ck", "", "v", "soon", "2", "E"],
        ["KV.R.COORD", "ck", "", "v", "", "0", "E"],
        ["KV.R.COORD", "ck", "", "v", "", "two", "E"],
        ["KV.R.RMW", "E", "2", "0", "INCR", "ck"],
        ["KV.R.RMW", "E", "x", "2", "INCR", "ck"],
        ["KV.R.MERKLE", "many"],
        ["KV.R.DIGESTS", "0", "leaf"],
    ],
    ids=[
        "coord-cut-context",
        "coord-bad-expiry",
        "coord-w-0",
        "coord-w-not-a-number",
        "rmw-w-0",
        "rmw-r-not-a-number",
        "merkle-range-not-a-number",
        "digests-leaf-not-a-number",
    ],
)
def test_forwarded_writes_with_bad_arguments_get_an_error_reply(node, command):
    with pytest.raises(redis.ResponseError, match="wrong arguments"):
        node.execute_command(*command)
    assert node.get("ck") is None
    assert node.ping()


def test_a_quorum_override_that_is_not_a_number_gets_redis_integer_error(node):
    with pytest.raises(redis.ResponseError, match="^value is not an integer or out of range$"):
        node.execute_command("KV.RW", "two", "2")
    assert node.ping()


PEER_COMMANDS = [
    "KV.R.PUT",
    "KV.R.MPUT",
    "KV.R.GET",
    "KV.R.MGET",
    "KV.R.MCHECK",
    "KV.R.COORD",
    "KV.R.RMW",
    "KV.R.MERKLE",
    "KV.R.DIGESTS",
    "KV.R.PING",
    "KV.R.KEYS",
    "KV.R.SCAN",
    "KV.G.PING",
    "KV.G.PINGREQ",
    "KV.MEMBERS",
    "KV.SIBLINGS",
    "KV.RW",
    "KV.CONSISTENCY",
    "KV.RING",
    "KV.STATS",
]


def test_peer_commands_with_random_arguments_always_get_a_reply(three, node):
    """Seeded mutations of real version blobs and argument shapes: each request is answered
    (a value or an error reply) on a connection that stays usable, and no node logs a
    traceback."""
    rng = random.Random(11)
    blobs = [a_blob(), encode(random_versions(rng, 3))]
    words = [b"", b"0", b"-1", b"2", b"E", b"L", b"n2", b"k", b"9" * 30, b"\xff", b"INCR", b"*"]

    def argument() -> bytes:
        blob = bytearray(rng.choice(blobs))
        roll = rng.random()
        if roll < 0.3:
            return bytes(blob)
        if roll < 0.5:
            for _ in range(rng.randint(1, 3)):
                blob[rng.randrange(len(blob))] = rng.randrange(256)
            return bytes(blob)
        if roll < 0.6:
            return bytes(blob[: rng.randrange(len(blob))])
        return rng.choice(words)

    for _ in range(600):
        args = [argument() for _ in range(rng.choice([0, 1, 2, 3, 4, 6, 7, 9]))]
        with contextlib.suppress(redis.ResponseError):
            node.execute_command(rng.choice(PEER_COMMANDS), *args)
    assert node.ping()
    for member in three.nodes:
        assert member.alive
        assert b"Traceback" not in member.log.read_bytes()
