"""Booking's input rules and rate plans: every refusal names the rule broken.

Stays run from a check-in day to a check-out day (exclusive), at most ``MAX_NIGHTS``; a
flight is a one-day "stay" on its departure date. Guests are 1 to ``MAX_GUESTS``. Dates must
not be in the past nor beyond the selling horizon. Prices are whole cents, 0 to
``MAX_PRICE_CENTS``.

Rate plans: ``flex`` refunds in full until ``refundable_days`` days before arrival, nothing
after; ``saver`` is ``SAVER_DISCOUNT`` cheaper and never refunds.
"""

from __future__ import annotations

from datetime import date

from services.errors import Invalid

MAX_NIGHTS = 30
MAX_GUESTS = 9
MAX_QTY = 9
HORIZON_DAYS = 550
MAX_PRICE_CENTS = 10_000_000
PLANS = ("flex", "saver")
SAVER_DISCOUNT = 0.10


def check_stay(check_in: date, check_out: date, today: date) -> tuple[int, int]:
    """``(first_day, nights)`` of a valid stay; ``Invalid`` names the broken rule."""
    if check_out <= check_in:
        raise Invalid("check-out must be after check-in")
    nights = (check_out - check_in).days
    if nights > MAX_NIGHTS:
        raise Invalid(f"a stay is at most {MAX_NIGHTS} nights (asked {nights})")
    if check_in < today:
        raise Invalid(f"check-in {check_in.isoformat()} is in the past")
    if (check_in - today).days > HORIZON_DAYS:
        raise Invalid(f"check-in is more than {HORIZON_DAYS} days ahead")
    return check_in.toordinal(), nights


def check_guests(guests: int, qty: int = 1) -> None:
    if not 1 <= guests <= MAX_GUESTS:
        raise Invalid(f"guests must be 1 to {MAX_GUESTS}")
    if not 1 <= qty <= MAX_QTY:
        raise Invalid(f"rooms or seats must be 1 to {MAX_QTY}")


def check_price(cents: int, name: str = "price") -> int:
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise Invalid(f"{name} must be a whole number of cents")
    if not 0 <= cents <= MAX_PRICE_CENTS:
        raise Invalid(f"{name} must be 0 to {MAX_PRICE_CENTS} cents")
    return cents


def check_plan(plan: str) -> str:
    if plan not in PLANS:
        raise Invalid(f"rate plan must be one of {', '.join(PLANS)}")
    return plan


def plan_amount(plan: str, base_cents: int) -> int:
    """What a stay costs on ``plan`` when its nightly prices sum to ``base_cents``."""
    return round(base_cents * (1 - SAVER_DISCOUNT)) if plan == "saver" else base_cents


def refund_cents(plan: str, paid: int, first_day: int, today: int, refundable_days: int) -> int:
    """What a cancellation on ``today`` gives back of ``paid`` under the plan's rules."""
    if plan == "flex" and first_day - today >= refundable_days:
        return paid
    return 0
