"""Every registered system fills every slot of a system's anatomy (DESIGN.md).

These fail when a system vanishes or skips a slot: a missing composition root, settings class,
router, asset group, workload or CLI group, or an asset that drifts out of its group.
"""

from __future__ import annotations

import importlib

import dagster as dg
import pytest
from pydantic_settings import BaseSettings

from warehouse.systems import EVENT_SOURCES, SYSTEMS, built

BUILT = [s.id for s in built()]

# Asset keys and asset-check keys ("asset:check") each system's group must hold, no more.
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "shortener": (
        {"shortener_click_stats", "shortener_link_health"},
        {"shortener_click_stats:shortener_click_stats_are_consistent"},
    ),
    "social": ({"social_trends"}, {"social_trends:trends_need_several_authors"}),
    "chat": (
        {"chat_delivery_slo", "chat_delivery_gap_audit", "chat_retention_purges"},
        {
            "chat_delivery_slo:chat_delivery_slo_is_consistent",
            "chat_delivery_gap_audit:chat_delivery_has_no_gaps",
        },
    ),
    "video": (
        {"video_probe", "video_ladder", "video_per_title", "video_thumbnails", "video_engagement"},
        {
            "video_ladder:segment_durations",
            "video_ladder:renditions_decode",
            "video_ladder:vmaf_floor",
            "video_ladder:keyframes_aligned",
            "video_engagement:video_engagement_is_consistent",
        },
    ),
    "files": (
        {"files_dedup", "files_chunker_sweep"},
        {
            "files_dedup:files_dedup_is_consistent",
            "files_chunker_sweep:files_chunker_sweep_is_sane",
        },
    ),
    "crawl": (
        {"crawl_pages", "crawl_pagerank", "crawl_search_index", "crawl_recrawl_schedule"},
        {
            "crawl_pages:crawl_pages_are_in_the_lake",
            "crawl_pagerank:crawl_pagerank_is_a_distribution",
            "crawl_search_index:crawl_search_index_finds_its_pages",
            "crawl_recrawl_schedule:crawl_recrawl_schedule_is_sane",
        },
    ),
    "feed": (
        {
            "feed_interactions",
            "feed_recs_candidate",
            "feed_recs_evaluation",
            "feed_recs_promoted",
            "feed_ranker_candidate",
            "feed_ranker_evaluation",
            "feed_ranker_promoted",
        },
        {
            "feed_recs_evaluation:feed_recs_promotion_gate",
            "feed_ranker_evaluation:feed_ranker_promotion_gate",
        },
    ),
    "cache": (
        {"cache_miss_ratio_curve", "cache_hit_ratio"},
        {
            "cache_miss_ratio_curve:cache_mrc_is_consistent",
            "cache_hit_ratio:cache_hit_ratio_is_consistent",
        },
    ),
    "cdn": ({"cdn_hit_ratio"}, {"cdn_hit_ratio:cdn_hit_ratio_is_consistent"}),
    "kv": (
        {"kv_staleness", "kv_repair_order"},
        {
            "kv_staleness:kv_staleness_is_a_probability_curve",
            "kv_repair_order:kv_repair_order_puts_the_worst_first",
        },
    ),
    "notify": (
        {"notify_channel_stats", "notify_engagement", "notify_dead_letters"},
        {
            "notify_channel_stats:notify_channel_stats_are_consistent",
            "notify_engagement:notify_engagement_is_consistent",
            "notify_dead_letters:notify_dead_letter_queue_is_empty",
        },
    ),
    "booking": (
        {"booking_cancel_model", "booking_net_demand", "booking_overbooking", "booking_prices"},
        {
            "booking_cancel_model:booking_cancel_model_beats_its_baseline",
            "booking_overbooking:booking_overbooking_walks_few_guests",
            "booking_prices:booking_prices_are_bounded",
        },
    ),
    "shop": (
        {"shop_ledger_audit", "shop_sales_rank", "shop_also_bought", "shop_also_bought_promoted"},
        {
            "shop_ledger_audit:shop_ledger_balances",
            "shop_also_bought:shop_also_bought_beats_popularity",
        },
    ),
    "rides": (
        {
            "rides_trip_analytics",
            "rides_demand_forecast",
            "rides_surge",
            "rides_policy_replay",
            "rides_dispatch_policy",
            "rides_eta_model",
            "rides_eta_promoted",
        },
        {
            "rides_trip_analytics:rides_trip_analytics_are_consistent",
            "rides_surge:rides_surge_is_capped",
            "rides_policy_replay:rides_policy_beats_production",
            "rides_eta_model:rides_eta_beats_baseline_and_production",
        },
    ),
    "logs": (
        {"logs_raw", "logs_parsed", "logs_templates", "logs_alert_evaluations", "logs_compaction"},
        {
            "logs_raw:logs_have_no_duplicate_source_seq",
            "logs_parsed:logs_schema_matches_the_table_spec",
            "logs_templates:logs_templates_count_every_templated_line",
            "logs_alert_evaluations:logs_are_fresh",
        },
    ),
}


def test_registry_numbers_are_one_to_fifteen_with_unique_ids():
    assert [s.number for s in SYSTEMS] == list(range(1, 16))
    assert len({s.id for s in SYSTEMS}) == 15
    assert {s.id for s in SYSTEMS} | {"platform"} == EVENT_SOURCES


def test_expected_keys_name_exactly_the_built_systems():
    assert set(EXPECTED) == set(BUILT)


@pytest.mark.parametrize("system_id", BUILT)
def test_system_has_a_composition_root(system_id):
    from services.compose import composition_root

    root = composition_root(system_id)
    assert callable(root.build)
    for need in getattr(root, "NEEDS", ()):
        assert need in BUILT, f"{system_id} needs {need}, which is not a built system"


@pytest.mark.parametrize("system_id", BUILT)
def test_system_has_a_settings_class_with_its_own_prefix(system_id):
    from warehouse.systems import system

    module = importlib.import_module(f"services.{system_id}.settings")
    classes = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, BaseSettings) and v.__module__ == module.__name__
    ]
    assert classes, f"services/{system_id}/settings.py defines no settings class"
    prefixes = {c.model_config.get("env_prefix") for c in classes}
    assert prefixes == {system(system_id).env_prefix}


@pytest.mark.parametrize("system_id", BUILT)
def test_system_router_mounts_and_healthz_names_it(system_id, settings, emitter):
    from fastapi.testclient import TestClient

    from services.app import create_app

    app = create_app(settings, emitter, only=[system_id])
    with TestClient(app) as client:
        assert client.get("/healthz").json()["systems"] == [system_id]
        assert system_id in app.state.services
    platform_paths = {"/healthz", "/metrics", "/auth/keys", "/auth/me"}
    assert set(app.openapi()["paths"]) - platform_paths, f"{system_id} mounts no route"


def test_healthz_lists_every_built_system(client):
    assert client.get("/healthz").json()["systems"] == sorted(BUILT)


@pytest.mark.parametrize("system_id", BUILT)
def test_system_assets_form_its_group_with_the_expected_keys(system_id):
    from assets.resources import live_resources

    module = importlib.import_module(f"assets.{system_id}")
    defs = dg.Definitions.merge(module.defs, dg.Definitions(resources=live_resources()))
    graph = defs.resolve_asset_graph()
    materializable = [k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable]
    keys = {k.to_user_string() for k in materializable}
    assets, checks = EXPECTED[system_id]
    assert keys == assets
    assert {graph.get(dg.AssetKey.from_user_string(k)).group_name for k in keys} == {system_id}
    found = {f"{c.asset_key.to_user_string()}:{c.name}" for c in graph.asset_check_keys}
    assert found == checks
    for key in keys:
        node = graph.get(dg.AssetKey.from_user_string(key))
        assert node.automation_condition is not None, f"{key} has no AutomationCondition"


def test_code_location_holds_every_group_with_its_keys():
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    by_group: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable:
            by_group.setdefault(node.group_name, set()).add(key.to_user_string())
    for system_id, (assets, _checks) in EXPECTED.items():
        assert by_group.get(system_id) == assets, system_id
    assert set(by_group) == set(EXPECTED) | {"lake"}
    defs.resolve_all_job_defs()


@pytest.mark.parametrize("system_id", BUILT)
def test_system_has_a_workload_in_the_simulator(system_id):
    from pipelines.workload import discover_workloads

    module = importlib.import_module(f"pipelines.workload.{system_id}")
    assert module.WORKLOAD.name == system_id
    assert system_id in {w.name for w in discover_workloads()}


@pytest.mark.parametrize("system_id", BUILT)
def test_system_has_a_cli_group(system_id):
    from click.testing import CliRunner

    from pipelines.cli import main

    module = importlib.import_module(f"pipelines.commands.{system_id}")
    assert module.cli.name == system_id
    assert main.commands[system_id] is module.cli
    result = CliRunner().invoke(main, [system_id, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output
