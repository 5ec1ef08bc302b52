"""Crawler settings (``BLUEPRINT_CRAWL_*``): what a deployment lets its crawls do.

These are the defaults of every crawl the deployment runs (the Dagster asset, ``blueprint
crawl run``); a crawl request may narrow them or name extra networks it may reach. Scrapy's
own settings module (``crawlers/settings.py``) stays Scrapy's: a crawl's config overrides it
from these values at command-line priority. List values are JSON in the environment, e.g.
``BLUEPRINT_CRAWL_ALLOWED_NETWORKS='["10.0.0.0/8"]'``.
"""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crawlers import settings as scrapy_defaults


class CrawlSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_CRAWL_", extra="ignore")

    allow_private_targets: bool = Field(
        default=False, description="Let crawls reach private, loopback and link-local hosts."
    )
    allowed_networks: list[str] = Field(
        default_factory=list,
        description="CIDRs crawls may reach even though they are private (e.g. a lab network).",
    )
    allow_unresolvable_targets: bool = Field(
        default=False,
        description="Let a request to a name that does not resolve go on to the downloader "
        "(it fails there as a DNS error) instead of being refused as unsafe.",
    )
    max_pages: int = Field(default=500, ge=1, description="Pages one crawl fetches at most.")
    max_depth: int = Field(default=5, ge=0, description="Link hops from a seed.")
    download_delay: float = Field(
        default=1.0, ge=0.0, description="Base delay between requests to one host (s)."
    )
    timeout: float = Field(default=15.0, gt=0.0, description="Per-request download timeout (s).")
    concurrency: int = Field(default=16, ge=1, description="Requests in flight, all hosts.")
    per_host: int = Field(default=2, ge=1, description="Requests in flight to one host.")
    processes: int = Field(default=1, ge=1, description="Host-sharded crawler processes.")
    user_agent: str = Field(
        default=scrapy_defaults.USER_AGENT,
        min_length=1,
        description="How the bot names itself (robots.txt groups match its first word); "
        "a deployment should put its own contact URL here.",
    )
    max_response_bytes: int = Field(
        default=scrapy_defaults.DOWNLOAD_MAXSIZE,
        ge=1024,
        description="Largest response body, counted after decompression.",
    )
    max_redirects: int = Field(default=scrapy_defaults.REDIRECT_MAX_TIMES, ge=0)
    run_timeout_s: float = Field(
        default=3600.0, gt=0.0, description="Wall-clock limit of `blueprint crawl run` (s)."
    )

    @field_validator("allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError as exc:
                raise ValueError(f"allowed_networks: {cidr!r} is not a CIDR") from exc
        return value

    def scrapy_overrides(self) -> dict[str, object]:
        """The Scrapy settings these values stand for that ``CrawlConfig`` has no field for."""
        return {
            "USER_AGENT": self.user_agent,
            "DOWNLOAD_MAXSIZE": self.max_response_bytes,
            "REDIRECT_MAX_TIMES": self.max_redirects,
            "CRAWL_ALLOW_UNRESOLVABLE": self.allow_unresolvable_targets,
        }
