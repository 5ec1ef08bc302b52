"""Shortener and cache assets, the purge job, and the link-health sweep on a loopback site."""

import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import httpx
import polars as pl
import pytest

from assets.cache import MRC_TABLE, cache_miss_ratio_curve, cache_mrc_is_consistent
from assets.resources import HttpResource, PlatformResource, SystemResource
from assets.shortener import LINK_HEALTH_TABLE, shortener_click_stats, shortener_link_health
from services.db import make_engine
from services.shortener.store import Link, LinkStore
from tests.conftest import free_port
from warehouse.ingest import ingest_spool


def _resources(settings, **conf):
    from services.shortener.settings import ShortenerSettings
    from services.shortener.system import build
    from warehouse.emitter import get_emitter

    shortener = build(settings, get_emitter(settings), conf=ShortenerSettings(**conf))
    return {
        "platform": PlatformResource(data_dir=str(settings.data_dir)),
        "shortener": SystemResource.with_service("shortener", shortener),
        "http": HttpResource(),
    }


def test_click_stats_and_miss_ratio_curve_from_real_redirects(client, shorten, emitter, settings):
    codes = [shorten(f"https://example.com/{i}").json()["code"] for i in range(12)]
    for i in range(120):
        code = codes[0] if i % 2 else codes[(i // 2) % 12]  # one hot link
        client.get(f"/s/{code}", follow_redirects=False, headers={"Referer": "https://r.example/"})
    client.app.state.services["shortener"].clicks.flush()
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    today = datetime.now(UTC).date().isoformat()
    res = dg.materialize(
        [shortener_click_stats],
        resources=_resources(settings),
        partition_key=today,
    )
    checks = res.get_asset_check_evaluations()
    assert [c.check_name for c in checks] == ["shortener_click_stats_are_consistent"]
    assert checks[0].passed and checks[0].metadata["partition"].value == today
    meta = res.asset_materializations_for_node("shortener_click_stats")[0].metadata
    assert meta["clicks"].value == 120 and meta["dagster/row_count"].value == 12
    assert meta["redirect_cache_hit_ratio"].value > 0.8
    stats = pl.read_parquet(settings.lake_dir / "shortener_click_stats" / f"date={today}")
    top = stats.row(0, named=True)
    assert top["code"] == codes[0] and top["clicks"] == 65 and top["top_referrer"]

    res = dg.materialize(
        [cache_miss_ratio_curve, cache_mrc_is_consistent], resources=_resources(settings)
    )
    checks = res.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    meta = res.asset_materializations_for_node("cache_miss_ratio_curve")[0].metadata
    assert meta["requests"].value == 120 and meta["distinct_keys"].value == 12
    assert 1 <= meta["recommended_size"].value <= 12
    assert "data:image/png;base64" in meta["curve"].value
    curve = pl.read_parquet(settings.lake_dir / MRC_TABLE / "mrc.parquet")
    assert set(curve["policy"]) == {"fifo", "lru", "arc", "wtinylfu", "opt"}
    assert "| size | fifo | lru |" in meta["hit_ratio_by_policy"].value


class _Site(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _insert(settings, code, url, expires_at=None):
    LinkStore(make_engine(settings, "shortener")).insert(
        Link(code, url, "alice", True, time.time(), expires_at, None)
    )


def test_link_health_reports_status_redirect_and_dead_links(settings, site):
    _insert(settings, "okk", f"{site}/ok")
    _insert(settings, "mov", f"{site}/moved")
    _insert(settings, "gon", f"{site}/missing")
    _insert(settings, "ref", f"http://127.0.0.1:{free_port()}/nobody-listens")
    res = dg.materialize(
        [shortener_link_health], resources=_resources(settings, allow_private_targets=True)
    )
    meta = res.asset_materializations_for_node("shortener_link_health")[0].metadata
    assert meta["dead_links"].value == 2 and meta["redirecting"].value == 1
    df = pl.read_parquet(settings.lake_dir / LINK_HEALTH_TABLE / "health.parquet")
    rows = {r["code"]: r for r in df.to_dicts()}
    assert rows["okk"]["status"] == 200 and not rows["okk"]["dead"]
    assert rows["mov"]["status"] == 301 and rows["mov"]["redirect_to"] == f"{site}/ok"
    assert rows["gon"]["status"] == 404 and rows["gon"]["dead"]
    assert rows["ref"]["status"] is None and rows["ref"]["dead"] and rows["ref"]["error"]


def test_link_health_reads_answers_through_the_http_resource(settings):
    """The fixture HTTP resource answers for every host; no request leaves the process."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/gone":
            return httpx.Response(410)
        return httpx.Response(308, headers={"Location": "/new"})

    _insert(settings, "gne", "http://127.0.0.1:9/gone")
    _insert(settings, "prm", "http://127.0.0.1:9/old")
    resources = {
        **_resources(settings, allow_private_targets=True),
        "http": HttpResource.with_transport(httpx.MockTransport(answer)),
    }
    res = dg.materialize([shortener_link_health], resources=resources)
    rows = {r["code"]: r for r in pl.read_parquet(settings.lake_dir / LINK_HEALTH_TABLE).to_dicts()}
    assert res.success and sorted(seen) == ["http://127.0.0.1:9/gone", "http://127.0.0.1:9/old"]
    assert rows["gne"]["status"] == 410 and rows["gne"]["dead"]
    assert rows["prm"]["redirect_to"] == "http://127.0.0.1:9/new" and not rows["prm"]["dead"]


def test_link_health_refuses_private_destinations_by_default(settings, site):
    _insert(settings, "prv", f"{site}/ok")
    res = dg.materialize([shortener_link_health], resources=_resources(settings))
    df = pl.read_parquet(settings.lake_dir / LINK_HEALTH_TABLE / "health.parquet")
    assert res.success and df["dead"][0] and df["error"][0].startswith("refused")


def test_purge_job_deletes_links_expired_beyond_the_grace(settings):
    from pipelines.automation.shortener import shortener_purge_job

    _insert(settings, "old", "https://example.com/old", expires_at=time.time() - 3 * 86400)
    _insert(settings, "new", "https://example.com/new", expires_at=time.time() - 60)
    _insert(settings, "liv", "https://example.com/live")
    res = shortener_purge_job.execute_in_process(resources=_resources(settings))
    assert res.success and res.output_for_node("shortener_purge_expired") == 1
    store = LinkStore(make_engine(settings, "shortener"))
    assert store.get("old") is None and store.get("new") is not None


def test_link_health_vets_stored_links_as_browsers_read_them_with_the_shortener_resolver(
    settings,
):
    """A link stored raw before the WHATWG check (percent-encoded loopback) is refused without
    a request; names go through the shortener's resolver, so a private answer is refused."""
    from services.shortener.settings import ShortenerSettings
    from services.shortener.system import build
    from warehouse.emitter import get_emitter

    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200)

    def resolver(host: str) -> list[str]:
        return {"pub.example.com": ["93.184.215.14"], "inside.example.com": ["10.0.0.8"]}.get(
            host, []
        )

    _insert(settings, "raw", "http://%31%32%37%2e%30%2e%30%2e%31:18099/x")
    _insert(settings, "ins", "https://inside.example.com/")
    _insert(settings, "pub", "https://pub.example.com/ok")
    svc = build(settings, get_emitter(settings), conf=ShortenerSettings(), resolver=resolver)
    resources = {
        "platform": PlatformResource(data_dir=str(settings.data_dir)),
        "shortener": SystemResource.with_service("shortener", svc),
        "http": HttpResource.with_transport(httpx.MockTransport(answer)),
    }
    assert dg.materialize([shortener_link_health], resources=resources).success
    rows = {r["code"]: r for r in pl.read_parquet(settings.lake_dir / LINK_HEALTH_TABLE).to_dicts()}
    assert seen == ["https://pub.example.com/ok"]
    assert rows["raw"]["dead"] and "127.0.0.1 is a loopback address" in rows["raw"]["error"]
    assert rows["ins"]["dead"] and "10.0.0.8, a private address" in rows["ins"]["error"]
    assert rows["pub"]["status"] == 200 and not rows["pub"]["dead"]
