"""Crawl requests: a JSON file per crawl id under ``<data_dir>/crawl/requests``.

The crawl service writes one (for the workload, ``blueprint crawl request`` or ``run``), or an
operator does; the ``crawl_runs`` sensor turns it into a dynamic partition, and the service
turns it into a crawl config when ``crawl_pages`` runs it.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from warehouse.settings import Settings

_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def requests_dir(settings: Settings) -> Path:
    return settings.data_dir / "crawl" / "requests"


def new_crawl_id(prefix: str = "crawl", now: float | None = None) -> str:
    """``<prefix>-<UTC time to the second>``, e.g. ``crawl-20250101T120000``."""
    return f"{prefix}-{time.strftime('%Y%m%dT%H%M%S', time.gmtime(now))}"


def write_request(settings: Settings, crawl_id: str, seeds: list[str], **options: Any) -> Path:
    """Record what a crawl should do; options are ``CrawlConfig`` fields (budgets, allow-list)."""
    if not _ID.match(crawl_id):
        raise ValueError(f"crawl id {crawl_id!r} must match {_ID.pattern}")
    if not seeds:
        raise ValueError("a crawl needs at least one seed URL")
    path = requests_dir(settings) / f"{crawl_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"seeds": seeds, **options}, indent=2), encoding="utf-8")
    return path


def read_request(settings: Settings, crawl_id: str) -> dict[str, Any]:
    path = requests_dir(settings) / f"{crawl_id}.json"
    if not path.exists():
        raise FileNotFoundError(f"no crawl request {path}; write one with write_request()")
    return json.loads(path.read_text(encoding="utf-8"))


def pending_ids(settings: Settings) -> list[str]:
    folder = requests_dir(settings)
    return sorted(p.stem for p in folder.glob("*.json")) if folder.exists() else []
