"""Social network settings (``BLUEPRINT_SOCIAL_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SocialSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_SOCIAL_", extra="ignore")

    fanout_threshold: int = Field(
        default=200,
        ge=1,
        description="Authors with at least this many followers are not fanned out on write: "
        "their followers pull their posts on read.",
    )
    fanout_batch: int = Field(
        default=1000, ge=1, description="Followers pushed per step of a fan-out job."
    )
    timeline_cap: int = Field(
        default=800,
        ge=1,
        description="Post ids kept per home timeline in the cache tier; older pages come from "
        "the database.",
    )
    popular_ttl_s: float = Field(
        default=5.0,
        ge=0,
        description="How long the popular-posts list (a feed candidate source, the same for "
        "every viewer) stays in the cache tier.",
    )
