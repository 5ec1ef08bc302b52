"""The hotel booking demand data set (Antonio et al., 2019) as a typed frame, and the
features a cancellation model may use.

Only what is known when a booking is made or changed is a feature. ``LEAKY`` lists what is
not: ``reservation_status`` and ``reservation_status_date`` are the outcome itself;
``assigned_room_type``, ``booking_changes`` and ``days_in_waiting_list`` are known only
later. ``arrival_date_year`` is left out too: the model is trained on earlier years and
judged on a later one, where a year it never saw says nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
LEAKY = (
    "reservation_status",
    "reservation_status_date",
    "assigned_room_type",
    "booking_changes",
    "days_in_waiting_list",
)
TARGET = "is_canceled"
CATEGORICAL = (
    "hotel",
    "meal",
    "country",
    "market_segment",
    "distribution_channel",
    "reserved_room_type",
    "deposit_type",
    "customer_type",
    "agent",
    "company",
)
NUMERIC = (
    "lead_time",
    "arrival_month",
    "arrival_date_week_number",
    "arrival_date_day_of_month",
    "arrival_weekday",
    "stays_in_weekend_nights",
    "stays_in_week_nights",
    "nights",
    "adults",
    "children",
    "babies",
    "is_repeated_guest",
    "previous_cancellations",
    "previous_bookings_not_canceled",
    "adr",
    "required_car_parking_spaces",
    "total_of_special_requests",
)
FEATURES = CATEGORICAL + NUMERIC


def shared_data_dir() -> Path:
    """``$BLUEPRINT_SHARED_DATA`` or ``../shared/data`` beside the project."""
    env = os.environ.get("BLUEPRINT_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def bookings_path() -> Path:
    return shared_data_dir() / "booking" / "hotel_bookings.csv.gz"


def prepare(raw: pl.DataFrame) -> pl.DataFrame:
    """Typed columns plus the derived ones: arrival date, month number, weekday, nights,
    booking date (arrival minus lead time)."""
    df = raw.with_columns(
        pl.col("arrival_date_month")
        .replace_strict(MONTHS, list(range(1, 13)))
        .alias("arrival_month"),
        pl.col("children").cast(pl.Float64, strict=False).fill_null(0).cast(pl.Int64),
        pl.col("agent").cast(pl.Utf8),
        pl.col("company").cast(pl.Utf8),
        pl.col("adr").cast(pl.Float64),
    )
    df = df.with_columns(
        pl.date("arrival_date_year", "arrival_month", "arrival_date_day_of_month").alias("arrival"),
        (pl.col("stays_in_weekend_nights") + pl.col("stays_in_week_nights")).alias("nights"),
    )
    return df.with_columns(
        pl.col("arrival").dt.weekday().alias("arrival_weekday"),
        (pl.col("arrival") - pl.duration(days=pl.col("lead_time"))).alias("booked_on"),
        pl.col("reservation_status_date").cast(pl.Utf8).str.to_date(strict=False),
    )


def load_bookings(path: Path | None = None) -> pl.DataFrame:
    """The real bookings, prepared (``FileNotFoundError`` when the data is absent)."""
    path = path or bookings_path()
    if not path.exists():
        raise FileNotFoundError(f"hotel bookings not found at {path}")
    raw = pl.read_csv(path, null_values=["NULL", "NA"], infer_schema_length=20_000)
    return prepare(raw)


def synthetic_bookings(n: int = 4000, seed: int = 0) -> pl.DataFrame:
    """Raw-format bookings whose cancellations follow lead time, deposit and history: for
    tests that must not need the real file."""
    import numpy as np

    rng = np.random.default_rng(seed)
    years = rng.choice([2015, 2016, 2017], n, p=[0.2, 0.45, 0.35])
    lead = rng.gamma(1.5, 60, n).astype(int)
    deposit = rng.choice(["No Deposit", "Non Refund", "Refundable"], n, p=[0.8, 0.15, 0.05])
    prev = rng.poisson(0.1, n)
    logit = -1.6 + 0.008 * lead + 2.5 * (deposit == "Non Refund") + 0.9 * prev
    canceled = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    month = rng.integers(0, 12, n)
    day = rng.integers(1, 29, n)
    arrival = [f"{y}-{m + 1:02d}-{d:02d}" for y, m, d in zip(years, month, day, strict=True)]
    return pl.DataFrame(
        {
            "hotel": rng.choice(["Resort Hotel", "City Hotel"], n),
            "is_canceled": canceled,
            "lead_time": lead,
            "arrival_date_year": years,
            "arrival_date_month": [MONTHS[m] for m in month],
            "arrival_date_week_number": (month * 4 + 1).astype(int),
            "arrival_date_day_of_month": day,
            "stays_in_weekend_nights": rng.integers(0, 3, n),
            "stays_in_week_nights": rng.integers(1, 5, n),
            "adults": rng.integers(1, 3, n),
            "children": rng.integers(0, 2, n),
            "babies": np.zeros(n, dtype=int),
            "meal": rng.choice(["BB", "HB", "SC"], n),
            "country": rng.choice(["PRT", "GBR", "FRA", "ESP", "DEU"], n),
            "market_segment": rng.choice(["Online TA", "Offline TA/TO", "Direct", "Groups"], n),
            "distribution_channel": rng.choice(["TA/TO", "Direct"], n),
            "is_repeated_guest": rng.integers(0, 2, n),
            "previous_cancellations": prev,
            "previous_bookings_not_canceled": rng.poisson(0.2, n),
            "reserved_room_type": rng.choice(["A", "D", "E"], n),
            "assigned_room_type": rng.choice(["A", "D", "E"], n),
            "booking_changes": rng.poisson(0.2, n),
            "deposit_type": deposit,
            "agent": [("9", "240", None)[k] for k in rng.integers(0, 3, n)],
            "company": [None] * n,
            "days_in_waiting_list": np.zeros(n, dtype=int),
            "customer_type": rng.choice(["Transient", "Contract"], n),
            "adr": rng.normal(100, 30, n).round(2),
            "required_car_parking_spaces": rng.integers(0, 2, n),
            "total_of_special_requests": rng.integers(0, 3, n),
            "reservation_status": np.where(canceled == 1, "Canceled", "Check-Out"),
            "reservation_status_date": arrival,
        }
    )
