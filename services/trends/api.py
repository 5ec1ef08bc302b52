"""``GET /trends``: the latest trending hashtags computed by the ``social_trends`` asset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.deps import SettingsDep
from services.social.schemas import Trends
from services.social.trends import latest_trends

router = APIRouter(tags=["social"])


@router.get("/trends", response_model=Trends, operation_id="trends")
def trends(settings: SettingsDep, limit: Annotated[int, Query(ge=1, le=200)] = 10) -> Trends:
    """Tags used more than their time-decayed expected rate by several authors, best first."""
    computed_at, items = latest_trends(settings.lake_dir, limit)
    return Trends(computed_at=computed_at, items=items)
