"""Mentions, replies, likes, reposts and follows reach the people they concern through the
notification system, by their preferences: likes, reposts and follows wait for a digest."""

from __future__ import annotations

import pytest

from services.compose import build_services, close_services


@pytest.fixture
def systems(settings, emitter):
    services = build_services(settings, emitter, ["social"])
    social, notify = services["social"], services["notify"]
    for handle in ("ann", "bob", "cat"):
        social.create_user(handle)
    for handle in ("bob", "cat"):  # ann has no notification profile
        notify.upsert_profile(handle, email=f"{handle}@example.org")
    yield social, notify
    close_services(services)


def _statuses(notify, category: str | None) -> dict[str, int]:
    """Deliveries by status, but for channels bob and cat have no contact on (suppressed)."""
    return {k: n for k, n in notify.stats(category).items() if k != "suppressed"}


def test_a_mention_notifies_the_mentioned_user_now(systems):
    social, notify = systems
    social.create_post("ann", "lunch with @bob and @nobody today?")
    assert _statuses(notify, "social.mention") == {"pending": 2}  # email and inbox
    (row,) = notify.inbox("bob") or [None]
    assert row is None  # not yet delivered: the worker sends it


def test_a_reply_notifies_the_parent_author_once_even_when_it_mentions_them(systems):
    social, notify = systems
    parent, _ = social.create_post("bob", "hello world")
    social.create_post("cat", "@bob hi back", reply_to=parent.id)
    assert _statuses(notify, "social.reply") == {"pending": 2}
    assert _statuses(notify, "social.mention") == {}


def test_likes_reposts_and_follows_wait_for_a_digest(systems):
    social, notify = systems
    post, _ = social.create_post("bob", "a post worth liking")
    social.like("cat", post.id)
    social.repost("cat", post.id)
    social.follow("cat", "bob")
    for kind in ("like", "repost", "follow"):
        assert _statuses(notify, f"social.{kind}") == {"digest_wait": 2}, kind


def test_nobody_is_told_of_their_own_action_and_users_without_a_profile_are_skipped(systems):
    social, notify = systems
    own, _ = social.create_post("bob", "talking to myself, @bob")
    social.like("bob", own.id)
    ann_post, _ = social.create_post("ann", "from ann")
    social.like("bob", ann_post.id)  # ann has no notification profile: nothing, no error
    social.follow("bob", "ann")
    assert _statuses(notify, None) == {}


def test_liking_again_after_an_unlike_does_not_notify_twice(systems):
    social, notify = systems
    post, _ = social.create_post("bob", "flip flop")
    social.like("cat", post.id)
    social.unlike("cat", post.id)
    social.like("cat", post.id)
    assert _statuses(notify, "social.like") == {"digest_wait": 2}


def test_preferences_per_kind_are_respected(systems):
    social, notify = systems
    notify.subscribe("cat", "cat", "social.follow", False)
    social.follow("bob", "cat")
    social.create_post("bob", "hey @cat")
    assert notify.stats("social.follow") == {"suppressed": 5}  # every channel
    assert _statuses(notify, "social.mention") == {"pending": 2}
