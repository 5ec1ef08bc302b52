"""An edge that loses its origin serves stale where allowed, else 502/504, and never passes
a truncated body off as complete."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from services.cdn.process import ServerProcess, start_edge
from tests.fake_clock import FakeClock
from tests.services.cdn.helpers import FaultyOrigin, ScriptedOrigin, clocked_edge


@pytest.fixture(scope="module")
def faulty() -> Iterator[FaultyOrigin]:
    origin = FaultyOrigin().start()
    yield origin
    origin.stop()


@pytest.fixture(scope="module")
def faulty_edge(faulty: FaultyOrigin, cdn_settings) -> Iterator[ServerProcess]:
    with start_edge(
        faulty.url,
        name="edge-faults",
        settings=cdn_settings,
        read_timeout=1.0,
        max_object_bytes=2_000_000,
    ) as proc:
        yield proc


def get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=10, trust_env=False)


def test_body_cut_mid_transfer_is_a_502_and_is_not_cached(faulty_edge, faulty):
    for attempt in (1, 2):
        resp = get(faulty_edge.url + "/cut")
        assert resp.status_code == 502 and "truncated" in resp.text
        assert faulty.counts["/cut"] == attempt  # nothing was stored


def test_content_length_longer_than_the_body_is_a_502_not_a_short_200(faulty_edge, faulty):
    resp = get(faulty_edge.url + "/short-cl")
    assert resp.status_code == 502
    assert get(faulty_edge.url + "/short-cl").status_code == 502
    assert faulty.counts["/short-cl"] == 2


def test_streamed_large_body_cut_short_aborts_the_client_response(faulty_edge, faulty):
    with pytest.raises(httpx.RemoteProtocolError):
        get(faulty_edge.url + "/big-cut")  # 200 headers went out; the body must not "complete"


def test_upstream_that_never_answers_is_a_504(faulty_edge):
    started = time.monotonic()
    resp = get(faulty_edge.url + "/hang")
    assert resp.status_code == 504 and time.monotonic() - started < 5


def test_edge_that_loses_its_origin_serves_stale_only_where_allowed(cdn_settings):
    origin = ScriptedOrigin().start()
    clock = FakeClock()
    urls = {
        "sie": "/sie?cc=max-age%3D1%2C%20stale-if-error%3D60",
        "swr": "/swr?cc=max-age%3D1%2C%20stale-while-revalidate%3D60",
        "must": "/must?cc=max-age%3D1%2C%20must-revalidate%2C%20stale-if-error%3D60",
        "sie503": "/sie503?cc=max-age%3D1%2C%20stale-if-error%3D60",
        "plain503": "/plain503?cc=max-age%3D1",
    }
    with clocked_edge(origin.url, clock, cdn_settings, "edge-lost") as edge:
        bodies = {k: get(edge.url + u).content for k, u in urls.items()}
        clock.advance(1.2)
        origin.failing.update({urls["sie503"], urls["plain503"]})
        error = get(edge.url + urls["sie503"])
        assert error.status_code == 200 and error.headers["x-cache"].startswith("STALE")
        assert get(edge.url + urls["plain503"]).status_code == 503  # nothing allows stale
        origin.stop()  # from here on: connection refused
        sie = get(edge.url + urls["sie"])
        assert sie.status_code == 200 and sie.content == bodies["sie"]
        assert sie.headers["x-cache"].startswith("STALE")
        swr = get(edge.url + urls["swr"])
        assert swr.status_code == 200 and swr.headers["x-cache"].startswith("STALE")
        assert get(edge.url + urls["must"]).status_code == 502
        never_cached = get(edge.url + "/never-seen")
        assert never_cached.status_code == 502 and "refused" in never_cached.text
        assert edge.alive()


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_idempotent_request_is_retried_once_when_the_connection_dies_rfc9110_9_2_2(
    faulty_edge, faulty, method
):
    """RFC 9110 §9.2.2 / RFC 9112 §9.3.1: a request whose method is idempotent may be sent
    again when the connection closed before any response came back."""
    path = f"/drop-once/{method.lower()}"
    response = httpx.request(method, faulty_edge.url + path, content=b"x", trust_env=False)
    assert response.status_code == 200 and response.text == "done"
    assert faulty.counts[path] == 2


def test_post_is_not_retried_when_the_connection_dies_rfc9112_9_3_1(faulty_edge, faulty):
    """RFC 9112 §9.3.1: a proxy must not retry a non-idempotent request on its own."""
    response = httpx.post(faulty_edge.url + "/drop-once/post", content=b"x", trust_env=False)
    assert response.status_code == 502
    assert faulty.counts["/drop-once/post"] == 1
