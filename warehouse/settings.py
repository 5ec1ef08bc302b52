"""Platform settings, read from ``BLUEPRINT_*`` environment variables.

Every default is the embedded one: no server is needed, and all state lives under
``data_dir``. Setting ``BLUEPRINT_DATABASE_URL``, ``BLUEPRINT_NATS_URL`` or
``BLUEPRINT_REDIS_URL`` switches a concern to its scale-out engine.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """The platform's knobs: where state lives, which engines back it, and the API's limits.

    Each system's own knobs live in ``services/<id>/settings.py`` (``BLUEPRINT_<ID>_*``).
    """

    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_", extra="ignore")

    data_dir: Path = Field(default=Path(".data"), description="Root of all local state.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite under data_dir when unset."
    )
    nats_url: str | None = Field(default=None, description="NATS JetStream URL for scale-out.")
    redis_url: str | None = Field(default=None, description="Redis URL for the cache tier.")
    dagster_pg_url: str | None = Field(
        default=None,
        description="PostgreSQL URL of the Dagster instance (runs, event log, schedules); "
        "a local SQLite instance under data_dir when unset.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    admin_api_key: str = Field(default="dev-admin-key", description="Bootstrap admin key.")
    rate_limit_per_minute: int = 600
    max_body_bytes: int = 1_048_576
    spool_max_bytes: int = 256 * 1024 * 1024
    spool_segment_bytes: int = 8 * 1024 * 1024

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"

    @property
    def lake_dir(self) -> Path:
        return self.data_dir / "lake"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def blobs_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster"

    def sqlalchemy_url(self, name: str) -> str:
        """The URL of one system's store: its own SQLite file, or the shared server."""
        if self.database_url:
            return self.database_url
        path = self.data_dir / "db" / f"{name}.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path.resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after monkeypatching."""
    return Settings()
