"""News feed and model serving settings (``BLUEPRINT_FEED_*``).

Models are read from the platform's ``models_dir`` (``<data_dir>/models``), the registry the
training assets write to, so serving and training cannot disagree on where versions live.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.feed.ranking import FeedPolicy


class FeedSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_FEED_", extra="ignore")

    budget_ms: float = Field(
        default=200.0,
        gt=0,
        description="Latency budget of one feed; when candidate generation eats 70% of it the "
        "feed is served reverse-chronologically instead of ranked.",
    )
    followed_candidates: int = Field(default=500, ge=0, description="From followed accounts.")
    popular_candidates: int = Field(default=200, ge=0, description="Recent popular posts.")
    als_candidates: int = Field(default=300, ge=0, description="ALS out-of-network posts.")
    max_per_author: int = Field(
        default=2,
        ge=1,
        description="At most this many posts by one author in any "
        "``author_window`` consecutive feed items (so in the top 10 by default).",
    )
    author_window: int = Field(default=10, ge=1, description="The window the author cap counts in.")
    live_queue: int = Field(
        default=100, ge=1, description="Updates held per live connection before dropping."
    )
    model_check_interval_s: float = Field(
        default=0.5,
        ge=0,
        description="How often serving looks at the registry's stage pointers to hot-swap "
        "promoted models (0: on every request).",
    )
    interaction_max_age_days: float = Field(
        default=30.0, gt=0, description="Recorded interactions may be back-dated this far."
    )

    def policy(self) -> FeedPolicy:
        return FeedPolicy(
            followed_candidates=self.followed_candidates,
            popular_candidates=self.popular_candidates,
            als_candidates=self.als_candidates,
            max_per_author=self.max_per_author,
            author_window=self.author_window,
            budget_ms=self.budget_ms,
        )
