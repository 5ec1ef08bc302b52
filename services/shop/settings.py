"""Shop settings (``BLUEPRINT_SHOP_*``): reservations, caps, allocation, SLAs and payments."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.payments.settings import GatewaySettings


class ShopSettings(GatewaySettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_SHOP_", extra="ignore")

    currency: str = Field(default="gbp", pattern=r"^[a-z]{3}$")
    reservation_ttl_s: float = Field(
        default=900.0, gt=0, le=86400, description="How long a checkout's reservation lasts."
    )
    guest_cart_ttl_s: float = Field(
        default=7 * 86400,
        gt=0,
        description="How long a guest cart lives after it is issued (then 404, and swept).",
    )
    max_line_qty: int = Field(default=10_000, ge=1, description="Per-line cap of a cart/order.")
    max_cart_lines: int = Field(default=100, ge=1)
    allocation: str = Field(
        default="nearest",
        pattern=r"^(nearest|fewest_shipments)$",
        description="nearest: the buyer's country's warehouses first; fewest_shipments: the "
        "warehouse that can send the most of the order alone first.",
    )
    first_response_sla_s: float = Field(default=4 * 3600, gt=0)
    resolution_sla_s: float = Field(default=72 * 3600, gt=0)
    sweep_interval_s: float = Field(default=0.5, gt=0, le=10)
    reconcile_interval_s: float = Field(default=30.0, gt=0)
    app_sweeper: bool = Field(
        default=True, description="Run the expiry sweeper and reconciliation in the API process."
    )
