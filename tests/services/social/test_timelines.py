"""The hybrid home timeline must equal the naive pull-everything timeline, whatever happened."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.social.timelines import InProcessTimelines
from tests.services.social.conftest import make_store

USERS = [f"u{i}" for i in range(6)]

op = st.one_of(
    st.tuples(st.just("follow"), st.sampled_from(USERS), st.sampled_from(USERS)),
    st.tuples(st.just("unfollow"), st.sampled_from(USERS), st.sampled_from(USERS)),
    st.tuples(st.just("post"), st.sampled_from(USERS), st.just("")),
    st.tuples(st.just("read"), st.sampled_from(USERS), st.just("")),
    st.tuples(st.just("read"), st.sampled_from(USERS), st.just("")),
    st.tuples(st.just("restart"), st.just(""), st.just("")),
)


def _apply(store, ops):
    for kind, a, b in ops:
        if kind == "follow" and a != b:
            store.follow(a, b)
        elif kind == "unfollow" and a != b:
            store.unfollow(a, b)
        elif kind == "post":
            store.create_post(a, f"post by {a}")
        elif kind == "read":  # builds the reader's cached timeline, and checks it
            assert store.home_timeline_ids(a, None, 50) == store.pull_home_timeline_ids(a, None, 50)
        elif kind == "restart":
            store.timelines.forget_all()


def _check_equal(store, limit=50):
    for user in USERS:
        hybrid = store.home_timeline_ids(user, None, limit)
        naive = store.pull_home_timeline_ids(user, None, limit)
        assert hybrid == naive, user
        if len(hybrid) > 3:  # and the second page too
            cursor = hybrid[2]
            assert store.home_timeline_ids(user, cursor, 5) == store.pull_home_timeline_ids(
                user, cursor, 5
            )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(op, max_size=60))
def test_hybrid_timeline_equals_pull_timeline_over_random_histories(sqlite_engine, ops):
    from services.social import tables

    tables.metadata.drop_all(sqlite_engine)
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS social_posts_fts")
        conn.exec_driver_sql("DROP TABLE IF EXISTS social_users_fts")
    store = make_store(sqlite_engine, threshold=3, batch=2)
    for u in USERS:
        store.create_user(u)
    _apply(store, ops)
    _check_equal(store)


def test_hybrid_equals_pull_on_both_databases(engine):
    import random

    rng = random.Random(3)
    store = make_store(engine, threshold=3, batch=2)
    for u in USERS:
        store.create_user(u)
    ops = []
    for _ in range(150):
        kind = rng.choice(["follow", "follow", "unfollow", "post", "post", "post", "read"])
        ops.append((kind, rng.choice(USERS), rng.choice(USERS)))
    _apply(store, ops)
    _check_equal(store)


def test_redis_timelines_give_the_same_hybrid_timeline(sqlite_engine, redis_timelines):
    store = make_store(sqlite_engine, timelines=redis_timelines, threshold=2, batch=2)
    for u in USERS:
        store.create_user(u)
    for follower in USERS[1:]:
        store.follow(follower, "u0")
    for u in USERS:
        store.home_timeline_ids(u)
    store.follow("u1", "u2")
    for i in range(5):
        store.create_post("u0", f"celebrity {i}")  # above the threshold: pulled
        store.create_post("u2", f"regular {i}")  # pushed
    _check_equal(store)


def test_posts_of_authors_above_the_threshold_are_not_pushed(sqlite_engine):
    store = make_store(sqlite_engine, threshold=2, batch=10)
    for u in USERS:
        store.create_user(u)
    for follower in ("u1", "u2"):
        store.follow(follower, "u0")
    timelines: InProcessTimelines = store.timelines
    store.home_timeline_ids("u1")  # build u1's timeline
    post, _ = store.create_post("u0", "big news")
    assert timelines.page(store.user_id("u1"), None, 10) == []  # nothing pushed
    assert store.home_timeline_ids("u1") == [post.id]  # but pulled on read


def test_fanout_interrupted_by_a_crash_completes_on_restart_without_duplicates(sqlite_engine):
    store = make_store(sqlite_engine, threshold=100, batch=2)
    for u in USERS:
        store.create_user(u)
    for follower in USERS[1:]:
        store.follow(follower, "u0")
    for u in USERS[1:]:
        store.home_timeline_ids(u)  # materialise every follower's timeline

    class Crash(Exception):
        pass

    calls = {"n": 0}

    def crash_after_first_batch(_post_id):
        calls["n"] += 1
        if calls["n"] == 1:
            raise Crash

    store.after_fanout_batch = crash_after_first_batch
    with pytest.raises(Crash):
        store.create_post("u0", "interrupted")
    post_id = store.max_post_id()
    reached = [u for u in USERS[1:] if post_id in store.timelines.page(store.user_id(u), None, 50)]
    assert 0 < len(reached) < len(USERS) - 1  # only the first batch got it

    # A new process over the same database and cache tier resumes the job.
    restarted = make_store(sqlite_engine, timelines=store.timelines, threshold=100, batch=2)
    assert restarted.resume_fanouts() == 1
    for u in USERS[1:]:
        line = restarted.timelines.page(restarted.user_id(u), None, 50)
        assert line.count(post_id) == 1
    assert restarted.resume_fanouts() == 0
