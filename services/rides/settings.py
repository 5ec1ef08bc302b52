"""Ride-sharing settings (``BLUEPRINT_RIDES_*``): fares, quotes, offers, matching, positions."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.payments.settings import GatewaySettings


class RidesSettings(GatewaySettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_RIDES_", extra="ignore")

    # Fares: base + per km + per minute, times the pickup cell's surge; a minimum fare.
    base_cents: int = Field(default=250, ge=0, le=100_000)
    per_km_cents: int = Field(default=110, ge=0, le=100_000)
    per_min_cents: int = Field(default=30, ge=0, le=100_000)
    min_fare_cents: int = Field(default=500, ge=0, le=100_000)
    currency: str = Field(default="usd", pattern=r"^[a-z]{3}$")
    quote_ttl_s: float = Field(
        default=120.0, gt=0, le=3600, description="How long an upfront fare quote holds."
    )
    # Cancellation fees (see services.rides.pricing.cancel_fee).
    rider_cancel_grace_s: float = Field(
        default=120.0, ge=0, description="A rider cancels free this long after the driver accepts."
    )
    rider_cancel_fee_cents: int = Field(default=500, ge=0, le=100_000)
    driver_cancel_penalty_cents: int = Field(
        default=0, ge=0, description="Charged to no rider; recorded against the driver."
    )
    # Matching.
    dispatch: str = Field(
        default="greedy",
        pattern=r"^(greedy|batch)$",
        description="greedy: offer at request time; batch: assign every batch_interval_s.",
    )
    batch_interval_s: float = Field(default=2.0, gt=0, le=60)
    offer_timeout_s: float = Field(default=15.0, gt=0, le=300, description="Accept window.")
    max_ring: int = Field(default=8, ge=1, le=30, description="Largest H3 k-ring searched.")
    candidates: int = Field(default=8, ge=1, le=100, description="Candidates ranked per search.")
    shortlist: int = Field(
        default=32,
        ge=1,
        le=1000,
        description="Nearest found drivers (great-circle) whose pickup time is predicted.",
    )
    max_offers: int = Field(default=5, ge=1, le=50, description="Offers before 'no driver'.")
    fallback_speed_kmh: float = Field(
        default=24.0, gt=0, le=200, description="City speed of the fallback ETA predictor."
    )
    # Positions.
    stale_after_s: float = Field(default=30.0, gt=0, description="A silent driver ages out.")
    location_rate: float = Field(
        default=2.0, gt=0, description="Position updates a driver may send per second."
    )
    location_burst: float = Field(default=10.0, gt=0)
    position_sample_s: float = Field(
        default=30.0, gt=0, description="At most one position event per driver this often."
    )
    sweep_interval_s: float = Field(default=0.5, gt=0, le=10)
    reconcile_interval_s: float = Field(default=30.0, gt=0)
    app_sweeper: bool = Field(
        default=True, description="Run offer timeouts, batching and reconciliation in the API."
    )
