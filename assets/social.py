"""Social network assets: trending hashtags over the lake's post events, served at /trends."""

from datetime import UTC, datetime, timedelta

import dagster as dg
import polars as pl

from assets.metadata import md_table, plot_md
from assets.resources import PlatformResource
from services.social.trends import TRENDS_TABLE, score_trends
from warehouse.parquet_io import publish_parquet

GROUP = "social"
AUTHORS_CHECK = "trends_need_several_authors"


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


def _draw_top(trends: pl.DataFrame):
    top = trends.head(10).reverse()

    def draw(_fig, ax) -> None:
        labels = [f"#{t}" for t in top["tag"]]
        ax.barh(labels, top["observed"], label="observed this window")
        ax.barh(labels, top["expected"], alpha=0.6, label="expected (decayed history)")
        ax.set_xlabel("uses")
        ax.legend(loc="lower right", fontsize="small")

    return draw


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    kinds={"duckdb", "polars", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
    check_specs=[dg.AssetCheckSpec(AUTHORS_CHECK, asset="social_trends")],
)
def social_trends(
    context: dg.AssetExecutionContext, config: TrendsConfig, platform: PlatformResource
) -> dg.MaterializeResult:
    """Trending hashtags, scored against each tag's expected rate with time decay; served at
    ``GET /trends``.

    Its check reads the file this run published: no tag may trend on fewer than
    ``min_authors`` accounts' say-so.
    """
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
    path = platform.settings().lake_dir / TRENDS_TABLE / "trends.parquet"
    publish_parquet(scored.with_columns(pl.lit(now).alias("computed_at")), path)
    context.log.info(f"{len(uses)} hashtag uses, {len(scored)} trending tags")
    written = pl.read_parquet(path)
    below = written.filter(pl.col("authors") < config.min_authors).height
    metadata = {
        "dagster/row_count": scored.height,
        "hashtag_uses": len(uses),
        "distinct_tags": uses["tag"].n_unique() if len(uses) else 0,
        "top_trends": md_table(
            scored.with_columns(pl.format("#{}", "tag").alias("tag")),
            ["tag", "score", "observed", "expected", "authors"],
        ),
    }
    if scored.height:
        metadata["observed_vs_expected"] = plot_md(_draw_top(scored), "top trends", (6, 3.5))
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            dg.AssetCheckResult(
                check_name=AUTHORS_CHECK,
                passed=below == 0,
                metadata={"tags_below_min_authors": below, "min_authors": config.min_authors},
            )
        ],
    )


defs = dg.Definitions(assets=[social_trends])
