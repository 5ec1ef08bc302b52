"""More of the edge as a shared cache (RFC 9111, RFC 9110): behaviours found by running the
edge under concurrent traffic from many independent clients, each test naming the section
it checks. Same set-up as ``test_rfc9111_*``: a real edge process in front of a scripted origin.
"""

from __future__ import annotations

import contextlib
import socketserver
import threading
from collections.abc import Iterator

import httpx
import pytest

from services.cdn.process import ServerProcess, start_edge
from services.cdn.purgelog import PurgeLog
from tests.services.cdn.rfc_edge import (
    FRESH,
    conformance_edge,  # noqa: F401 (the edge fixture)
    send,
)
from tests.services.cdn.rfc_origin import Answer


# -- RFC 9111 §4.4: invalidation is per URL ----------------------------------------------------
def test_purge_log_counts_only_purges_of_the_same_url() -> None:
    log = PurgeLog(capacity=2)
    start = log.mark()
    log.purged("/b")
    assert not log.overlapped("/a", start) and log.overlapped("/b", start)
    assert not log.overlapped("/b", log.mark())
    log.purged("/c")
    log.purged("/d")  # "/b" is forgotten: a fill that started before it is treated as overlapped
    assert log.overlapped("/a", start) and not log.overlapped("/a", log.mark())
    later = log.mark()
    log.purged_prefix()
    assert log.overlapped("/anything", later)


def test_a_post_elsewhere_does_not_stop_a_fill_in_flight_being_stored_section_4_4(edge, origin):
    slow = origin.case(Answer(headers=FRESH, delay=0.6))
    other = origin.case(Answer(headers=FRESH))
    fill = threading.Thread(target=send, args=(edge, slow))
    fill.start()
    assert send(edge, other, method="POST", content=b"x").status_code == 200
    fill.join()
    assert send(edge, slow).status_code == 200
    assert slow.count == 1  # the overlapping POST was to another URL: the fill was stored


def test_a_post_to_the_same_url_during_a_fill_keeps_it_out_of_the_cache_section_4_4(edge, origin):
    case = origin.case(Answer(headers=FRESH, delay=0.6), Answer(headers=FRESH))
    fill = threading.Thread(target=send, args=(edge, case))
    fill.start()
    threading.Event().wait(0.2)
    assert send(edge, case, method="POST", content=b"x").status_code == 200
    fill.join()
    send(edge, case)
    assert case.count == 3  # the fill may predate the change the POST made: not stored


# -- RFC 9110 §15: a status code outside 100..599 is not HTTP -----------------------------------
class _OddStatus(socketserver.StreamRequestHandler):
    """Answers every request with status 999, which no HTTP server library will send."""

    def handle(self) -> None:
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        body = b"odd"
        head = f"HTTP/1.1 999 Odd\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        self.wfile.write(head.encode() + body)


@contextlib.contextmanager
def _edge_in_front_of(
    handler: type[socketserver.BaseRequestHandler], name: str, settings
) -> Iterator[ServerProcess]:
    """An edge process whose upstream is a raw socket server answering with ``handler``."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with start_edge(url, name=name, settings=settings) as proc:
            yield proc
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def odd_edge(cdn_settings) -> Iterator[ServerProcess]:
    with _edge_in_front_of(_OddStatus, "edge-odd", cdn_settings) as proc:
        yield proc


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_invalid_upstream_status_becomes_502_rfc9110_15(odd_edge, method):
    with httpx.Client(timeout=10, trust_env=False) as client:
        response = client.request(method, odd_edge.url + "/x", content=b"x" * (method == "POST"))
        assert response.status_code == 502
        assert client.get(odd_edge.url + "/_cdn/healthz").status_code == 200  # still serving


# -- RFC 9111 §4.2.4 and RFC 9110 §9.2.2: a disconnected upstream ------------------------------
class _Flaky(socketserver.StreamRequestHandler):
    """Per path, a script of answers: raw response bytes, or None to close without answering."""

    scripts: dict[str, list[bytes | None]] = {}
    seen: dict[str, list[str]] = {}

    def handle(self) -> None:
        while True:
            line = self.rfile.readline()
            if not line:
                return
            method, path, _ = line.decode("latin-1").split(" ", 2)
            length = 0
            while (header := self.rfile.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = header.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            self.rfile.read(length)
            seen = self.seen.setdefault(path, [])
            seen.append(method)
            script = self.scripts[path]
            answer = script[min(len(seen), len(script)) - 1]
            if answer is None:
                return  # the connection closes with no response
            self.wfile.write(answer)


def _answer(cache_control: str, body: bytes = b"stored") -> bytes:
    head = f"HTTP/1.1 200 OK\r\nCache-Control: {cache_control}\r\nAge: 5\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


@pytest.fixture(scope="module")
def flaky_edge(cdn_settings) -> Iterator[ServerProcess]:
    with _edge_in_front_of(_Flaky, "edge-flaky", cdn_settings) as proc:
        yield proc


def _flaky(path: str, *script: bytes | None) -> str:
    _Flaky.scripts[path] = list(script)
    return path


@pytest.mark.parametrize(
    ("cache_control", "served_stale"),
    [
        ("max-age=1", True),
        ("max-age=1, must-revalidate", False),
        ("max-age=1, proxy-revalidate", False),
        ("max-age=1, s-maxage=1", False),
        ("max-age=1, no-cache", False),
    ],
)
def test_a_disconnected_edge_serves_stale_unless_a_directive_forbids_it_section_4_2_4(
    flaky_edge, cache_control, served_stale
):
    # stored already stale (Age 5 > max-age 1); then the upstream closes every connection
    path = _flaky(f"/stale/{cache_control.replace(' ', '')}", _answer(cache_control), None)
    with httpx.Client(timeout=10, trust_env=False) as client:
        assert client.get(flaky_edge.url + path).status_code == 200
        second = client.get(flaky_edge.url + path)
        if served_stale:
            assert second.status_code == 200 and second.text == "stored"
            assert second.headers["x-cache"].startswith("STALE")
        else:
            assert second.status_code == 502
        validated = client.get(flaky_edge.url + path, headers={"Cache-Control": "max-age=0"})
        assert validated.status_code == 502  # the client asked for a validated answer


def test_a_safe_request_is_retried_once_when_no_response_came_section_9_2_2(flaky_edge):
    path = _flaky("/retry/get", None, _answer("no-store", b"second try"))
    with httpx.Client(timeout=10, trust_env=False) as client:
        response = client.get(flaky_edge.url + path)
    assert response.status_code == 200 and response.text == "second try"
    assert _Flaky.seen[path] == ["GET", "GET"]


def test_an_unsafe_request_is_never_retried_section_9_2_2(flaky_edge):
    path = _flaky("/retry/post", None, _answer("no-store"))
    with httpx.Client(timeout=10, trust_env=False) as client:
        assert client.post(flaky_edge.url + path, content=b"x").status_code == 502
    assert _Flaky.seen[path] == ["POST"]
