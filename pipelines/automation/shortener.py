"""Shortener schedules: purge expired links hourly, sweep link health daily."""

import dagster as dg

from assets.resources import PlatformResource


class PurgeConfig(dg.Config):
    grace_hours: float = 24.0


@dg.op
def shortener_purge_expired(
    context: dg.OpExecutionContext, config: PurgeConfig, platform: PlatformResource
) -> int:
    """Delete links expired more than ``grace_hours`` ago (until then they answer 410)."""
    from services.cache import build_cache
    from services.db import make_engine
    from services.shortener.service import ShortenerService
    from services.shortener.store import LinkStore
    from warehouse.emitter import get_emitter

    settings = platform.settings()
    emitter = get_emitter(settings)
    cache = build_cache(settings)  # Redis when scaled out: purged codes get tombstones
    svc = ShortenerService(LinkStore(make_engine(settings, "shortener")), cache, emitter, settings)
    n = svc.purge_expired(grace_s=config.grace_hours * 3600)
    emitter.flush()
    context.log.info(f"purged {n} expired links")
    return n


@dg.job
def shortener_purge_job() -> None:
    shortener_purge_expired()


purge_schedule = dg.ScheduleDefinition(
    job=shortener_purge_job, cron_schedule="17 * * * *", name="shortener_purge_hourly"
)
health_job = dg.define_asset_job("shortener_link_health_job", selection=["shortener_link_health"])
health_schedule = dg.ScheduleDefinition(
    job=health_job, cron_schedule="40 3 * * *", name="shortener_link_health_daily"
)

defs = dg.Definitions(
    jobs=[shortener_purge_job, health_job], schedules=[purge_schedule, health_schedule]
)
