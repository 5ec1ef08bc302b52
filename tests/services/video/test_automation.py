"""The video assets keep themselves fresh: a new partition is transcoded once, and the
engagement table follows every lake ingest. Evaluated without running anything."""

from __future__ import annotations

import dagster as dg

from assets.lake import lake_ingest
from assets.resources import PlatformResource, SystemResource
from assets.video import TRANSCODE_ASSETS, video_engagement

PER_VIDEO = [a.key for a in TRANSCODE_ASSETS]


def _defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[*TRANSCODE_ASSETS, video_engagement, lake_ingest],
        resources={"video": SystemResource(system="video"), "platform": PlatformResource()},
    )


def _requested(result) -> dict[str, set]:
    keys = [*PER_VIDEO, video_engagement.key]
    found = {k.to_user_string(): result.get_requested_partitions(k) for k in keys}
    return {k: v for k, v in found.items() if v}


def test_a_new_video_partition_is_transcoded_once_by_automation() -> None:
    defs, instance = _defs(), dg.DagsterInstance.ephemeral()
    first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    assert first.total_requested == 0
    instance.add_dynamic_partitions("videos", ["v1"])
    added = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
    assert _requested(added) == {k.to_user_string(): {"v1"} for k in PER_VIDEO}
    again = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=added.cursor)
    assert again.total_requested == 0  # asked for once, not on every tick
    instance.add_dynamic_partitions("videos", ["v2"])
    second = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=again.cursor)
    assert _requested(second) == {k.to_user_string(): {"v2"} for k in PER_VIDEO}


def test_engagement_follows_each_lake_ingest() -> None:
    defs, instance = _defs(), dg.DagsterInstance.ephemeral()
    first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    instance.report_runless_asset_event(dg.AssetMaterialization("lake_ingest"))
    after = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
    assert _requested(after) == {"video_engagement": {None}}


def test_every_video_asset_has_an_automation_condition_and_the_video_group() -> None:
    for asset in [*TRANSCODE_ASSETS, video_engagement]:
        assert asset.group_names_by_key[asset.key] == "video"
        assert asset.automation_conditions_by_key[asset.key] is not None
