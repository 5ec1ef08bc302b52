"""Which fields are stored and how a 304 updates them (RFC 9111 §3.1, §3.2, §4.3.4), and interim
responses never stored (RFC 9110 §15.2, RFC 9111 §3). Set-up: ``tests.services.cdn.rfc_edge``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

import httpx
import pytest

from services.cdn.process import start_edge
from tests.services.cdn.rfc_edge import (
    FRESH,
    conformance_edge,  # noqa: F401 (the edge fixture)
    reused,
    send,
)
from tests.services.cdn.rfc_origin import Answer


# -- RFC 9111 §3.1, §3.2, §4.3.4: which fields are stored and how a 304 updates them ----------
def test_fields_named_in_connection_are_not_stored_or_relayed_section_3_1(edge, origin):
    headers = [*FRESH, ("Connection", "a, b"), ("A", "1"), ("B", "2"), ("C", "3")]
    case = origin.case(Answer(headers=headers))
    first = send(edge, case)
    hit = send(edge, case)
    assert case.count == 1 and hit.headers["c"] == "3"
    for response in (first, hit):
        assert "a" not in response.headers and "b" not in response.headers


@pytest.mark.parametrize(
    "name",
    ["Keep-Alive", "Proxy-Authenticate", "Proxy-Authentication-Info", "Proxy-Connection"]
    + ["Upgrade", "TE", "Trailer"],
)
def test_hop_by_hop_fields_are_not_stored_section_3_1(edge, origin, name):
    case = origin.case(Answer(headers=[*FRESH, (name, "x-value")]))
    send(edge, case)
    hit = send(edge, case)
    assert case.count == 1 and name.lower() not in hit.headers


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Test-Header", "v"),
        ("X-Test-Header", "v"),
        ("Content-Foo", "v"),
        ("X-Content-Foo", "v"),
        ("Content-Location", "/foo"),
        ("Content-MD5", "rL0Y20zC+Fzt72VPzMSk2A=="),
        ("Content-Security-Policy", "default-src 'self'"),
        ("Clear-Site-Data", "cache"),
        ("ETag", '"abcdef"'),
        ("Public-Key-Pins", "v"),
        ("Set-Cookie", "a=b"),
        ("Set-Cookie2", "a=b"),
        ("X-Frame-Options", "deny"),
        ("X-XSS-Protection", "1; mode=block"),
    ],
)
def test_end_to_end_fields_are_stored_and_returned_section_3_1(edge, origin, name, value):
    case = origin.case(Answer(headers=[*FRESH, (name, value)]))
    send(edge, case)
    hit = send(edge, case)
    assert case.count == 1 and hit.headers[name] == value


def test_set_cookie_lines_are_stored_and_sent_apart_section_3_1(edge, origin):
    case = origin.case(Answer(headers=[*FRESH, ("Set-Cookie", "a=b"), ("Set-Cookie", "c=d")]))
    send(edge, case)
    raw = httpx.get(edge.url + case.path, trust_env=False).headers.get_list("set-cookie")
    assert case.count == 1 and raw == ["a=b", "c=d"]


def test_request_with_a_cookie_still_reuses_the_stored_response_section_3(edge, origin):
    assert reused(edge, origin, FRESH, request=[("Cookie", "a=b")])


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("Test-Header", "A", "B"),
        ("X-Test-Header", "A", "B"),
        ("Content-Foo", "A", "B"),
        ("X-Content-Foo", "A", "B"),
        ("Content-Type", "text/plain", "text/plain;charset=utf-8"),
        ("X-Frame-Options", "deny", "sameorigin"),
    ],
)
def test_a_304_updates_the_stored_fields_section_3_2(edge, origin, name, old, new):
    validator = ("ETag", '"v1"')
    case = origin.case(
        Answer(headers=[("Cache-Control", "max-age=0"), validator, (name, old)]),
        Answer(304, [("Cache-Control", "max-age=3600"), validator, (name, new)]),
    )
    assert send(edge, case).headers[name] == old
    assert send(edge, case).headers[name] == new
    third = send(edge, case)
    assert case.count == 2 and third.headers[name] == new  # fresh again per the 304's max-age


def test_a_304_that_omits_a_field_keeps_the_stored_one_section_3_2(edge, origin):
    lm = "Wed, 01 Jan 2020 00:00:00 GMT"
    case = origin.case(
        Answer(
            headers=[("Cache-Control", "max-age=0"), ("Last-Modified", lm), ("Test-Header", "A")]
        ),
        Answer(304, [("Last-Modified", lm), ("Date", 0)]),
    )
    send(edge, case)
    second = send(edge, case)
    assert case.last.headers["if-modified-since"] == lm and second.headers["test-header"] == "A"


def test_a_304_never_changes_the_stored_content_length_section_3_2(edge, origin):
    case = origin.case(
        Answer(headers=[("Cache-Control", "max-age=0"), ("ETag", '"v"')], body=b"12345"),
        Answer(304, [("ETag", '"v"'), ("Content-Length", "10")]),
    )
    send(edge, case)
    second = send(edge, case)
    assert second.content == b"12345" and second.headers["content-length"] == "5"


# -- RFC 9110 §15.2 and RFC 9111 §3: interim responses ----------------------------------------
class EarlyHintsOrigin:
    """A raw origin that sends ``103 Early Hints`` before a cacheable 200."""

    def __init__(self) -> None:
        self.count = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self.loop
        ).result(5)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _handle(self, reader, writer) -> None:
        with contextlib.suppress(Exception):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if b"/healthz" not in head.split(b"\r\n", 1)[0]:
                    self.count += 1
                    writer.write(b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n")
                body = b"final"
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncache-control: max-age=100000\r\n"
                    b"content-length: 5\r\n\r\n" + body
                )
                await writer.drain()
        writer.close()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


def test_interim_responses_are_never_stored_section_3(cdn_settings):
    hints = EarlyHintsOrigin()
    try:
        with start_edge(hints.url, name="edge-1xx", settings=cdn_settings) as proc:
            first = httpx.get(proc.url + "/page", trust_env=False, timeout=10)
            second = httpx.get(proc.url + "/page", trust_env=False, timeout=10)
        assert first.status_code == second.status_code == 200 and second.text == "final"
        assert hints.count == 1 and "link" not in second.headers
    finally:
        hints.stop()
