"""The trip state machine end to end on the service: quote, request, offer, accept, arrive,
start, complete (charged once), rate; cancellations with their fees; 409 out of order; 404
for other people's trips."""

from __future__ import annotations

import pytest

from services.errors import Conflict, Invalid, NotFound
from services.rides.service import NoDriver, QuoteExpired
from tests.services.rides.conftest import LOOP, scatter

DROP = (41.8950, -87.6200)


def ride(svc, rider="alice"):
    q = svc.quote(rider, LOOP, DROP)
    return svc.request(rider, q["id"])


def test_a_trip_runs_from_request_to_a_single_charge_and_ratings(svc, clock):
    scatter(svc, 5)
    q = svc.quote("alice", LOOP, DROP)
    assert q["fare_cents"] >= svc.conf.min_fare_cents and q["pickup_eta_s"] > 0
    trip = svc.request("alice", q["id"])
    assert trip["status"] == "requested" and trip["driver_id"] is not None
    driver = trip["driver_id"]
    assert svc.open_offer(driver) == trip["id"]
    clock.advance(3)
    assert svc.accept(driver, trip["id"])["status"] == "accepted"
    clock.advance(120)
    svc.arrive(driver, trip["id"])
    svc.start_trip(driver, trip["id"])
    clock.advance(600)
    done = svc.complete(driver, trip["id"])
    assert done["status"] == "completed"
    assert done["payment"] == "captured" and done["charge_cents"] == q["fare_cents"]
    assert svc.local_gateway.charges_by("trip") == {trip["id"]: 1}
    assert svc.rate("alice", trip["id"], 5)["rider_rating"] == 5
    assert svc.rate(driver, trip["id"], 4)["driver_rating"] == 4
    with pytest.raises(Conflict):
        svc.rate("alice", trip["id"], 1)
    assert svc.driver_rating(driver)["rating"] == 5.0
    with pytest.raises(Conflict):  # a completed trip never completes (or charges) again
        svc.complete(driver, trip["id"])
    assert svc.local_gateway.charges_by("trip") == {trip["id"]: 1}


def test_the_nearest_driver_by_predicted_time_gets_the_offer(svc):
    svc.update_locations("far", [(LOOP[0] + 0.02, LOOP[1], None)])
    svc.update_locations("near", [(LOOP[0] + 0.002, LOOP[1], None)])
    assert ride(svc)["driver_id"] == "near"


def test_transitions_out_of_order_get_409(svc):
    scatter(svc, 2)
    trip = ride(svc)
    driver = trip["driver_id"]
    with pytest.raises(Conflict):
        svc.start_trip(driver, trip["id"])
    with pytest.raises(Conflict):
        svc.complete(driver, trip["id"])
    svc.accept(driver, trip["id"])
    with pytest.raises(Conflict):
        svc.accept(driver, trip["id"])
    with pytest.raises(Conflict):
        svc.rate("alice", trip["id"], 5)


def test_other_peoples_trips_are_not_found(svc):
    scatter(svc, 3)
    trip = ride(svc)
    with pytest.raises(NotFound):
        svc.get("mallory", trip["id"])
    with pytest.raises(NotFound):
        svc.cancel("mallory", trip["id"])
    other_driver = next(d for d in ("d0", "d1", "d2") if d != trip["driver_id"])
    with pytest.raises(NotFound):
        svc.accept(other_driver, trip["id"])
    with pytest.raises(NotFound):
        svc.get("alice", "t_nope")


def test_a_decline_or_a_timeout_offers_the_next_driver(svc, clock):
    scatter(svc, 3)
    trip = ride(svc)
    first = trip["driver_id"]
    svc.decline(first, trip["id"])
    second = svc.get("alice", trip["id"])["driver_id"]
    assert second not in (None, first)
    clock.advance(svc.conf.offer_timeout_s + 1)
    svc.expire_offers()
    third = svc.get("alice", trip["id"])["driver_id"]
    assert third not in (None, first, second)
    with pytest.raises(NotFound):  # the offer moved on: the trip is no longer theirs to see
        svc.accept(second, trip["id"])
    clock.advance(svc.conf.offer_timeout_s + 1)
    svc.expire_offers()  # nobody left: the trip ends as no_driver
    after = svc.get("alice", trip["id"])
    assert after["status"] == "cancelled" and after["cancel_reason"] == "no_driver"
    assert svc.safety() == {
        "drivers_with_two_trips": 0,
        "trips_with_two_drivers": 0,
        "mismatched_reservations": 0,
    }


def test_an_expired_offer_cannot_be_accepted(svc, clock):
    scatter(svc, 1)
    trip = ride(svc)
    clock.advance(svc.conf.offer_timeout_s + 1)
    with pytest.raises(Conflict):
        svc.accept(trip["driver_id"], trip["id"])


def test_no_driver_is_a_clear_answer_and_the_quote_can_be_retried(svc):
    q = svc.quote("alice", LOOP, DROP)
    assert q["pickup_eta_s"] is None
    with pytest.raises(NoDriver) as err:
        svc.request("alice", q["id"])
    assert err.value.status == 503 and "no driver" in err.value.message
    scatter(svc, 1)
    assert svc.request("alice", q["id"])["driver_id"] == "d0"


def test_an_expired_quote_gets_409_with_a_new_quote(svc, clock):
    scatter(svc, 1)
    q = svc.quote("alice", LOOP, DROP)
    clock.advance(svc.conf.quote_ttl_s + 1)
    with pytest.raises(QuoteExpired) as err:
        svc.request("alice", q["id"])
    assert err.value.status == 409 and err.value.quote["id"] != q["id"]
    scatter(svc, 1)  # the driver went quiet for two minutes: stale, so back on the map first
    assert svc.request("alice", err.value.quote["id"])["status"] == "requested"
    with pytest.raises(Conflict):  # a quote buys one trip
        svc.request("alice", err.value.quote["id"])
    with pytest.raises(NotFound):  # and only its own rider's
        svc.request("bob", q["id"])


def test_rider_cancel_fees_follow_the_documented_rule(svc, clock):
    scatter(svc, 3)
    free = ride(svc)
    assert svc.cancel("alice", free["id"])["charge_cents"] == 0  # before acceptance
    late = ride(svc, "bob")
    svc.accept(late["driver_id"], late["id"])
    clock.advance(svc.conf.rider_cancel_grace_s + 1)
    done = svc.cancel("bob", late["id"])
    assert done["charge_cents"] == svc.conf.rider_cancel_fee_cents
    assert done["payment"] == "captured" and done["cancelled_by"] == "rider"
    scatter(svc, 3)  # positions refreshed after the wait
    by_driver = ride(svc, "carol")
    svc.accept(by_driver["driver_id"], by_driver["id"])
    clock.advance(600)
    out = svc.cancel(by_driver["driver_id"], by_driver["id"])
    assert out["cancelled_by"] == "driver" and out["charge_cents"] == 0
    assert svc.local_gateway.charges_by("trip") == {late["id"]: 1}
    with pytest.raises(Conflict):
        svc.cancel("carol", by_driver["id"])


def test_a_trip_in_progress_cannot_be_cancelled(svc):
    scatter(svc, 1)
    trip = ride(svc)
    d = trip["driver_id"]
    svc.accept(d, trip["id"])
    svc.arrive(d, trip["id"])
    svc.start_trip(d, trip["id"])
    with pytest.raises(Conflict):
        svc.cancel("alice", trip["id"])


@pytest.mark.parametrize(
    ("pickup", "dropoff"),
    [((91.0, 0.0), DROP), (LOOP, (0.0, 181.0)), (LOOP, LOOP), ((float("nan"), 0.0), DROP)],
)
def test_bad_coordinates_and_same_place_are_invalid(svc, pickup, dropoff):
    with pytest.raises(Invalid):
        svc.quote("alice", pickup, dropoff)
