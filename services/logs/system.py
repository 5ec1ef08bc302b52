"""The logging system's composition root: the only place its service is put together."""

from __future__ import annotations

import time
from collections.abc import Callable

from services.logs.service import LogsService
from services.logs.settings import LogsSettings
from services.notify.service import NotifyService
from warehouse.emitter import Emitter
from warehouse.lake import Lake
from warehouse.settings import Settings

# Fired alerts reach people through the notification system.
NEEDS = ("notify",)


def build(
    settings: Settings,
    emitter: Emitter,
    *,
    conf: LogsSettings | None = None,
    clock: Callable[[], float] = time.time,
    notify: NotifyService | None = None,
) -> LogsService:
    """The logging service over the platform's lake, shipping through ``emitter``.

    ``clock`` is wall time: the "now" of alert rules, relative search windows and retention.
    ``notify`` delivers fired alerts to ``alert_recipients``.
    """
    return LogsService(
        Lake(settings.lake_dir),
        emitter,
        data_dir=settings.data_dir,
        conf=conf or LogsSettings(),
        clock=clock,
        notify=notify,
    )
