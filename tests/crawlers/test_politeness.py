"""Per-host delay: floor from settings and Crawl-delay, adaptive growth with latency."""

from __future__ import annotations

from types import SimpleNamespace

from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from crawlers.politeness import Politeness


def make(**settings: object) -> tuple[Politeness, SimpleNamespace]:
    crawler = get_crawler(settings_dict={"DOWNLOAD_DELAY": 0.5, **settings})
    ext = Politeness(crawler)
    slot = SimpleNamespace(delay=0.5)
    ext._slot = lambda key: slot  # type: ignore[method-assign]
    ext._key = lambda request: "h"  # type: ignore[method-assign]
    return ext, slot


def response(latency: float, status: int = 200) -> tuple[Response, Request]:
    request = Request("http://h/", meta={"download_latency": latency})
    return Response("http://h/", status=status, request=request), request


def test_slow_responses_raise_the_delay_towards_latency_over_target() -> None:
    ext, slot = make(POLITENESS_TARGET_CONCURRENCY=1.0)
    for _ in range(10):
        ext._downloaded(*response(4.0))
    assert 3.9 < slot.delay <= 4.0


def test_fast_responses_never_go_below_the_floor() -> None:
    ext, slot = make()
    for _ in range(10):
        ext._downloaded(*response(0.001))
    assert slot.delay == 0.5


def test_crawl_delay_raises_the_floor_and_errors_never_speed_up() -> None:
    ext, slot = make()
    ext.set_crawl_delay("h", 2.0)
    assert slot.delay == 2.0
    ext._downloaded(*response(0.001))
    assert slot.delay == 2.0
    slot.delay = 3.0
    ext._downloaded(*response(0.001, status=503))
    assert slot.delay == 3.0


def test_configured_host_delay_is_fixed() -> None:
    ext, slot = make(POLITENESS_HOST_DELAYS={"h": 0.0})
    ext._reached(Request("http://h/"))
    ext._downloaded(*response(5.0))
    assert slot.delay == 0.0
