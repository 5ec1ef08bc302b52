"""CDN control-plane settings (``BLUEPRINT_CDN_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CdnSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_CDN_", extra="ignore")

    probe_interval_s: float = Field(
        default=5.0,
        gt=0,
        description="Seconds between background health probes of every edge; routing re-probes "
        "first when the last results are older than twice this.",
    )
    probe_timeout_s: float = Field(default=1.0, gt=0, description="Timeout of one edge probe.")
    control_timeout_s: float = Field(
        default=2.0, gt=0, description="Timeout of one purge or stats call to an edge."
    )
