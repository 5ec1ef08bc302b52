"""The payment gateway fields of every money-taking system's settings.

Booking, shop and rides each read them under their own prefix
(``BLUEPRINT_BOOKING_GATEWAY_URL``, ``BLUEPRINT_SHOP_GATEWAY_URL``...), so each system can
point at its own gateway; the fields, defaults and checks are written once here.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class GatewaySettings(BaseSettings):
    """Mixed into a system's settings class, whose ``model_config`` sets the env prefix."""

    gateway: str = Field(
        default="local",
        pattern=r"^(local|stripe)$",
        description="local: the local gateway (in-process unless gateway_url); stripe: the "
        "official SDK against gateway_url (Stripe itself when empty).",
    )
    gateway_url: str = Field(default="", description="A gateway process or Stripe API base.")
    gateway_api_key: str = Field(
        default="",
        repr=False,
        description="The gateway's secret key; unset: generated under the data directory.",
    )
    webhook_secret: str = Field(
        default="",
        repr=False,
        description="The secret gateway webhooks are signed with; unset: generated.",
    )
    gateway_timeout_s: float = Field(default=5.0, gt=0)
