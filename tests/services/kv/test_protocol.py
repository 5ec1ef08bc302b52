"""Bad input on the wire: malformed RESP, inline commands, oversized bulk strings, unknown
commands and wrong arity each get an error reply; the connection stays usable or is closed
cleanly, and the node keeps serving everyone else."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
import redis

from services.kv.node import Node, NodeConfig
from services.kv.resp import Error, RequestReader, encode_command


def talk(port: int, payload: bytes, *, timeout: float = 3.0) -> bytes:
    """Send ``payload``, half-close, and read until the node closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


@pytest.fixture
def port(single_node):
    return single_node.nodes[0].port


def test_inline_commands_work_as_in_redis(port, kv):
    out = talk(port, b"PING\r\nSET greeting \"hello world\"\r\nGET greeting\r\nECHO 'a b'\n")
    assert out == b"+PONG\r\n+OK\r\n$11\r\nhello world\r\n$3\r\na b\r\n"


def test_unbalanced_quotes_in_an_inline_command_close_with_a_protocol_error(port):
    out = talk(port, b'SET a "oops\r\nPING\r\n')
    assert out == b"-ERR Protocol error: unbalanced quotes in request\r\n"


def test_malformed_multibulk_gets_a_protocol_error_and_a_clean_close(port):
    out = talk(port, b"*2\r\n$3\r\nGET\r\n:5\r\n")
    assert out.startswith(b"-ERR Protocol error")
    out = talk(port, b"*1\r\n$x\r\nPING\r\n")
    assert out.startswith(b"-ERR Protocol error")


def test_pipelined_requests_before_a_malformed_one_are_answered(port):
    out = talk(port, b"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n*1\r\n!bad\r\n")
    assert out.startswith(b"+PONG\r\n+PONG\r\n-ERR Protocol error")


def test_a_bulk_string_over_the_cap_is_refused_without_buffering_it(port, kv):
    kv.config_set("proto-max-bulk-len", 1024 * 1024)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000000\r\n")
            reply = b""
            try:
                for _ in range(200):  # at most ~13 MB before the node must have answered
                    s.sendall(b"x" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                pass
            s.settimeout(5)
            try:
                reply = s.recv(4096)
            except ConnectionResetError:
                reply = b"-ERR Protocol error (reset)"
        assert reply.startswith(b"-ERR Protocol error")
    finally:
        kv.config_set("proto-max-bulk-len", 64 * 1024 * 1024)
    assert kv.ping()


def split_past_1k_at_an_element_boundary() -> tuple[bytes, bytes]:
    """An MSET over 1 KiB cut right after one of its elements: hiredis has consumed all it was
    given and dropped it from its buffer, yet the request is not complete."""
    full = encode_command([b"MSET", b"big1", b"x" * 1500, b"big2", b"v2"])
    cut = full.index(b"$4\r\nbig2")
    return full[:cut], full[cut:]


def test_a_large_request_split_at_an_element_boundary_is_read_as_one_request():
    head, rest = split_past_1k_at_an_element_boundary()
    reader = RequestReader(1 << 20)
    assert reader.feed(head) == []
    assert reader.feed(rest) == [[b"MSET", b"big1", b"x" * 1500, b"big2", b"v2"]]
    assert reader.error is None
    # and a request boundary is still where inline commands may begin
    assert reader.feed(b"PING\r\n") == [[b"PING"]]


def test_a_large_request_arriving_in_two_reads_gets_one_reply(port, kv):
    """The rest of a split request is never answered as inline commands (replies out of step
    with requests: a peer's replica batches failing in bursts)."""
    head, rest = split_past_1k_at_an_element_boundary()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(head)
        time.sleep(0.3)  # the node reads the head on its own
        s.sendall(rest + encode_command([b"PING"]))
        got = b""
        while len(got) < len(b"+OK\r\n+PONG\r\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    assert got == b"+OK\r\n+PONG\r\n"
    assert kv.get("big1") == b"x" * 1500
    assert kv.get("big2") == b"v2"


def test_unknown_commands_and_wrong_arity_leave_the_connection_usable(kv):
    with pytest.raises(redis.ResponseError, match="unknown command 'FROBNICATE'"):
        kv.execute_command("FROBNICATE", "x")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'get'"):
        kv.execute_command("GET")
    kv.set("still", "here")
    assert kv.get("still") == b"here"


def test_a_request_that_fails_unexpectedly_gets_an_error_reply_not_a_dropped_connection():
    class Broken:
        def execute(self, args, conn):
            raise RuntimeError("a bug")

    node = Node(NodeConfig(data_dir=None))
    node.cluster = Broken()
    reply = node.execute([b"GET", b"k"], conn=None)
    assert isinstance(reply, Error)
    assert reply.message == "ERR internal error: RuntimeError('a bug')"


def test_binary_keys_and_values_round_trip(kv):
    key, value = bytes(range(256)), b"\r\n\x00" * 1000
    kv.set(key, value)
    assert kv.get(key) == value
    assert kv.strlen(key) == 3000


def test_many_pipelined_commands_are_answered_in_order(kv):
    pipe = kv.pipeline(transaction=False)
    for i in range(2000):
        pipe.set(f"p{i}", i)
        pipe.incr(f"p{i}")
    results = pipe.execute()
    assert results[1::2] == [i + 1 for i in range(2000)]


def test_redis_cli_talks_to_the_node(port, kv):
    cli = shutil.which("redis-cli")
    if cli is None:
        pytest.skip("redis-cli is not installed (make tools installs redis-tools)")

    def run(*args: str) -> str:
        return subprocess.run(
            [cli, "-p", str(port), *args], capture_output=True, text=True, check=True, timeout=10
        ).stdout

    assert run("SET", "cli", "works") == "OK\n"
    assert run("GET", "cli") == "works\n"
    assert run("INCR", "counter") == "1\n"
    assert run("--no-raw", "GET", "missing") == "(nil)\n"
    assert "redis_version" in run("INFO", "server")
    assert run("DBSIZE") == "2\n"
    assert "ERR unknown command" in run("NOPE")
