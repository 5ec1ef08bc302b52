"""Platform settings, read from ``BLUEPRINT_*`` environment variables.

Every default is the embedded one: no server is needed, and all state lives under
``data_dir``. Setting ``BLUEPRINT_DATABASE_URL``, ``BLUEPRINT_NATS_URL`` or
``BLUEPRINT_REDIS_URL`` switches a concern to its scale-out engine. No secret has a built-in
value: an unset one is generated under ``<data_dir>/secrets/`` (``warehouse.secrets``).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from warehouse.secrets import secret


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
    admin_api_key: str | None = Field(
        default=None,
        description="Bootstrap admin key. Unset: generated on first use into "
        "<data_dir>/secrets/admin_api_key (mode 0600) and read from there by every process; "
        "after validation this field always holds the key in use.",
    )
    rate_limit_per_minute: int = 600
    rate_limit_buckets: int = Field(
        default=100_000, ge=1, description="Rate-limit buckets kept; least recently used go."
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or CIDRs of reverse proxies whose "
        "X-Forwarded-For / X-Forwarded-Proto are believed. Empty: none, the TCP peer is the "
        "client.",
    )
    max_body_bytes: int = 1_048_576
    max_header_count: int = Field(default=100, ge=1, description="More headers: 431.")
    max_header_bytes: int = Field(
        default=32 * 1024, ge=1024, description="Total bytes of header names and values: 431."
    )
    header_timeout_s: float = Field(
        default=10.0, gt=0, description="A request's header block must arrive within this."
    )
    body_timeout_s: float = Field(
        default=15.0,
        gt=0,
        description="Longest wait for the next piece of a request body, and the grace period "
        "before body_min_bytes_per_s applies: 408 otherwise.",
    )
    body_min_bytes_per_s: int = Field(
        default=1024, ge=0, description="Slowest average body upload accepted after the grace."
    )
    keep_alive_s: int = Field(default=5, ge=1, description="Idle keep-alive connections close.")
    max_connections: int = Field(
        default=1000, ge=1, description="Open connections (and tasks) before uvicorn answers 503."
    )
    spool_idle_seal_s: float = Field(
        default=2.0,
        gt=0,
        description="A serving process seals its open spool segment after this many quiet "
        "seconds, so its last events can be ingested without more traffic.",
    )
    serve_ingest_interval_s: float = Field(
        default=1.0,
        ge=0,
        description="`blueprint serve` ingests sealed spool segments into the lake this often; "
        "0 turns it off (then the Dagster spool_sensor or `blueprint ingest` does it).",
    )
    spool_max_bytes: int = 256 * 1024 * 1024
    encrypt_at_rest: bool = Field(
        default=False,
        description="Seal spool frames with AES-GCM and write the lake's spooled tables as "
        "encrypted Parquet (warehouse.at_rest). Off: plaintext, as fast as before.",
    )
    at_rest_key: str | None = Field(
        default=None,
        repr=False,
        description="Base64 AES key (16, 24 or 32 bytes) for encrypt_at_rest. Unset: "
        "generated on first use into <data_dir>/secrets/at_rest_key (mode 0600). "
        "Checked when first used (warehouse.at_rest), so an error never echoes it.",
    )
    spool_segment_bytes: int = 8 * 1024 * 1024

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_proxies(cls, value: str) -> str:
        for item in _split(value):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(
                    f"BLUEPRINT_TRUSTED_PROXIES: {item!r} is not an IP address or CIDR"
                ) from exc
        return value

    @model_validator(mode="after")
    def _resolve_secrets(self) -> Settings:
        if not self.admin_api_key:
            self.admin_api_key = secret(self.data_dir, "admin_api_key")
        return self

    @property
    def trusted_proxy_list(self) -> list[str]:
        """``trusted_proxies`` as a list (empty: trust no forwarding headers)."""
        return _split(self.trusted_proxies)

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


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after monkeypatching."""
    return Settings()
