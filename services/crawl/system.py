"""The crawler's composition root: the only place its service is put together."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from services.crawl.service import CrawlService
from services.crawl.settings import CrawlSettings
from warehouse.emitter import Emitter
from warehouse.settings import Settings


def build(
    settings: Settings,
    emitter: Emitter,
    *,
    conf: CrawlSettings | None = None,
    python: str = sys.executable,
    clock: Callable[[], float] = time.time,
) -> CrawlService:
    """The crawl service over ``<data_dir>/crawl`` and the lake.

    ``python`` is the interpreter crawl processes run on; ``clock`` is wall time (recrawl
    due dates). Tests pass their own settings as ``conf``.
    """
    return CrawlService(settings, emitter, conf=conf or CrawlSettings(), python=python, clock=clock)
