"""Notification jobs: deliver what is due from Dagster, for deployments that run no worker.

The analytics and the dead-letter snapshot keep themselves fresh through their
``AutomationCondition`` (see ``assets/notify.py``); this schedule is a safety net for an
embedded deployment without a ``blueprint notify worker`` process. It is off by default:
turn it on in the UI when no worker runs. Leases keep it from sending anything twice when a
worker runs as well.
"""

import dagster as dg

from assets.resources import SystemResource


class DeliverConfig(dg.Config):
    max_seconds: float = 240.0
    horizon_s: float = 0.0


@dg.op
def notify_deliver_due(
    context: dg.OpExecutionContext, config: DeliverConfig, notify: SystemResource
) -> int:
    """Send every delivery that is due (retries and digests included), then stop."""
    n = notify.service().deliver_due(max_seconds=config.max_seconds, horizon_s=config.horizon_s)
    context.log.info(f"processed {n} deliveries")
    return n


@dg.job
def notify_deliver_job() -> None:
    notify_deliver_due()


deliver_schedule = dg.ScheduleDefinition(
    job=notify_deliver_job,
    cron_schedule="*/5 * * * *",
    name="notify_deliver_every_5_minutes",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)

defs = dg.Definitions(jobs=[notify_deliver_job], schedules=[deliver_schedule])
