"""Hold, confirm, cancel and lapse, with payment through the local gateway."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.booking.service import PaymentRequired
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.payments.adapter import CARD_DECLINED
from tests.services.booking.conftest import seed_hotel


def stay(svc, start=10, nights=2):
    d = svc.today() + timedelta(days=start)
    return d, d + timedelta(days=nights)


def available(svc, unit, start=10, nights=2):
    a, b = stay(svc, start, nights)
    return [c["available"] for c in svc.calendar(unit, a, b)]


def test_hold_takes_inventory_at_once_with_an_absolute_expiry(svc, room, clock):
    a, b = stay(svc)
    hold = svc.hold("alice", room, a, b, 2)
    assert hold["status"] == "held" and hold["amount_cents"] == 20_000
    assert hold["expires_at"].startswith("2030-03-01T12:10:00")
    assert available(svc, room) == [4, 4]


def test_confirm_charges_once_and_cancel_refunds_by_the_plan(svc, room):
    a, b = stay(svc)
    hold = svc.hold("alice", room, a, b, 2)
    booked = svc.confirm("alice", hold["id"])
    assert booked["status"] == "confirmed" and booked["payment"] == "captured"
    gw = svc.local_gateway
    assert gw.charges_by("booking") == {hold["id"]: 1}
    assert svc.confirm("alice", hold["id"])["status"] == "confirmed"  # a retry changes nothing
    assert gw.totals()["intents"] == 1
    cancelled = svc.cancel("alice", hold["id"])
    assert cancelled["status"] == "cancelled" and cancelled["refund_cents"] == 20_000
    assert cancelled["payment"] == "refunded"
    assert gw.charges_by("booking") == {}
    assert available(svc, room) == [5, 5]


def test_saver_plan_is_cheaper_and_refunds_nothing(svc, room):
    a, b = stay(svc)
    hold = svc.hold("bob", room, a, b, 1, plan="saver")
    assert hold["amount_cents"] == 18_000
    svc.confirm("bob", hold["id"])
    cancelled = svc.cancel("bob", hold["id"])
    assert cancelled["refund_cents"] == 0 and cancelled["payment"] == "captured"
    assert svc.local_gateway.charges_by("booking") == {hold["id"]: 1}
    assert available(svc, room) == [5, 5]


def test_flex_refund_ends_before_arrival(svc, room, clock):
    a, b = stay(svc, start=1)
    hold = svc.hold("carol", room, a, b, 1)
    svc.confirm("carol", hold["id"])
    clock.advance(86400)  # arrival day: inside the 1-day window
    assert svc.cancel("carol", hold["id"])["refund_cents"] == 0


def test_lapsed_hold_releases_its_inventory_and_cannot_be_confirmed(svc, room, clock):
    a, b = stay(svc)
    hold = svc.hold("alice", room, a, b, 2)
    clock.advance(601)
    assert svc.sweep() == 1
    assert available(svc, room) == [5, 5]
    with pytest.raises(Conflict, match="lapsed"):
        svc.confirm("alice", hold["id"])
    assert svc.local_gateway.totals()["intents"] == 0


def test_payment_completing_after_the_hold_lapsed_is_voided_and_answers_409(svc, room, clock):
    a, b = stay(svc)
    hold = svc.hold("alice", room, a, b, 2)
    real_authorize = svc.gateway.authorize

    def slow_authorize(*args, **kwargs):
        intent = real_authorize(*args, **kwargs)
        clock.advance(601)  # the payment took longer than the hold had left
        svc.sweep()
        return intent

    svc.gateway.authorize = slow_authorize
    with pytest.raises(Conflict, match="voided"):
        svc.confirm("alice", hold["id"])
    assert svc.get("alice", hold["id"])["payment"] == "voided"
    assert svc.local_gateway.charges_by("booking") == {}
    assert available(svc, room) == [5, 5]


def test_declined_card_is_402_and_a_new_card_may_pay(svc, room):
    a, b = stay(svc)
    hold = svc.hold("dan", room, a, b, 1)
    with pytest.raises(PaymentRequired):
        svc.confirm("dan", hold["id"], CARD_DECLINED)
    assert svc.confirm("dan", hold["id"])["status"] == "confirmed"
    assert svc.local_gateway.charges_by("booking") == {hold["id"]: 1}


def test_foreign_and_unknown_reservations_are_refused(svc, room):
    a, b = stay(svc)
    hold = svc.hold("alice", room, a, b, 1)
    with pytest.raises(Forbidden):
        svc.confirm("mallory", hold["id"])
    with pytest.raises(Forbidden):
        svc.cancel("mallory", hold["id"])
    with pytest.raises(NotFound):
        svc.confirm("alice", "r_missing")
    assert svc.cancel("admin", hold["id"], privileged=True)["status"] == "released"


@pytest.mark.parametrize(
    ("start", "nights", "guests", "rule"),
    [
        (10, 0, 1, "after check-in"),
        (10, -2, 1, "after check-in"),
        (10, 31, 1, "at most 30 nights"),
        (-1, 2, 1, "in the past"),
        (10, 2, 0, "guests must be"),
        (10, 2, 10, "guests must be"),
        (10, 2, 3, "do not fit"),
        (600, 2, 1, "days ahead"),
    ],
)
def test_bad_stays_name_the_rule_broken(svc, room, start, nights, guests, rule):
    a = svc.today() + timedelta(days=start)
    with pytest.raises(Invalid, match=rule):
        svc.hold("alice", room, a, a + timedelta(days=nights), guests)


def test_unknown_unit_and_unsold_nights_are_refused(svc, room):
    a, b = stay(svc, start=59, nights=3)
    with pytest.raises(Conflict, match="not on sale"):
        svc.hold("alice", room, a, b, 1)
    with pytest.raises(NotFound):
        svc.hold("alice", "nope", *stay(svc), 1)


def test_the_last_room_goes_to_one_hold(svc):
    unit = "h1-dbl"
    from tests.services.booking.conftest import seed_hotel

    seed_hotel(svc, rooms=1)
    a, b = stay(svc)
    svc.hold("alice", unit, a, b, 1)
    with pytest.raises(Conflict, match="sold out"):
        svc.hold("bob", unit, a, b, 1)
    # a stay overlapping one sold night is refused whole, taking nothing
    c, d = stay(svc, start=11, nights=3)
    with pytest.raises(Conflict):
        svc.hold("bob", unit, c, d, 1)
    assert available(svc, unit, start=11, nights=3) == [0, 1, 1]


def test_search_events_are_spooled_in_batches_and_none_is_lost_on_close(svc, room):
    batches = []
    svc.emitter.emit_events = lambda events: batches.append([e.type for e in events])
    a, b = stay(svc)
    assert svc.search("room", "Lisbon", a, b, 2)[0]["unit_id"] == room
    svc.search("room", "Lisbon", a, b, 1, max_price=1)
    assert batches == []
    svc.close()
    assert batches == [["searched", "searched"]]


def test_search_price_filters_bound_the_stay_total_from_both_sides(svc, room):
    seed_hotel(svc, prefix="h2", price=12_000)
    a, b = stay(svc)  # two nights: totals 20,000 and 24,000

    def ids(**kw):
        return [o["unit_id"] for o in svc.search("room", "Lisbon", a, b, 1, **kw)]

    assert ids() == [room, "h2-dbl"]
    assert ids(min_price=20_001) == ["h2-dbl"]
    assert ids(max_price=23_999) == [room]
    assert ids(min_price=20_000, max_price=24_000) == [room, "h2-dbl"]
    assert ids(min_price=21_000, max_price=23_000) == []
    assert svc.search("room", "Lisbon", a, b, 1, limit=1)[0]["total_cents"] == 20_000


def test_a_full_batch_of_search_events_is_spooled_off_the_search_path(svc, room):
    import threading

    written = threading.Event()
    batches = []

    def emit_events(events):
        batches.append(len(events))
        written.set()

    svc.emitter.emit_events = emit_events
    a, b = stay(svc)
    for _ in range(100):
        svc.search("room", "Lisbon", a, b, 1)
    assert written.wait(5)
    assert batches == [100]


def test_a_stay_not_on_sale_every_night_is_refused_whole(svc, room):
    last = svc.today() + timedelta(days=59)  # inventory covers 60 days from today
    with pytest.raises(Conflict, match="not on sale"):
        svc.hold("alice", room, last, last + timedelta(days=2), 1)
    assert [c["available"] for c in svc.calendar(room, last, last + timedelta(days=1))] == [5]


# -- changing dates ---------------------------------------------------------------------------


def test_a_hold_moves_to_new_dates_atomically_and_is_repriced(svc, room):
    a, b = stay(svc)
    hold = svc.hold("alice", room, a, b, 2)
    c, d = stay(svc, start=11, nights=3)  # overlaps its own second night
    moved = svc.change("alice", hold["id"], c, d)
    assert moved["check_in"] == str(c) and moved["nights"] == 3
    assert moved["amount_cents"] == 30_000 and moved["status"] == "held"
    assert available(svc, room, start=10, nights=4) == [5, 4, 4, 4]


def test_a_paid_booking_changes_dates_and_is_charged_once_at_its_new_price(svc, room):
    gw = svc.local_gateway
    a, b = stay(svc)
    booking = svc.confirm("alice", svc.hold("alice", room, a, b, 2)["id"])
    c, d = stay(svc, start=20, nights=3)
    moved = svc.change("alice", booking["id"], c, d)
    assert moved["amount_cents"] == 30_000 and moved["payment"] == "captured"
    assert available(svc, room) == [5, 5]
    assert available(svc, room, start=20, nights=3) == [4, 4, 4]
    assert gw.charges_by("booking") == {booking["id"]: 1}
    assert gw.totals()["captured"] - gw.totals()["refunded"] == 30_000
    shorter = svc.change("alice", booking["id"], c, c + timedelta(days=1))
    assert shorter["amount_cents"] == 10_000
    assert gw.totals()["captured"] - gw.totals()["refunded"] == 10_000
    assert gw.charges_by("booking") == {booking["id"]: 1}
    cancelled = svc.cancel("alice", booking["id"])
    assert cancelled["refund_cents"] == 10_000 and cancelled["payment"] == "refunded"
    assert gw.charges_by("booking") == {}


def test_sold_out_new_dates_change_nothing_and_void_the_new_payment(svc):
    unit = seed_hotel(svc, rooms=1, prefix="tiny")
    gw = svc.local_gateway
    a, b = stay(svc)
    booking = svc.confirm("alice", svc.hold("alice", unit, a, b, 1)["id"])
    c, d = stay(svc, start=30, nights=1)
    svc.hold("bob", unit, c, d, 1)
    with pytest.raises(Conflict, match="sold out"):
        svc.change("alice", booking["id"], c, d)
    kept = svc.get("alice", booking["id"])
    assert kept["check_in"] == str(a) and kept["payment"] == "captured"
    assert available(svc, unit) == [0, 0]
    assert gw.charges_by("booking") == {booking["id"]: 1}
    assert gw.totals()["captured"] - gw.totals()["refunded"] == 20_000
    assert svc.oversold() == 0


def test_a_change_cut_off_after_the_swap_is_finished_by_reconcile_exactly_once(svc, room):
    gw = svc.local_gateway
    a, b = stay(svc)
    booking = svc.confirm("alice", svc.hold("alice", room, a, b, 2)["id"])

    def crash(point):
        if point == "changed":
            raise RuntimeError("killed")

    svc.crash_hook = crash
    c, d = stay(svc, start=20, nights=1)
    with pytest.raises(RuntimeError):
        svc.change("alice", booking["id"], c, d)
    svc.crash_hook = lambda _p: None
    assert svc.get("alice", booking["id"])["payment"] == "changing"
    with pytest.raises(Conflict):  # no cancellation while the change is unpaid
        svc.cancel("alice", booking["id"])
    assert svc.reconcile().get("change_settled") == 1
    assert svc.reconcile().get("change_settled") is None
    assert svc.get("alice", booking["id"])["payment"] == "captured"
    assert gw.charges_by("booking") == {booking["id"]: 1}
    assert gw.totals()["captured"] - gw.totals()["refunded"] == 10_000


def test_changes_check_owner_and_the_rules(svc, room):
    a, b = stay(svc)
    hold = svc.hold("alice", room, a, b, 2)
    with pytest.raises(Forbidden):
        svc.change("mallory", hold["id"], a, b)
    with pytest.raises(Invalid):
        svc.change("alice", hold["id"], b, a)
    with pytest.raises(Invalid):
        svc.change("alice", hold["id"], a, b, guests=3)
    with pytest.raises(NotFound):
        svc.change("alice", "r_missing", a, b)


# -- reminders --------------------------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, user_id, template, data, res_id):
        self.sent.append((user_id, template, res_id))
        return "n1"


def test_guests_are_reminded_once_shortly_before_arrival(svc, room, clock):
    svc.notify = inbox = Inbox()
    a, b = stay(svc, start=5)
    booked = svc.confirm("alice", svc.hold("alice", room, a, b, 2)["id"])
    c, d = stay(svc, start=4)
    svc.hold("bob", room, c, d, 1)  # a hold is not a booking: no reminder
    e, f = stay(svc, start=6)
    gone = svc.confirm("carol", svc.hold("carol", room, e, f, 1)["id"])
    svc.cancel("carol", gone["id"])
    assert svc.send_reminders() == 0  # five days ahead; reminders go two days ahead
    clock.advance(3 * 86400)
    assert svc.send_reminders() == 1
    reminders = [s for s in inbox.sent if s[1] == "booking_reminder"]
    assert reminders == [("alice", "booking_reminder", booked["id"])]
    assert svc.send_reminders() == 0
    assert len([s for s in inbox.sent if s[1] == "booking_reminder"]) == 1


def test_guests_are_reminded_once_before_departure_while_their_stay_is_under_way(svc, room, clock):
    svc.notify = inbox = Inbox()
    a, b = stay(svc, start=2, nights=3)  # checks out on day 5
    booked = svc.confirm("alice", svc.hold("alice", room, a, b, 1)["id"])
    svc.send_reminders()  # the arrival reminder
    clock.advance(3 * 86400)  # day 3: under way, check-out in two days
    assert [s for s in inbox.sent if s[1] == "booking_departure"] == []
    svc.send_reminders()
    assert [s for s in inbox.sent if s[1] == "booking_departure"] == []
    clock.advance(86400)  # day 4: check-out tomorrow
    svc.send_reminders()
    svc.send_reminders()
    departures = [s for s in inbox.sent if s[1] == "booking_departure"]
    assert departures == [("alice", "booking_departure", booked["id"])]
