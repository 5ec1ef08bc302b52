"""The social service: built by its composition root, it emits every interaction's event,
tells subscribers of new posts, and keeps shared answers in its own cache tier."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services import errors
from services.social import tables
from services.social.model import InvalidCursor


def _pending_fanouts(svc) -> int:
    jobs = tables.fanout_jobs
    with svc.store.engine.connect() as conn:
        return conn.execute(select(func.count()).where(jobs.c.done.is_(False))).scalar()


def _people(svc, *handles):
    for h in handles:
        svc.create_user(h)


def test_every_interaction_emits_its_event_once(build_social, recorder):
    svc = build_social()
    _people(svc, "ann", "bob")
    assert svc.follow("bob", "ann") and not svc.follow("bob", "ann")  # second: no event
    post, _ = svc.create_post("ann", "hello #Data")
    reply, _ = svc.create_post("bob", "hi", reply_to=post.id)
    svc.create_post("bob", "hi", reply_to=post.id, idempotency_key="k")
    svc.create_post("bob", "hi", reply_to=post.id, idempotency_key="k")  # repeat: no event
    svc.like("bob", post.id)
    svc.unlike("bob", post.id)
    repost = svc.repost("bob", post.id)
    svc.home_timeline("bob", limit=5)
    msg = svc.send_dm("ann", "bob", "psst")
    assert svc.unfollow("bob", "ann") and not svc.unfollow("bob", "ann")
    got = recorder.social()
    assert [e[0] for e in got] == [
        "user_created",
        "user_created",
        "follow",
        "post_created",
        "reply",
        "reply",
        "like",
        "unlike",
        "repost",
        "timeline_read",
        "dm_sent",
        "unfollow",
    ]
    by_type = {e[0]: e for e in got}
    assert by_type["follow"][1:3] == ("bob", "ann")
    assert by_type["post_created"][2:] == (
        str(post.id),
        {"hashtags": ["data"], "reply_to": None, "length": 11, "has_media": False, "media": []},
    )
    assert by_type["reply"][3]["reply_to"] == post.id
    assert by_type["like"][3] == {"author": "ann"}
    assert by_type["repost"][2:] == (str(post.id), {"author": "ann", "repost_id": repost.id})
    assert by_type["timeline_read"][3] == {"n": 4}  # the post, two replies, the repost
    assert by_type["dm_sent"][2:] == ("bob", {"length": len(msg.text)})
    assert reply.reply_to == post.id


def test_failed_actions_emit_nothing(build_social, recorder):
    svc = build_social()
    _people(svc, "ann")
    before = len(recorder.social())
    with pytest.raises(errors.Invalid):
        svc.create_post("ann", "x" * 281)
    with pytest.raises(errors.NotFound):
        svc.like("ann", 999)
    with pytest.raises(errors.Invalid):
        svc.follow("ann", "ann")
    assert len(recorder.social()) == before


def test_domain_errors_carry_their_http_status(build_social):
    svc = build_social()
    _people(svc, "ann")
    post, _ = svc.create_post("ann", "x")
    svc.like("ann", post.id)
    with pytest.raises(errors.Conflict) as conflict:
        svc.like("ann", post.id)
    assert conflict.value.status == 409
    with pytest.raises(errors.NotFound) as missing:
        svc.get_user("nobody")
    assert missing.value.status == 404 and "nobody" in missing.value.message
    with pytest.raises(InvalidCursor) as bad:
        svc.user_timeline("ann", cursor="garbage!")
    assert isinstance(bad.value, errors.DomainError) and bad.value.status == 400


def test_post_subscribers_hear_of_new_posts_and_replies_only(build_social):
    svc = build_social()
    _people(svc, "ann", "bob")
    heard = []
    stop = svc.subscribe_posts(lambda p: heard.append(p.text))
    post, _ = svc.create_post("ann", "first")
    svc.create_post("bob", "reply", reply_to=post.id)
    svc.create_post("ann", "once", idempotency_key="k")
    svc.create_post("ann", "once", idempotency_key="k")
    svc.repost("bob", post.id)
    stop()
    svc.create_post("ann", "after unsubscribe")
    assert heard == ["first", "reply", "once"]


def test_a_failing_subscriber_does_not_fail_the_post(build_social, recorder):
    svc = build_social()
    _people(svc, "ann")

    def broken(_post):
        raise RuntimeError("subscriber down")

    svc.subscribe_posts(broken)
    post, created = svc.create_post("ann", "still posted")
    assert created and svc.get_post(post.id).text == "still posted"
    assert recorder.social()[-1][0] == "post_created"


def test_popular_posts_are_cached_in_the_social_tier_until_their_ttl(build_social, clock):
    svc = build_social(popular_ttl_s=5.0)
    _people(svc, "ann", "bob")
    a, _ = svc.create_post("ann", "a")
    b, _ = svc.create_post("ann", "b")
    svc.like("bob", a.id)
    assert svc.store.popular_posts(10) == [a.id, b.id]
    svc.like("bob", b.id)
    svc.repost("bob", b.id)
    clock.now += 4.9
    assert svc.store.popular_posts(10)[:2] == [a.id, b.id]  # still the cached answer
    clock.now += 0.2
    assert svc.store.popular_posts(10)[:2] == [b.id, a.id]
    assert svc.cache.metrics.counts["loads"] == 2


def test_fanout_threshold_comes_from_blueprint_social_settings(build_social, monkeypatch):
    monkeypatch.setenv("BLUEPRINT_SOCIAL_FANOUT_THRESHOLD", "2")
    from services.social.settings import SocialSettings

    assert SocialSettings().fanout_threshold == 2
    svc = build_social(fanout_threshold=SocialSettings().fanout_threshold, timeline_cap=50)
    assert svc.store.fanout_threshold == 2 and svc.timelines.cap == 50
    _people(svc, "star", "f1", "f2")
    for f in ("f1", "f2"):
        svc.follow(f, "star")
        svc.home_timeline(f)  # build the follower's timeline
    post, _ = svc.create_post("star", "pulled, not pushed")
    assert svc.timelines.page(svc.store.user_id("f1"), None, 10) == []
    assert [p.id for p in svc.home_timeline("f1").items] == [post.id]


def test_building_the_service_finishes_an_interrupted_fanout(settings, recorder, clock):
    from services.social.settings import SocialSettings
    from services.social.system import build

    conf = SocialSettings(fanout_threshold=100, fanout_batch=1)
    first = build(settings, recorder, conf=conf, clock=clock)
    _people(first, "ann", "bob", "cat")
    first.follow("bob", "ann")
    first.follow("cat", "ann")

    def crash(_post_id):
        raise RuntimeError("process died mid fan-out")

    first.store.after_fanout_batch = crash
    with pytest.raises(RuntimeError):
        first.create_post("ann", "interrupted")
    assert _pending_fanouts(first) == 1
    first.close()
    restarted = build(settings, recorder, conf=conf, clock=clock)
    try:
        assert _pending_fanouts(restarted) == 0  # the composition root finished it
    finally:
        restarted.close()


def test_cursor_pages_of_followers_walk_every_user_once(build_social):
    svc = build_social()
    _people(svc, "star", *[f"f{i}" for i in range(5)])
    for i in range(5):
        svc.follow(f"f{i}", "star")
    seen, cursor = [], None
    while True:
        page = svc.followers("star", cursor, limit=2)
        seen += [u.handle for u in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [f"f{i}" for i in range(5)]


def test_stored_timestamps_read_back_aware_in_utc(build_social):
    """SQLite keeps no offset: read back naive, a timestamp would be answered without one and
    taken for local time by ``datetime.timestamp`` (the feed ranker's recency)."""
    from datetime import timedelta

    svc = build_social()
    _people(svc, "ann", "bob")
    post, _ = svc.create_post("ann", "hi")
    svc.send_dm("ann", "bob", "psst")
    stamps = [svc.get_post(post.id).created_at, svc.dm_thread("bob", "ann").items[0].created_at]
    assert all(ts.utcoffset() == timedelta(0) for ts in stamps)


@pytest.mark.parametrize("bad", ["a\ud800", "a\x00b"])
def test_service_refuses_unstorable_text_from_any_caller_not_only_http(build_social, bad):
    """The CLI and other systems call the service directly: its store refuses what it cannot
    hold with ``Invalid`` (422) instead of failing inside the database."""
    svc = build_social()
    _people(svc, "ann", "bob")
    for call in (
        lambda: svc.create_post("ann", bad),
        lambda: svc.send_dm("ann", "bob", bad),
        lambda: svc.create_user("cat", display_name=bad),
        lambda: svc.create_user("dan", bio=bad),
        lambda: svc.search_posts(bad),
        lambda: svc.search_users(bad),
    ):
        with pytest.raises(errors.Invalid, match="surrogate|NUL"):
            call()
    assert svc.user_timeline("ann").items == [] and svc.dm_thread("ann", "bob").items == []
