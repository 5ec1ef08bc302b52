"""Faceted search: full text over title, description and attributes, filters, facet counts,
every sort, and cursor pages that neither skip nor repeat."""

from __future__ import annotations

import pytest

from services.errors import BadRequest
from services.shop import loader


@pytest.fixture
def catalogue(svc):
    svc.add_warehouse("uk-1", "United Kingdom", 0)
    lines = loader.synthetic_lines(60, products=80, seed=4)
    return loader.seed(svc, lines, sellers=3)


def test_full_text_matches_title_description_and_attributes(svc, catalogue):
    page = svc.find(q="mug", limit=100)
    assert page["total"] > 0 and all("Mug" in p["title"] for p in page["items"])
    by_attr = svc.find(q="pack 6", limit=100)
    assert by_attr["total"] and all(
        p["attributes"].get("pack") == 6 or "6" in p["title"] for p in by_attr["items"]
    )


def test_filters_and_facets_agree(svc, catalogue):
    everything = svc.find(limit=100)
    total = everything["total"]
    assert total == catalogue["products"]
    assert sum(f["count"] for f in everything["facets"]["seller"]) == total
    assert sum(f["count"] for f in everything["facets"]["price"]) == total
    colour = everything["facets"]["attributes"]["colour"][0]
    only = svc.find(attrs=[f"colour:{colour['value']}"], limit=100)
    assert only["total"] == colour["count"]
    assert all(p["attributes"]["colour"] == colour["value"] for p in only["items"])
    cheap = svc.find(max_price=500, limit=100)
    assert all(p["price"] <= 500 for p in cheap["items"])
    seller = everything["facets"]["seller"][0]
    assert svc.find(seller=seller["value"], limit=100)["total"] == seller["count"]
    top = svc.categories()[0]
    in_cat = svc.find(category=top["id"], limit=100)
    assert in_cat["total"] == sum(
        f["count"]
        for f in everything["facets"]["category"]
        if any(
            c["id"] == int(f["value"]) and c["path"].startswith(top["path"])
            for c in svc.categories()
        )
    )


@pytest.mark.parametrize("sort", ["price_asc", "price_desc", "newest", "relevance"])
def test_cursor_pages_cover_every_match_once_in_order(svc, catalogue, sort):
    q = "red" if sort == "relevance" else None
    expected = svc.find(q=q, sort=sort, limit=100)
    seen, cursor = [], None
    while True:
        page = svc.find(q=q, sort=sort, limit=7, cursor=cursor)
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [p["id"] for p in expected["items"]]
    prices = [p["price"] for p in expected["items"]]
    if sort == "price_asc":
        assert prices == sorted(prices)
    if sort == "price_desc":
        assert prices == sorted(prices, reverse=True)


def test_a_forged_cursor_is_a_400(svc, catalogue):
    with pytest.raises(BadRequest):
        svc.find(sort="price_asc", cursor="bm9wZQ")
    good = svc.find(sort="price_asc", limit=2)["next_cursor"]
    with pytest.raises(BadRequest):
        svc.find(sort="price_desc", cursor=good)


@pytest.mark.servers
def test_postgresql_text_search_filters_facets_and_pages(pg_settings, emitter):
    from services.shop.settings import ShopSettings
    from services.shop.system import build

    svc = build(pg_settings, emitter, conf=ShopSettings(app_sweeper=False))
    try:
        assert svc.engine.dialect.name == "postgresql"
        svc.add_warehouse("uk-1", "United Kingdom", 0)
        frame = loader.synthetic_lines(40, products=50, seed=4)
        loader.seed(svc, frame, history=frame)
        page = svc.find(q="mug", limit=100)
        assert page["total"] > 0 and all("Mug" in p["title"] for p in page["items"])
        assert sum(f["count"] for f in page["facets"]["seller"]) == page["total"]
        seen, cursor = [], None
        while True:
            got = svc.find(q="mug", sort="price_asc", limit=3, cursor=cursor)
            seen += [p["id"] for p in got["items"]]
            if not (cursor := got["next_cursor"]):
                break
        assert seen == [p["id"] for p in svc.find(q="mug", sort="price_asc", limit=100)["items"]]
    finally:
        svc.close()
