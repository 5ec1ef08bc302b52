"""GET /search serves BM25 results with snippets from the crawl index, and logs each search."""

from __future__ import annotations

import polars as pl

from crawlers.downstream import index_dir
from crawlers.search_index import SearchIndex


def build(settings) -> None:
    docs = pl.DataFrame(
        {
            "url": ["http://h/json", "http://h/asyncio", "http://h/misc"],
            "title": ["json — JSON encoder", "asyncio event loop", "Misc notes"],
            "text": [
                "Use json.dump to write an object to a file.",
                "The event loop runs coroutines and callbacks.",
                "Notes about loops in general and files.",
            ],
        }
    )
    SearchIndex.build(docs).save(index_dir(settings))


def test_search_ranks_the_right_page_first_with_a_snippet(client, settings) -> None:
    build(settings)
    resp = client.get("/search", params={"q": "json dump to file"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["hits"][0]["url"] == "http://h/json"
    assert "<mark>json.dump</mark>" in body["hits"][0]["snippet"]
    resp = client.get("/search", params={"q": "asyncio event loop", "limit": 1})
    assert [h["url"] for h in resp.json()["hits"]] == ["http://h/asyncio"]


def test_search_without_an_index_is_503_and_bad_queries_422(client) -> None:
    none = client.get("/search", params={"q": "x"})
    assert none.status_code == 503 and "crawl_search_index" in none.json()["detail"]
    blank = client.get("/search", params={"q": "   "})
    assert blank.status_code == 422 and "at least one word" in blank.json()["detail"]
    assert client.get("/search", params={"q": ""}).status_code == 422
    assert client.get("/search", params={"q": "x", "limit": 999}).status_code == 422
    assert client.get("/search").status_code == 422


def test_unknown_words_give_no_hits(client, settings) -> None:
    build(settings)
    assert client.get("/search", params={"q": "zebra"}).json()["hits"] == []


def test_each_search_is_a_crawl_event_with_the_query_and_hit_count(
    client, settings, emitter, admin_headers
) -> None:
    from warehouse.ingest import ingest_spool
    from warehouse.lake import Lake

    build(settings)
    client.get("/search", params={"q": "event loop"}, headers=admin_headers)
    client.get("/search", params={"q": "zebra"})
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    df = Lake(settings.lake_dir).query(
        "SELECT actor, json_extract_string(attrs, '$.q') AS q, "
        "CAST(json_extract(attrs, '$.hits') AS INT) AS hits "
        "FROM crawl_events WHERE type = 'search' ORDER BY ts"
    )
    assert df.rows() == [("admin", "event loop", 2), (None, "zebra", 0)]
