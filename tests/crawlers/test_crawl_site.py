"""Exact behaviour of one crawl over the generated test web (hosts 127.0.0.2 ... 127.0.0.9)."""

from __future__ import annotations

import polars as pl

from tests.crawlers.conftest import Crawled

MAIN, AGENTS, R5XX, R404, RREDIR, DELAY, BIG, DOWN = (f"127.0.0.{i}" for i in range(2, 10))


def test_robots_disallowed_path_is_never_requested_and_allow_rule_is(crawled: Crawled) -> None:
    hits = crawled.site.hits
    assert hits[(MAIN, "/private/secret")] == 0
    assert crawled.errors(MAIN, "/private/secret")[0][0] == "robots"
    assert crawled.page(MAIN, "/private/open") is not None


def test_robots_5xx_disallows_the_whole_host(crawled: Crawled) -> None:
    hits = crawled.site.hits
    assert hits[(R5XX, "/robots.txt")] == 1
    assert sum(n for (h, p), n in hits.items() if h == R5XX and p != "/robots.txt") == 0
    kind, reason = crawled.errors(R5XX, "/")[0]
    assert kind == "robots" and "503" in reason and "disallow all" in reason


def test_robots_unreachable_host_is_disallowed_all(crawled: Crawled) -> None:
    kind, reason = crawled.errors(DOWN, "/")[0]
    assert kind == "robots" and "unreachable" in reason


def test_robots_404_allows_everything(crawled: Crawled) -> None:
    assert crawled.page(R404, "/") is not None
    assert crawled.page(R404, "/about") is not None


def test_robots_redirect_chain_of_four_hops_is_followed(crawled: Crawled) -> None:
    hits = crawled.site.hits
    assert [hits[(RREDIR, p)] for p in ("/r1", "/r2", "/r3", "/robots-final.txt")] == [1] * 4
    assert hits[(RREDIR, "/blocked")] == 0
    assert crawled.page(RREDIR, "/ok") is not None


def test_robots_agent_group_beats_star_group_and_dollar_anchors(crawled: Crawled) -> None:
    # '*' disallows everything, but our product token has its own group.
    assert crawled.page(AGENTS, "/page") is not None
    assert crawled.page(AGENTS, "/secret/open") is not None  # Allow: /secret/open$
    assert crawled.site.hits[(AGENTS, "/secret/x")] == 0


def test_robots_rule_beyond_500_kib_is_parsed(crawled: Crawled) -> None:
    assert crawled.site.hits[(BIG, "/deep-rule")] == 0
    assert crawled.page(BIG, "/fine") is not None


def test_crawl_delay_spaces_requests_to_one_host(crawled: Crawled) -> None:
    times = sorted(t for h, p, t in crawled.site.times if h == DELAY and p != "/robots.txt")
    assert len(times) == 4
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.45, gaps


def test_calendar_trap_stops_at_the_depth_budget(crawled: Crawled) -> None:
    months = sorted(p for (h, p) in crawled.site.hits if h == MAIN and p.startswith("/calendar"))
    assert months == [f"/calendar/2026/{m}" for m in range(1, 5)]  # depths 1..4


def test_redirect_chain_stores_the_final_url_and_does_not_refetch_it(crawled: Crawled) -> None:
    page = crawled.page(MAIN, "/redirect/1")
    assert page["final_url"] == crawled.url(R404, "/landed")
    assert page["title"] == "Landed after redirects"


def test_redirect_loop_is_capped_and_recorded(crawled: Crawled) -> None:
    hits = crawled.site.hits
    assert hits[(MAIN, "/loop/a")] + hits[(MAIN, "/loop/b")] == 6  # first try + 5 redirects
    assert crawled.errors(MAIN, "/loop/a") == [("redirect", "max redirections reached")]


def test_redirect_to_a_non_http_scheme_is_refused(crawled: Crawled) -> None:
    kind, reason = crawled.errors(MAIN, "/to-ftp")[0]
    assert kind == "redirect" and "ftp://" in reason


def test_private_target_outside_the_allow_list_is_refused_before_connecting(
    crawled: Crawled,
) -> None:
    rows = crawled.db.execute("SELECT kind, reason FROM errors WHERE url = 'http://10.1.2.3/'")
    assert rows.fetchall() == [("unsafe", "unsafe: 10.1.2.3 is a private address")]


def test_slow_failing_truncated_and_bomb_pages_are_errors_with_reasons(crawled: Crawled) -> None:
    assert crawled.errors(MAIN, "/slow")[0][0] == "timeout"
    assert crawled.errors(MAIN, "/fail") == [("http", "http status 500")]
    assert crawled.errors(MAIN, "/truncated") == [("truncated", "truncated body (data loss)")]
    kind, reason = crawled.errors(MAIN, "/bomb")[0]
    assert kind == "size" and "decompression" in reason


def test_bad_content_is_recorded_and_the_crawl_goes_on(crawled: Crawled) -> None:
    assert crawled.errors(MAIN, "/binary") == [
        ("content", "malformed html: binary content (NUL bytes)")
    ]
    assert crawled.errors(MAIN, "/image.png") == [
        ("content", "unsupported content type 'image/png'")
    ]
    assert crawled.page(MAIN, "/malformed")["title"] == "Broken but readable"
    assert crawled.page(MAIN, "/articles/1") is not None  # linked only from the broken page too


def test_invalid_links_are_recorded_with_reasons(crawled: Crawled) -> None:
    reasons = [r for k, r in crawled.errors(MAIN, "/") if k == "url"]
    assert len(reasons) == 2
    assert any("Invalid IPv6 URL" in r for r in reasons)
    assert any("Port out of range" in r for r in reasons)


def test_pdf_and_plain_text_are_extracted(crawled: Crawled) -> None:
    pdf = crawled.page(MAIN, "/doc.pdf")
    assert pdf["title"] == "Crawler field manual"
    assert "Polite crawlers honour robots rules" in pdf["text"]
    txt = crawled.page(MAIN, "/notes.txt")
    assert txt["content_type"] == "text/plain" and "compost heaps" in txt["text"]


def test_language_is_detected(crawled: Crawled) -> None:
    assert crawled.page(MAIN, "/articles/6")["lang"] == "de"
    assert crawled.page(MAIN, "/articles/2")["lang"] == "en"


def test_near_duplicate_is_marked_against_the_first_copy(crawled: Crawled) -> None:
    a, b = crawled.page(MAIN, "/dup/a"), crawled.page(MAIN, "/dup/b")
    assert a["content_hash"] != b["content_hash"]
    marked = [p for p in (a, b) if p["near_dup_of"]]
    assert len(marked) == 1 and marked[0]["near_dup_of"] in (a["url"], b["url"])


def test_nofollow_links_and_meta_nofollow_are_not_followed(crawled: Crawled) -> None:
    hits = crawled.site.hits
    assert hits[(MAIN, "/hidden-by-rel")] == 0
    assert hits[(MAIN, "/hidden-by-meta")] == 0
    assert crawled.page(MAIN, "/meta-nofollow")["nofollow"] == 1


def test_noindex_is_stored_and_flagged(crawled: Crawled) -> None:
    assert crawled.page(MAIN, "/noindex")["noindex"] == 1


def test_rel_canonical_is_recorded_and_followed(crawled: Crawled) -> None:
    assert crawled.page(MAIN, "/canon-a")["canonical"] == crawled.url(MAIN, "/canon-main")
    assert crawled.page(MAIN, "/canon-main") is not None


def test_no_url_is_fetched_twice(crawled: Crawled) -> None:
    loops = {"/loop/a", "/loop/b"}
    twice = {k: n for k, n in crawled.site.hits.items() if n > 1 and k[1] not in loops}
    assert twice == {}


def test_lake_tables_are_published_per_crawl(crawled: Crawled) -> None:
    lake = crawled.report["lake_rows"]
    assert lake["crawl_pages"] == crawled.report["pages"] == 35
    pages = pl.read_parquet(crawled.crawl_dir / "lake/crawl_pages/crawl_id=t/part.parquet")
    assert set(pages.columns) >= {
        "url",
        "final_url",
        "status",
        "fetched_at",
        "content_hash",
        "simhash",
        "title",
        "text",
        "outlinks",
    }
