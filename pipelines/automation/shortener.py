"""Shortener schedule: purge expired links hourly (link health refreshes by its own cron)."""

import dagster as dg

from assets.resources import SystemResource


class PurgeConfig(dg.Config):
    grace_hours: float = 24.0


@dg.op
def shortener_purge_expired(
    context: dg.OpExecutionContext, config: PurgeConfig, shortener: SystemResource
) -> int:
    """Delete links expired more than ``grace_hours`` ago (until then they answer 410)."""
    n = shortener.service().purge_expired(grace_s=config.grace_hours * 3600)
    context.log.info(f"purged {n} expired links")
    return n


@dg.job
def shortener_purge_job() -> None:
    shortener_purge_expired()


purge_schedule = dg.ScheduleDefinition(
    job=shortener_purge_job, cron_schedule="17 * * * *", name="shortener_purge_hourly"
)

defs = dg.Definitions(jobs=[shortener_purge_job], schedules=[purge_schedule])
