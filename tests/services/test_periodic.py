"""The shared background loop: a failing pass does not end it, stop() is prompt, passes never
overlap (not even with a thread that outlived a stop), and ``Every`` takes one turn per
interval."""

from __future__ import annotations

import threading
import time

from services.periodic import Every, Periodic


def _wait_for(cond, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.005)
    return cond()


def test_a_failing_pass_is_logged_and_the_next_one_runs(caplog):
    calls: list[int] = []

    def one_pass() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database is locked")

    loop = Periodic("test-sweeper")
    loop.start(0.01, one_pass)
    try:
        assert _wait_for(lambda: len(calls) >= 3)
    finally:
        loop.stop()
    assert not loop.running
    assert "test-sweeper pass failed" in caplog.text


def test_stop_wakes_a_long_wait_at_once():
    ran = threading.Event()
    loop = Periodic("slow")
    loop.start(3600.0, ran.set)
    t0 = time.monotonic()
    loop.stop()
    assert time.monotonic() - t0 < 2.0
    assert not ran.is_set()


def test_start_twice_runs_one_thread():
    loop = Periodic("twice")
    loop.start(3600.0, lambda: None)
    loop.start(3600.0, lambda: None)
    try:
        assert sum(t.name == "twice" for t in threading.enumerate()) == 1
    finally:
        loop.stop()


def test_a_restart_never_overlaps_a_pass_that_outlived_stop():
    inside = 0
    most = 0
    release = threading.Event()
    guard = threading.Lock()

    def one_pass() -> None:
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        release.wait(5.0)
        with guard:
            inside -= 1

    loop = Periodic("overlap", join_timeout_s=0.05)
    loop.start(0.01, one_pass)
    assert _wait_for(lambda: inside == 1)
    loop.stop()  # the pass is stuck: the join gives up, the thread lives on
    loop.start(0.01, one_pass)
    time.sleep(0.2)
    assert most == 1
    release.set()
    loop.stop()
    assert most == 1


def test_every_takes_one_turn_per_interval():
    now = [100.0]
    first_now = Every(10.0, clock=lambda: now[0])
    later = Every(10.0, at_start=False, clock=lambda: now[0])
    assert first_now.due() and not first_now.due()
    assert not later.due()
    now[0] += 10.0
    assert first_now.due() and later.due()
    assert not first_now.due() and not later.due()
