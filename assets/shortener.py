"""URL shortener assets: daily click analytics and a link-health sweep of destinations."""

from datetime import date

import dagster as dg
import polars as pl

from assets.resources import PlatformResource
from services.db import make_engine
from services.shortener.analytics import CLICK_STATS_TABLE, click_stats
from services.shortener.health import check_all
from services.shortener.store import LinkStore
from warehouse.parquet_io import partition_dir, publish_parquet

daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_offset=1)
LINK_HEALTH_TABLE = "shortener_link_health"


def _md_table(df: pl.DataFrame, cols: list[str], n: int = 10) -> str:
    head = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols)
    rows = ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in df.head(n).to_dicts()]
    return "\n".join([head, *rows])


@dg.asset(
    group_name="shortener", deps=["lake_ingest"], partitions_def=daily, kinds={"duckdb", "parquet"}
)
def shortener_click_stats(
    context: dg.AssetExecutionContext, platform: PlatformResource
) -> dg.MaterializeResult:
    """Clicks per short link and day: visitors (user agents), top referrer, cache hits."""
    day = date.fromisoformat(context.partition_key)
    settings = platform.settings()
    stats = click_stats(platform.lake(), day)
    out_dir = partition_dir(settings.lake_dir, CLICK_STATS_TABLE, {"date": day.isoformat()})
    publish_parquet(stats, out_dir / "part-0.parquet")  # overwrite: idempotent per day
    total = int(stats["clicks"].sum()) if stats.height else 0
    hits = int(stats["cache_hits"].sum()) if stats.height else 0
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": stats.height,
            "clicks": total,
            "redirect_cache_hit_ratio": round(hits / total, 4) if total else 0.0,
            "top_links": dg.MetadataValue.md(_md_table(stats, ["code", "clicks", "top_referrer"])),
        }
    )


@dg.asset_check(asset=shortener_click_stats)
def shortener_click_stats_are_consistent(
    context: dg.AssetCheckExecutionContext, platform: PlatformResource
) -> dg.AssetCheckResult:
    """Every row has clicks, no more cache hits than clicks, and codes are unique per day."""
    root = platform.settings().lake_dir / CLICK_STATS_TABLE
    files = sorted(root.glob("date=*/part-0.parquet"))
    if not files:
        return dg.AssetCheckResult(passed=True, metadata={"note": "no stats yet"})
    df = pl.read_parquet(files[-1])
    bad = df.filter((pl.col("clicks") < 1) | (pl.col("cache_hits") > pl.col("clicks"))).height
    dupes = df.height - df["code"].n_unique()
    return dg.AssetCheckResult(
        passed=bad == 0 and dupes == 0,
        metadata={"bad_rows": bad, "duplicate_codes": dupes, "file": str(files[-1].parent.name)},
    )


class LinkHealthConfig(dg.Config):
    max_links: int = 200
    timeout_s: float = 3.0


@dg.asset(group_name="shortener", kinds={"python", "parquet"})
def shortener_link_health(
    context: dg.AssetExecutionContext, config: LinkHealthConfig, platform: PlatformResource
) -> dg.MaterializeResult:
    """Status and first redirect of every live link's destination; dead ones flagged.

    Targets are vetted with the crawler's resolved-address guard before any request.
    """
    from crawlers.urls import check_target

    settings = platform.settings()
    links = LinkStore(make_engine(settings, "shortener")).live(config.max_links)

    def guard(url: str) -> None:
        check_target(url, allow_private=settings.allow_private_targets)

    results = check_all([link.url for link in links], guard, timeout=config.timeout_s)
    df = pl.DataFrame(
        [{"code": link.code, **r} for link, r in zip(links, results, strict=True)],
        schema={
            "code": pl.String,
            "url": pl.String,
            "status": pl.Int64,
            "redirect_to": pl.String,
            "dead": pl.Boolean,
            "error": pl.String,
        },
    )
    publish_parquet(df, settings.lake_dir / LINK_HEALTH_TABLE / "health.parquet")
    dead = df.filter(pl.col("dead"))
    context.log.info(f"checked {df.height} destinations, {dead.height} dead")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": df.height,
            "dead_links": dead.height,
            "redirecting": df.filter(pl.col("redirect_to").is_not_null()).height,
            "dead": dg.MetadataValue.md(_md_table(dead, ["code", "url", "status", "error"])),
        }
    )


defs = dg.Definitions(
    assets=[shortener_click_stats, shortener_link_health],
    asset_checks=[shortener_click_stats_are_consistent],
)
