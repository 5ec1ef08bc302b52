"""The trending-hashtags asset over real post events, its check, and serving what it wrote."""

from __future__ import annotations

import dagster as dg

from assets.resources import PlatformResource
from assets.social import social_trends
from warehouse.ingest import ingest_spool


def _post_burst(svc) -> None:
    for i in range(5):
        svc.create_user(f"fan{i}")
        svc.create_post(f"fan{i}", f"look up! #Eclipse #sky{i}")
    svc.create_user("bot")
    for i in range(20):
        svc.create_post("bot", f"buy now #spam {i}")


def test_trends_asset_scores_the_burst_checks_authors_and_the_service_serves_it(
    settings, emitter, clock
):
    from services.social.system import build

    svc = build(settings, emitter, clock=clock)
    try:
        assert svc.trends() == (None, [])
        _post_burst(svc)
        emitter.flush()
        ingest_spool(settings.spool_dir, settings.lake_dir)
        platform = PlatformResource(data_dir=str(settings.data_dir))
        res = dg.materialize([social_trends], resources={"platform": platform})
        assert res.success
        [check] = res.get_asset_check_evaluations()
        assert check.check_name == "trends_need_several_authors" and check.passed
        assert check.metadata["tags_below_min_authors"].value == 0
        meta = res.asset_materializations_for_node("social_trends")[0].metadata
        assert meta["dagster/row_count"].value == 1  # #sky0.. have one author, #spam one too
        assert meta["hashtag_uses"].value == 5 * 2 + 20
        assert "#eclipse" in meta["top_trends"].value
        assert "data:image/png;base64" in meta["observed_vs_expected"].value
        computed_at, items = svc.trends()
        assert computed_at is not None and [t["tag"] for t in items] == ["eclipse"]
        assert items[0]["authors"] == 5 and items[0]["observed"] == 5
    finally:
        svc.close()


def test_a_new_trends_run_is_served_at_once_despite_the_cache(settings, emitter, clock):
    from services.social.system import build

    svc = build(settings, emitter, clock=clock)
    platform = {"platform": PlatformResource(data_dir=str(settings.data_dir))}
    try:
        dg.materialize([social_trends], resources=platform)
        assert svc.trends()[1] == []  # cached: nothing trends yet
        _post_burst(svc)
        emitter.flush()
        ingest_spool(settings.spool_dir, settings.lake_dir)
        dg.materialize([social_trends], resources=platform)
        assert [t["tag"] for t in svc.trends()[1]] == ["eclipse"]
    finally:
        svc.close()
