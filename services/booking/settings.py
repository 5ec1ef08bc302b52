"""Booking settings (``BLUEPRINT_BOOKING_*``): holds, the sweeper, and the payment gateway."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.payments.settings import GatewaySettings


class BookingSettings(GatewaySettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_BOOKING_", extra="ignore")

    hold_ttl_s: float = Field(default=600.0, gt=0, le=86400, description="How long a hold lasts.")
    sweep_interval_s: float = Field(
        default=0.25, gt=0, le=5, description="How often lapsed holds are released."
    )
    reconcile_interval_s: float = Field(
        default=30.0, gt=0, description="How often payments left mid-way are settled."
    )
    reminder_days: int = Field(
        default=2, ge=0, le=60, description="Remind guests this many days before arrival."
    )
    departure_reminder_days: int = Field(
        default=1, ge=0, le=30, description="Remind guests this many days before check-out."
    )
    currency: str = Field(default="eur", pattern=r"^[a-z]{3}$")
    app_sweeper: bool = Field(
        default=True, description="Run the lapse sweeper and reconciliation in the API process."
    )
