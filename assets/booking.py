"""Booking assets (system 13): the cancellation model, net demand per stay-night, the
overbooking allowance (gated by a replay of the held-out year) and demand-based prices.

The first three read the real hotel bookings (``$BLUEPRINT_SHARED_DATA/booking``); without
them they record that the data is absent rather than inventing any. Training runs nightly;
the rest follow eagerly. Prices follow the lake's booking events.
"""

import json
from dataclasses import dataclass
from typing import Any

import dagster as dg
import joblib
import numpy as np
import polars as pl

from assets.metadata import md_table, plot_md
from assets.resources import PlatformResource
from models.booking_cancel import evaluate, split_by_year
from models.booking_data import FEATURES, LEAKY, load_bookings
from models.booking_overbooking import (
    Policy,
    allowance_table,
    cancel_timing,
    capacity_from,
    net_demand,
    replay,
)
from models.booking_pricing import demand_events, nightly_prices
from warehouse.parquet_io import publish_parquet

GROUP = "booking"
AUC_CHECK = "booking_cancel_model_beats_its_baseline"
WALK_CHECK = "booking_overbooking_walks_few_guests"
PRICE_CHECK = "booking_prices_are_bounded"
MAX_WALKED_SHARE = 0.005
FOLLOW = dg.AutomationCondition.eager()


class BookingModelConfig(dg.Config):
    test_year: int = 2017
    capacity_quantile: float = 0.9
    z: float = 0.0
    fixed_rate: float = 0.05


@dataclass
class Scored:
    """The held-out year with the model's scores, and what replays need from training."""

    test: pl.DataFrame | None
    scores: np.ndarray | None
    capacity: dict[str, int]
    timing: np.ndarray | None
    note: str = ""


@dg.asset(
    group_name=GROUP,
    kinds={"sklearn", "polars"},
    automation_condition=dg.AutomationCondition.on_cron("45 2 * * *"),
    check_specs=[dg.AssetCheckSpec(AUC_CHECK, asset="booking_cancel_model")],
)
def booking_cancel_model(
    context: dg.AssetExecutionContext, config: BookingModelConfig, platform: PlatformResource
):
    """Probability of cancellation per booking, trained on arrivals before the test year and
    scored on it, against a logistic-regression baseline on the same split and features."""
    try:
        frame = load_bookings()
    except FileNotFoundError as exc:
        note = str(exc)
        yield dg.Output(Scored(None, None, {}, None, note), metadata={"note": note})
        yield dg.AssetCheckResult(check_name=AUC_CHECK, passed=True, metadata={"note": note})
        return
    ev = evaluate(frame, config.test_year)
    train, test = split_by_year(frame, config.test_year)
    out = platform.settings().models_dir / "booking_cancel"
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(ev.model, out / "model.joblib")
    meta = {
        "auc": ev.auc,
        "baseline_auc": ev.baseline_auc,
        "features": list(FEATURES),
        "train_rows": ev.train_rows,
        "test_rows": ev.test_rows,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    scored = Scored(
        test, ev.test_scores, capacity_from(train, config.capacity_quantile), cancel_timing(train)
    )
    yield dg.Output(
        scored,
        metadata={
            "auc": ev.auc,
            "baseline_auc": ev.baseline_auc,
            "train_rows": ev.train_rows,
            "test_rows": ev.test_rows,
            "features": ", ".join(FEATURES),
            "excluded_as_leaky": ", ".join(LEAKY),
        },
    )
    yield dg.AssetCheckResult(
        check_name=AUC_CHECK,
        passed=ev.auc > ev.baseline_auc,
        metadata={"auc": ev.auc, "baseline_auc": ev.baseline_auc},
    )


@dg.asset(group_name=GROUP, kinds={"polars", "parquet"}, automation_condition=FOLLOW)
def booking_net_demand(
    booking_cancel_model: Scored, platform: PlatformResource
) -> dg.MaterializeResult:
    """Per hotel and stay-night of the held-out year: gross bookings, expected shows from the
    cancellation model, and the shows that really came."""
    if booking_cancel_model.test is None:
        return dg.MaterializeResult(metadata={"note": booking_cancel_model.note})
    demand = net_demand(booking_cancel_model.test, booking_cancel_model.scores)
    path = publish_parquet(
        demand, platform.settings().lake_dir / "booking_net_demand" / "data.parquet"
    )
    written = pl.read_parquet(path)
    err = (written["expected_shows"] - written["actual_shows"]).abs().mean()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written.height,
            "mean_abs_error_shows_per_night": float(err),
            "preview": md_table(written.head(10), list(written.columns)),
        }
    )


@dg.asset(
    group_name=GROUP,
    kinds={"polars", "parquet"},
    automation_condition=FOLLOW,
    check_specs=[dg.AssetCheckSpec(WALK_CHECK, asset="booking_overbooking", blocking=True)],
)
def booking_overbooking(
    booking_cancel_model: Scored, config: BookingModelConfig, platform: PlatformResource
):
    """The overbooking allowance per night (newsvendor on the model's cancellation odds) and
    the replay of the held-out year under no overbooking, a fixed rule and the model's rule.
    Its blocking check requires walked guests at most 0.5% of arrivals."""
    s = booking_cancel_model
    if s.test is None:
        yield dg.Output(None, metadata={"note": s.note})
        yield dg.AssetCheckResult(check_name=WALK_CHECK, passed=True, metadata={"note": s.note})
        return
    demand = net_demand(s.test, s.scores)
    table = allowance_table(demand, s.capacity, alpha=0.05)
    publish_parquet(table, platform.settings().lake_dir / "booking_overbooking" / "data.parquet")
    results = {
        p.name: replay(s.test, s.scores, s.capacity, p, s.timing)
        for p in (
            Policy("none", "none"),
            Policy(f"fixed {config.fixed_rate:.0%}", "fixed", fixed_rate=config.fixed_rate),
            Policy("model", "model", z=config.z),
        )
    }
    rows = pl.DataFrame(
        [
            {
                "policy": n,
                "accepted": r.accepted,
                "arrivals": r.arrivals,
                "walked": r.walked,
                "walked_share": round(r.walked_share, 5),
                "room_nights": r.room_nights,
                "revenue": round(r.revenue),
            }
            for n, r in results.items()
        ]
    )
    model, fixed, none = results["model"], list(results.values())[1], results["none"]
    yield dg.Output(
        rows,
        metadata={
            "replay": md_table(rows, list(rows.columns)),
            "revenue_vs_no_overbooking": model.revenue / max(1.0, none.revenue),
            "revenue_vs_fixed_rule": model.revenue / max(1.0, fixed.revenue),
            "walked_share": model.walked_share,
            "capacity": json.dumps(s.capacity),
        },
    )
    yield dg.AssetCheckResult(
        check_name=WALK_CHECK,
        passed=model.walked_share <= MAX_WALKED_SHARE,
        metadata={
            "walked_share": model.walked_share,
            "limit": MAX_WALKED_SHARE,
            "walked": model.walked,
            "arrivals": model.arrivals,
        },
    )


@dg.asset(
    group_name=GROUP,
    deps=["lake_ingest"],
    kinds={"duckdb", "parquet"},
    automation_condition=FOLLOW,
    check_specs=[dg.AssetCheckSpec(PRICE_CHECK, asset="booking_prices")],
)
def booking_prices(platform: PlatformResource) -> dg.MaterializeResult:
    """Demand-based nightly prices from the lake's search and hold events, with a plot."""
    prices = nightly_prices(demand_events(platform.lake()))
    path = publish_parquet(prices, platform.settings().lake_dir / "booking_prices" / "data.parquet")
    written = pl.read_parquet(path)
    bad = written.filter(~pl.col("multiplier").is_between(0.8, 1.3)).height

    def draw(_fig: Any, ax: Any) -> None:
        by_night = written.group_by("night").agg(pl.col("multiplier").mean()).sort("night")
        ax.plot(by_night["night"].to_list(), by_night["multiplier"].to_list(), marker=".")
        ax.set_title("mean price multiplier per night")

    meta: dict[str, Any] = {"dagster/row_count": written.height}
    if written.height:
        meta["plot"] = plot_md(draw, alt="booking price multipliers")
        meta["preview"] = md_table(written.head(10), list(written.columns))
    return dg.MaterializeResult(
        metadata=meta,
        check_results=[
            dg.AssetCheckResult(
                check_name=PRICE_CHECK, passed=bad == 0, metadata={"out_of_bounds": bad}
            )
        ],
    )


defs = dg.Definitions(
    assets=[booking_cancel_model, booking_net_demand, booking_overbooking, booking_prices]
)
