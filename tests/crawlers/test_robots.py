"""RFC 9309 matching and fetch outcomes, the CLI's exact interface, and Scrapy's stock gap."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawlers.robots import MAX_CACHE_SECONDS, MAX_ROBOTS_BYTES, RobotsPolicy, product_token
from pipelines.cli import main

UA = "BlueprintBot/1.0 (+https://example.invalid/bot)"


def allowed(robots: str, path: str, agent: str = UA) -> bool:
    return RobotsPolicy.parse(robots).allowed(f"http://h.example{path}", agent)


def test_product_token_is_the_leading_name_lowercased() -> None:
    assert product_token(UA) == "blueprintbot"


def test_group_matching_is_case_insensitive_with_star_fallback() -> None:
    robots = "User-agent: *\nDisallow: /\n\nUser-Agent: BLUEPRINTBOT\nDisallow: /x\n"
    assert allowed(robots, "/y") is True
    assert allowed(robots, "/x") is False
    assert allowed(robots, "/y", agent="OtherBot/2") is False


def test_groups_for_the_same_agent_are_merged() -> None:
    robots = "User-agent: blueprintbot\nDisallow: /a\n\nUser-agent: blueprintbot\nDisallow: /b\n"
    assert not allowed(robots, "/a") and not allowed(robots, "/b") and allowed(robots, "/c")


def test_consecutive_user_agent_lines_share_one_group() -> None:
    robots = "User-agent: foo\nUser-agent: blueprintbot\nDisallow: /shared\n"
    assert allowed(robots, "/shared") is False


def test_longest_match_wins_and_allow_wins_a_tie() -> None:
    robots = "User-agent: *\nDisallow: /docs\nAllow: /docs/public\nAllow: /same\nDisallow: /same\n"
    assert allowed(robots, "/docs/private") is False
    assert allowed(robots, "/docs/public/x") is True
    assert allowed(robots, "/same") is True


def test_wildcards_star_and_dollar() -> None:
    robots = "User-agent: *\nDisallow: /*.pdf$\nDisallow: /tmp*/cache\n"
    assert allowed(robots, "/files/a.pdf") is False
    assert allowed(robots, "/files/a.pdf?x=1") is True  # $ anchors the end
    assert allowed(robots, "/tmp123/cache/x") is False
    assert allowed(robots, "/tmp123/other") is True


def test_query_is_part_of_the_matched_path() -> None:
    assert allowed("User-agent: *\nDisallow: /search?q=\n", "/search?q=cats") is False


def test_percent_encoding_equivalence() -> None:
    robots = "User-agent: *\nDisallow: /%7Efoo\nDisallow: /caf\u00e9\nDisallow: /a%2fb\n"
    assert allowed(robots, "/~foo/bar") is False  # %7E is unreserved '~'
    assert allowed(robots, "/caf%C3%A9") is False  # non-ASCII rule is UTF-8 encoded
    assert allowed(robots, "/a/b") is True  # %2F is reserved: not the same as '/'
    assert allowed(robots, "/a%2Fb") is False


def test_empty_disallow_and_robots_txt_itself_are_allowed() -> None:
    assert allowed("User-agent: *\nDisallow:\n", "/anything") is True
    assert allowed("User-agent: *\nDisallow: /\n", "/robots.txt") is True


def test_crawl_delay_is_read_for_the_matching_group() -> None:
    policy = RobotsPolicy.parse("User-agent: *\nCrawl-delay: 2.5\nDisallow: /x\n")
    assert policy.crawl_delay(UA) == 2.5


@pytest.mark.parametrize(
    ("status", "expected"),
    [(404, True), (403, True), (410, True), (500, False), (503, False), (None, False)],
)
def test_fetch_outcomes(status: int | None, expected: bool) -> None:
    policy = RobotsPolicy.from_fetch(status, b"User-agent: *\nDisallow: /\n")
    assert policy.allowed("http://h.example/page", UA) is expected


def test_at_least_500_kib_is_parsed_and_the_rest_ignored() -> None:
    filler = "# " + "x" * 97 + "\n"
    body = "User-agent: *\n" + filler * 5_150 + "Disallow: /deep\n"  # rule after 515,000 bytes
    assert len(body) > 500 * 1024 and len(body) < MAX_ROBOTS_BYTES
    assert allowed(body, "/deep") is False
    beyond = "User-agent: *\n" + filler * 5_300 + "Disallow: /past-cap\n"
    assert allowed(beyond, "/past-cap") is True


def test_cache_lifetime_is_at_most_24_hours() -> None:
    policy = RobotsPolicy.parse("User-agent: *\nDisallow:\n")
    now = policy.fetched_at
    assert not policy.expired(max_age=7 * 86400, now=now + MAX_CACHE_SECONDS - 1)
    assert policy.expired(max_age=7 * 86400, now=now + MAX_CACHE_SECONDS + 1)
    assert policy.expired(max_age=60, now=now + 61)


def test_robots_check_cli_prints_one_verdict_per_url_in_order(tmp_path: Path, settings) -> None:
    robots = tmp_path / "robots.txt"
    robots.write_text("User-agent: *\nDisallow: /private\nAllow: /private/ok$\n")
    urls = ["http://h/private/x", "http://h/public", "http://h/private/ok", "http://h/private/ok2"]
    result = CliRunner().invoke(
        main, ["crawl", "robots-check", "--robots", str(robots), "--agent", "Bot/1", *urls]
    )
    assert result.exit_code == 0, result.output
    assert result.output == "disallowed\nallowed\nallowed\ndisallowed\n"


def test_scrapy_stock_middleware_differs_from_rfc_9309() -> None:
    """Documents the DESIGN trap on the pinned Scrapy: stock parses a 5xx body and allows on
    download errors; ours disallows all in both cases."""
    from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
    from scrapy.http import Request, TextResponse
    from scrapy.utils.test import get_crawler

    crawler = get_crawler(settings_dict={"ROBOTSTXT_OBEY": True})
    mw = RobotsTxtMiddleware(crawler)
    request = Request("http://h.example/page")
    error_page = TextResponse(
        "http://h.example/robots.txt", status=503, body=b"<h1>Service Unavailable</h1>"
    )
    mw._parsers["h.example"] = __import__("twisted.internet.defer").internet.defer.Deferred()

    async def parse() -> None:
        await mw._parse_robots(error_page, "h.example", request)

    asyncio.run(parse())
    mw.process_request_2(mw._parsers["h.example"], request)  # stock: no IgnoreRequest raised
    assert RobotsPolicy.from_fetch(503, error_page.body).allowed(request.url, UA) is False

    mw._parsers["h.other"] = __import__("twisted.internet.defer").internet.defer.Deferred()
    mw._robots_error(ConnectionRefusedError("refused"), "h.other")
    assert mw._parsers["h.other"] is None  # stock: None means "no rules", i.e. allow all
    assert RobotsPolicy.from_fetch(None).allowed(request.url, UA) is False
