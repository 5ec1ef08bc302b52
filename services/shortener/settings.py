"""Shortener settings (``BLUEPRINT_SHORTENER_*``)."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ShortenerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_SHORTENER_", extra="ignore")

    create_per_minute: float = Field(default=120.0, description="Links one API key may create.")
    create_burst: float = 30.0
    redirect_status: int = Field(
        default=302, description="301 lets browsers cache for ever (no clicks seen after)."
    )
    allow_private_targets: bool = Field(
        default=False, description="Let links point at private or loopback hosts."
    )
    allow_unresolvable_targets: bool = Field(
        default=False,
        description="Accept links to host names that do not resolve now (no address to vet).",
    )
    link_ttl_s: float = Field(
        default=3600.0, description="How long a link stays in a shared (Redis) cache tier."
    )
    local_ttl_s: float = Field(
        default=30.0,
        description="How long a process-local cache keeps a link: another process's delete "
        "cannot reach it, so this bounds how long a deleted link may still redirect there.",
    )

    @field_validator("redirect_status")
    @classmethod
    def _redirect(cls, v: int) -> int:
        if v not in (301, 302, 307, 308):
            raise ValueError("redirect_status must be 301, 302, 307 or 308")
        return v
