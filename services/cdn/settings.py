"""CDN control-plane settings (``BLUEPRINT_CDN_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.cdn.dns import DEFAULT_SUBNETS


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
    preload_timeout_s: float = Field(
        default=60.0, gt=0, description="Timeout of one edge's preload (it fetches every path)."
    )
    dns_zone: str = Field(
        default="cdn.blueprint.test",
        description="The name the DNS router is authoritative for (`blueprint cdn dns`).",
    )
    dns_ttl_s: int = Field(
        default=20,
        ge=1,
        le=3600,
        description="TTL of DNS answers: how long a dead edge's "
        "clients may keep it, plus one probe interval.",
    )
    dns_subnets: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_SUBNETS),
        description="Client subnet -> region (JSON), longest prefix first; the EDNS Client "
        "Subnet of a query, else its source address, is looked up here.",
    )
    dns_default_region: str = Field(
        default="eu-west", description="The region of clients no subnet matches."
    )
