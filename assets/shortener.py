"""URL shortener assets: daily click analytics and a link-health sweep of destinations."""

from datetime import date

import dagster as dg
import polars as pl

from assets.facts import first_data_day
from assets.metadata import md_table
from assets.resources import HttpResource, PlatformResource, SystemResource
from services.shortener.analytics import CLICK_STATS_TABLE, click_stats
from services.shortener.health import check_all
from warehouse.parquet_io import partition_dir, publish_parquet

GROUP = "shortener"
# From the first day with data, so a fresh install shows no years of missing partitions.
DAILY = dg.DailyPartitionsDefinition(start_date=first_data_day("events"), end_offset=1)
LINK_HEALTH_TABLE = "shortener_link_health"
STATS_CHECK = "shortener_click_stats_are_consistent"


def stats_problems(stats: pl.DataFrame) -> dict[str, int]:
    """Rows without clicks or with more cache hits than clicks, and repeated codes."""
    bad = stats.filter((pl.col("clicks") < 1) | (pl.col("cache_hits") > pl.col("clicks"))).height
    return {"bad_rows": bad, "duplicate_codes": stats.height - stats["code"].n_unique()}


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    partitions_def=DAILY,
    kinds={"duckdb", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
    check_specs=[dg.AssetCheckSpec(STATS_CHECK, asset="shortener_click_stats")],
)
def shortener_click_stats(
    context: dg.AssetExecutionContext, platform: PlatformResource
) -> dg.MaterializeResult:
    """Clicks per short link and day: visitors (user agents), top referrer, cache hits.

    Its check reads the very partition it guards, as written by this run.
    """
    day = date.fromisoformat(context.partition_key)
    settings = platform.settings()
    stats = click_stats(platform.lake(), day)
    out_dir = partition_dir(settings.lake_dir, CLICK_STATS_TABLE, {"date": day.isoformat()})
    publish_parquet(stats, out_dir / "part-0.parquet")  # overwrite: idempotent per day
    written = pl.read_parquet(out_dir / "part-0.parquet")
    problems = stats_problems(written)
    total = int(stats["clicks"].sum()) if stats.height else 0
    hits = int(stats["cache_hits"].sum()) if stats.height else 0
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": stats.height,
            "clicks": total,
            "redirect_cache_hit_ratio": round(hits / total, 4) if total else 0.0,
            "top_links": md_table(stats, ["code", "clicks", "top_referrer"]),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=STATS_CHECK,
                passed=not any(problems.values()),
                metadata={**problems, "partition": context.partition_key},
            )
        ],
    )


class LinkHealthConfig(dg.Config):
    max_links: int = 200
    timeout_s: float = 3.0


@dg.asset(
    group_name=GROUP,
    kinds={"python", "parquet"},
    automation_condition=dg.AutomationCondition.on_cron("40 3 * * *"),
)
def shortener_link_health(
    context: dg.AssetExecutionContext,
    config: LinkHealthConfig,
    platform: PlatformResource,
    shortener: SystemResource,
    http: HttpResource,
) -> dg.MaterializeResult:
    """Status and first redirect of every live link's destination; dead ones flagged.

    Targets are vetted with the crawler's guard (``warehouse.urlsafety``: the URL read as a
    browser reads it, then every resolved address) before any request, under the shortener's
    own settings and resolver.
    """
    from crawlers.urls import check_target

    svc = shortener.service()
    links = svc.store.live(config.max_links)

    def guard(url: str) -> None:
        check_target(
            url,
            allow_private=svc.conf.allow_private_targets,
            allow_unresolvable=svc.conf.allow_unresolvable_targets,
            resolver=svc.resolver,
        )

    with http.client(config.timeout_s) as client:
        results = check_all([link.url for link in links], guard, client)
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
    publish_parquet(df, platform.settings().lake_dir / LINK_HEALTH_TABLE / "health.parquet")
    dead = df.filter(pl.col("dead"))
    context.log.info(f"checked {df.height} destinations, {dead.height} dead")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": df.height,
            "dead_links": dead.height,
            "redirecting": df.filter(pl.col("redirect_to").is_not_null()).height,
            "dead": md_table(dead, ["code", "url", "status", "error"]),
        }
    )


defs = dg.Definitions(assets=[shortener_click_stats, shortener_link_health])
