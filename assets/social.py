"""Social network assets: trending hashtags over the lake's post events."""

from datetime import UTC, datetime, timedelta

import dagster as dg
import polars as pl

from assets.resources import PlatformResource
from services.social.trends import TRENDS_TABLE, score_trends
from warehouse.parquet_io import publish_parquet


class TrendsConfig(dg.Config):
    window_minutes: int = 60
    history_windows: int = 24
    decay: float = 0.8
    min_authors: int = 3


def hashtag_uses(platform: PlatformResource, since: datetime) -> pl.DataFrame:
    """One row per (post, hashtag) from ``post_created`` and ``reply`` events since ``since``."""
    lake = platform.lake()
    if "events" not in lake.tables():
        return pl.DataFrame(
            schema={"ts": pl.Datetime("us", "UTC"), "tag": pl.String, "author": pl.String}
        )
    return lake.query(
        """
        SELECT ts, unnest(CAST(json_extract(attrs, '$.hashtags') AS VARCHAR[])) AS tag,
               actor AS author
        FROM events
        WHERE system = 'social' AND type IN ('post_created', 'reply') AND ts >= ?
        """,
        [since],
    )


@dg.asset(group_name="social", deps=["lake_ingest"], kinds={"polars", "parquet"})
def social_trends(
    context: dg.AssetExecutionContext, config: TrendsConfig, platform: PlatformResource
) -> dg.MaterializeResult:
    """Trending hashtags, scored against each tag's expected rate with time decay; served at
    ``GET /trends``."""
    window = timedelta(minutes=config.window_minutes)
    now = datetime.now(UTC)
    uses = hashtag_uses(platform, now - window * (config.history_windows + 1))
    scored = score_trends(
        uses,
        now,
        window=window,
        history_windows=config.history_windows,
        decay=config.decay,
        min_authors=config.min_authors,
    )
    out = scored.with_columns(pl.lit(now).alias("computed_at"))
    publish_parquet(out, platform.settings().lake_dir / TRENDS_TABLE / "trends.parquet")
    context.log.info(f"{len(uses)} hashtag uses, {len(scored)} trending tags")
    preview = scored.head(10)
    rows = [
        f"| #{r['tag']} | {r['score']:.1f} | {r['observed']} | {r['expected']:.2f} "
        f"| {r['authors']} |"
        for r in preview.to_dicts()
    ]
    md = "\n".join(
        ["| tag | score | observed | expected | authors |", "|---|---:|---:|---:|---:|", *rows]
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(scored),
            "hashtag_uses": len(uses),
            "top_trends": dg.MetadataValue.md(md),
        }
    )


@dg.asset_check(asset=social_trends)
def trends_need_several_authors(platform: PlatformResource) -> dg.AssetCheckResult:
    """No tag trends on one account's say-so."""
    path = platform.settings().lake_dir / TRENDS_TABLE / "trends.parquet"
    df = pl.read_parquet(path) if path.exists() else pl.DataFrame({"authors": []})
    below = int((df["authors"] < TrendsConfig().min_authors).sum()) if len(df) else 0
    return dg.AssetCheckResult(passed=below == 0, metadata={"tags_below_min_authors": below})


defs = dg.Definitions(assets=[social_trends], asset_checks=[trends_need_several_authors])
