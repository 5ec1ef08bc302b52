"""ESI on the edge: opted-in HTML is assembled per request from fragments fetched through the
edge's own cache (each by its own rules); failures follow ESI 1.0; includes are same-origin,
bounded in depth and count."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from services.cdn import esi
from tests.fake_clock import FakeClock
from tests.services.cdn.helpers import clocked_edge, serve_in_thread

ESI = [(b"surrogate-control", b'content="ESI/1.0"'), (b"content-type", b"text/html")]
CACHE = [(b"cache-control", b"max-age=600")]


class EsiOrigin:
    """Serves ``pages`` (path -> (headers, body)) and counts requests; ``/user`` answers a
    fresh, uncacheable body each time."""

    def __init__(self, pages: dict[str, tuple[list, bytes]]) -> None:
        self.pages = pages
        self.counts: Counter[str] = Counter()
        self.server, self.thread, self.port = serve_in_thread(self, lifespan="off")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        self.counts[path] += 1
        if path == "/user":
            headers, body = [(b"cache-control", b"no-store")], f"user#{self.counts[path]}".encode()
        elif path in self.pages:
            headers, body = self.pages[path]
        else:
            headers, body = [(b"cache-control", b"no-store")], b"gone"
            status = 503 if path == "/down" else 404
            await _send(send, status, headers, body)
            return
        await _send(send, 200, headers, body)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


async def _send(send, status: int, headers: list, body: bytes) -> None:
    headers = headers + [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


PAGES = {
    "/page": (
        ESI + CACHE,
        b'<html><esi:include src="/frag/nav"/><p>hi</p><esi:include src="user" />'
        b"<esi:remove><a href=/nav>nav</a></esi:remove><!--esi <i>edge</i> --></html>",
    ),
    "/frag/nav": ([(b"cache-control", b"max-age=600")], b"<nav>NAV</nav>"),
    "/static": (ESI + CACHE, b'<esi:include src="/frag/nav"/><esi:include src="/frag/nav"/>'),
    "/tolerant": (ESI + CACHE, b'a<esi:include src="/down" onerror="continue"/>b'),
    "/strict": (ESI + CACHE, b'a<esi:include src="/down"/>b'),
    "/alt": (ESI + CACHE, b'a<esi:include src="/down" alt="/frag/nav"/>b'),
    "/foreign": (ESI + CACHE, b'a<esi:include src="http://evil.example/frag/nav"/>b'),
    "/loop": (ESI + CACHE, b'[<esi:include src="/loop"/>]'),
    "/plain": ([(b"content-type", b"text/html"), *CACHE], b'<esi:include src="/frag/nav"/>'),
    "/many": (ESI + CACHE, b'<esi:include src="/frag/nav"/>' * (esi.MAX_INCLUDES + 1)),
}


@pytest.fixture(scope="module")
def site(cdn_settings):
    origin = EsiOrigin(PAGES)
    with (
        clocked_edge(origin.url, FakeClock(), cdn_settings, "edge-esi") as edge,
        httpx.Client(base_url=edge.url, trust_env=False, timeout=10) as http,
    ):
        yield origin, http
    origin.stop()


def test_a_page_is_assembled_per_request_from_fragments_cached_by_their_own_rules(site):
    origin, http = site
    first, second = http.get("/page"), http.get("/page")
    assert first.status_code == second.status_code == 200
    assert first.text == "<html><nav>NAV</nav><p>hi</p>user#1 <i>edge</i> </html>"
    assert second.text == "<html><nav>NAV</nav><p>hi</p>user#2 <i>edge</i> </html>"
    assert "surrogate-control" not in first.headers  # consumed by the edge
    assert first.headers["cache-control"] == "private, no-store"  # it holds a personal part
    assert int(first.headers["content-length"]) == len(first.content)
    assert second.headers["x-cache"].startswith("HIT")  # the template was stored
    assert origin.counts["/page"] == 1 and origin.counts["/frag/nav"] == 1
    assert origin.counts["/user"] == 2


def test_a_page_of_cacheable_fragments_keeps_its_cache_rules(site):
    _, http = site
    resp = http.get("/static", headers={"accept-encoding": "gzip", "range": "bytes=0-3"})
    assert resp.status_code == 200 and resp.text == "<nav>NAV</nav><nav>NAV</nav>"
    assert resp.headers["cache-control"] == "max-age=600"
    head = http.head("/static")
    assert head.status_code == 200 and head.content == b""


def test_failed_includes_follow_esi_onerror_and_alt(site):
    _, http = site
    assert http.get("/tolerant").text == "ab"
    strict = http.get("/strict")
    assert strict.status_code == 502 and "/down" in strict.text
    assert http.get("/alt").text == "a<nav>NAV</nav>b"


def test_includes_are_same_origin_and_bounded(site):
    origin, http = site
    assert http.get("/foreign").status_code == 502  # another host: never fetched
    loop = http.get("/loop")
    assert loop.status_code == 502 and origin.counts["/loop"] == 1
    assert http.get("/many").status_code == 502  # over MAX_INCLUDES


def test_html_that_does_not_opt_in_is_served_as_sent(site):
    _, http = site
    assert http.get("/plain").text == '<esi:include src="/frag/nav"/>'


def test_same_origin_resolution() -> None:
    assert esi.same_origin("b?x=1", "/a/page", None) == "/a/b?x=1"
    assert esi.same_origin("http://cdn.test/f", "/p", "cdn.test") == "/f"
    assert esi.same_origin("http://other.test/f", "/p", "cdn.test") is None
    assert esi.same_origin("//other.test/f", "/p", "cdn.test") is None
    assert esi.same_origin("javascript:alert(1)", "/p", None) is None
    assert esi.is_template(
        200, {"content-type": "text/html", "surrogate-control": 'content="ESI/1.0"'}
    )
    gzipped = {"content-encoding": "gzip", "surrogate-control": 'content="ESI/1.0"'}
    assert not esi.is_template(200, {"content-type": "text/html", **gzipped})
    assert not esi.is_template(
        200, {"content-type": "image/png", "surrogate-control": 'content="ESI/1.0"'}
    )


def test_the_origin_opts_esi_html_files_in_and_nothing_else(tmp_path) -> None:
    from starlette.testclient import TestClient

    from services.cdn.demo import write_esi_demo
    from services.cdn.origin import create_origin_app

    page = write_esi_demo(tmp_path)
    with TestClient(create_origin_app(tmp_path)) as origin:
        template = origin.get(page)
        fragment = origin.get("/cdn-esi/fragments/header.html")
    assert template.headers["surrogate-control"] == 'content="ESI/1.0"'
    assert esi.is_template(200, dict(template.headers))
    assert "surrogate-control" not in fragment.headers
