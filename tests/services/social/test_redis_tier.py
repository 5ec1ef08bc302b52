"""Scaled out: home timelines live on the social cache tier's Redis servers, by its ring."""

from __future__ import annotations

import random

import pytest
import redis

pytestmark = pytest.mark.servers

USERS = [f"r{i}" for i in range(12)]


def test_timelines_spread_over_the_tiers_redis_servers_and_match_the_pull_timeline(
    settings, recorder, redis_urls
):
    from services.social.settings import SocialSettings
    from services.social.system import build
    from services.social.timelines import RedisTimelines

    scaled = settings.model_copy(update={"redis_url": redis_urls})
    svc = build(scaled, recorder, conf=SocialSettings(fanout_threshold=4, fanout_batch=3))
    try:
        assert isinstance(svc.timelines, RedisTimelines)
        store = svc.store
        rng = random.Random(5)
        for u in USERS:
            svc.create_user(u)
        for _ in range(120):
            kind = rng.choice(["follow", "follow", "unfollow", "post", "post", "read"])
            a, b = rng.sample(USERS, 2)
            if kind == "follow":
                svc.follow(a, b)
            elif kind == "unfollow":
                svc.unfollow(a, b)
            elif kind == "post":
                svc.create_post(a, f"post by {a}")
            else:
                svc.home_timeline(a)
        for u in USERS:
            assert store.home_timeline_ids(u, None, 50) == store.pull_home_timeline_ids(u, None, 50)
        per_server = [
            len(list(redis.Redis.from_url(url).scan_iter("social:tl:*:built")))
            for url in redis_urls.split(",")
        ]
        assert sum(per_server) == len(USERS) and all(n > 0 for n in per_server)
    finally:
        svc.close()
