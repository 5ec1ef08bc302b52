"""Notification settings, read from ``BLUEPRINT_NOTIFY_*`` environment variables.

Kept apart from the platform ``Settings`` so the shared file needs no edit; the worker
subprocess, the API and the CLI all read the same variables.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CHANNELS = ("email", "sms", "push", "inbox")
PRIORITIES = ("low", "normal", "urgent")


class NotifySettings(BaseSettings):
    """Provider endpoints, retry policy, leases, digests and per-user limits."""

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
    concurrency: int = Field(default=8, ge=1)
    digest_window_s: float = Field(default=3600.0, ge=0)
    user_hourly_limit: int = Field(default=20, ge=1, description="Per user and channel.")
    callback_secret: str = "dev-callback-secret"
    default_locale: str = "en"


def get_notify_settings() -> NotifySettings:
    """Fresh each call: cheap, and tests change the environment between cases."""
    return NotifySettings()
