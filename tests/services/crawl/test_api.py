"""GET /search serves BM25 results with snippets from the crawl index."""

from __future__ import annotations

import polars as pl

from crawlers.downstream import index_dir
from crawlers.search_index import SearchIndex


def build(settings) -> None:  # noqa: ANN001 - fixture type
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


def test_search_ranks_the_right_page_first_with_a_snippet(client, settings) -> None:  # noqa: ANN001
    build(settings)
    resp = client.get("/search", params={"q": "json dump to file"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["hits"][0]["url"] == "http://h/json"
    assert "<mark>json.dump</mark>" in body["hits"][0]["snippet"]
    resp = client.get("/search", params={"q": "asyncio event loop", "limit": 1})
    assert [h["url"] for h in resp.json()["hits"]] == ["http://h/asyncio"]


def test_search_without_an_index_is_503_and_bad_queries_422(client) -> None:  # noqa: ANN001
    assert client.get("/search", params={"q": "x"}).status_code == 503
    assert client.get("/search", params={"q": ""}).status_code == 422
    assert client.get("/search", params={"q": "x", "limit": 999}).status_code == 422
    assert client.get("/search").status_code == 422


def test_unknown_words_give_no_hits(client, settings) -> None:  # noqa: ANN001
    build(settings)
    assert client.get("/search", params={"q": "zebra"}).json()["hits"] == []
