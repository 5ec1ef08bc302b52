"""Notification settings (``BLUEPRINT_NOTIFY_*``): providers, retry policy, leases, digests.

The API, the worker process, the CLI and the Dagster assets all read these through the
composition root (``services/notify/system.py``).
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from warehouse.urlsafety import Policy

# Earlier versions signed callbacks with this built-in value; it is public, so it is refused.
PUBLISHED_DEV_SECRET = "dev-callback-secret"


class NotifySettings(BaseSettings):
    """Provider endpoints, retry policy, leases, digests, per-user limits and in-app workers."""

    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_NOTIFY_", extra="ignore")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_from: str = "notifications@blueprints.local"
    smtp_timeout_s: float = 5.0
    sms_url: str = "http://127.0.0.1:8091/send"
    push_url: str = "http://127.0.0.1:8092/send"
    provider_timeout_s: float = 2.0
    max_attempts: int = Field(default=8, ge=1)
    backoff_base_s: float = Field(default=1.0, gt=0)
    backoff_cap_s: float = Field(default=300.0, gt=0)
    lease_s: float = Field(default=30.0, gt=0, description="Visibility timeout of a claimed job.")
    batch_size: int = Field(default=32, ge=1)
    concurrency: int = Field(default=8, ge=1, description="Sends in flight per worker.")
    digest_window_s: float = Field(default=3600.0, ge=0)
    user_hourly_limit: int = Field(default=20, ge=1, description="Per user and channel.")
    callback_secret: str = Field(
        default="",
        repr=False,
        description="HMAC key providers sign callbacks with. Unset: a random one is generated "
        "at first start into <data_dir>/secrets/notify_callback_secret (mode 0600) and reused.",
    )
    default_locale: str = "en"
    dkim_domain: str = Field(
        default="",
        description="Domain that signs email (DKIM). Empty: the domain of smtp_from.",
    )
    dkim_selector: str = Field(default="blueprint", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    dkim_sign: bool = Field(default=True, description="Sign every email with DKIM.")
    allow_private_webhooks: bool = Field(
        default=False,
        description="Let users' webhooks point at private or loopback addresses.",
    )

    def webhook_policy(self) -> Policy:
        """Which webhook URLs may be called: public http(s) hosts unless told otherwise."""
        return Policy(allow_private=self.allow_private_webhooks)

    app_workers: int = Field(
        default=0,
        ge=0,
        description="Delivery workers the API process runs in background threads. 0: deliveries "
        "wait for `blueprint notify worker` (or the Dagster delivery job).",
    )
    idle_sleep_s: float = Field(
        default=0.1, gt=0, description="How long a worker with nothing due waits before looking."
    )

    @field_validator("callback_secret")
    @classmethod
    def _not_the_old_default(cls, value: str) -> str:
        if value == PUBLISHED_DEV_SECRET:
            raise ValueError(
                "BLUEPRINT_NOTIFY_CALLBACK_SECRET is the development default published with "
                "earlier versions, so anyone can sign callbacks with it: set a secret of your "
                "own, or leave it unset to use one generated under the data directory"
            )
        return value
