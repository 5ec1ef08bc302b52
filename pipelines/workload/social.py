"""Social traffic: a heavy-tailed follow graph, posting with hashtags, likes and reposts driven by
hidden topic tastes (so the feed ranker has something to learn), replies, unfollows and
unlikes, DMs, timeline reads and searches: every social endpoint, through the HTTP API.

Engagement follows ``models.simulate.engage_logit``: a reader's two hidden favourite topics,
a post's hidden appeal and how many rounds old the post is. None of these reach the lake (the
post's hashtag does, not who favours it), so the feed ranker can only learn them from the
likes it observes; nothing the ranker reads (counts, affinities, scores) feeds back into
whether a simulated reader engages."""

from __future__ import annotations

import math

from models.simulate import engage_logit
from pipelines.workload import WorkloadContext

TOPICS = [
    "python",
    "duckdb",
    "dagster",
    "rust",
    "ml",
    "music",
    "football",
    "cooking",
    "travel",
    "movies",
    "climate",
    "space",
]
BREAKING = "eclipse"
ROUNDS = 5  # of posting then reading: the feed ranker's evaluation splits them by time
FEED_SHARE = 0.75  # readers who read the ranked feed (it records impressions) vs the timeline


class SocialWorkload:
    name = "social"
    order = 40

    def run(self, ctx: WorkloadContext) -> None:
        rng = ctx.rng
        n_users = max(30, int(150 * ctx.scale))
        handles = [f"user{i:04d}" for i in range(n_users)]
        keys: dict[str, dict[str, str]] = {}
        for h in handles:
            keys[h] = {"X-API-Key": ctx.api_key(h)}
            ctx.client.post(
                "/social/users",
                json={"display_name": h.title(), "bio": f"likes {rng.choice(TOPICS)}"},
                headers=keys[h],
            )
        # Hidden tastes: each user cares about two topics.
        taste = {h: set(rng.sample(TOPICS, 2)) for h in handles}
        # Preferential attachment: popularity ~ 1/rank, so follower counts are heavy-tailed.
        weights = [1.0 / (i + 1) ** 1.1 for i in range(n_users)]
        follows = 0
        for h in handles:
            k = min(n_users - 1, 3 + int(rng.expovariate(1 / 8)))
            for target in set(rng.choices(handles, weights=weights, k=k)) - {h}:
                ctx.client.put(f"/social/users/{target}/follow", headers=keys[h])
                follows += 1
        posts: list[tuple[int, str, str]] = []  # (id, author, topic)
        hidden: dict[int, tuple[int, float, str]] = {}  # post id -> (round, appeal, topic)
        for round_no in range(ROUNDS):
            for h in rng.sample(handles, k=n_users // 2):
                topic = rng.choice(sorted(taste[h])) if rng.random() < 0.7 else rng.choice(TOPICS)
                tags = f"#{topic}" + (
                    f" #{BREAKING}" if round_no == ROUNDS - 1 and rng.random() < 0.5 else ""
                )
                text = f"thoughts on {topic} number {rng.randint(1, 999)} {tags}"
                r = ctx.client.post("/social/posts", json={"text": text}, headers=keys[h])
                if r.status_code == 201:
                    posts.append((r.json()["id"], h, topic))
                    hidden[r.json()["id"]] = (round_no, rng.gauss(0.0, 0.7), topic)
            # Readers read their home timeline or their feed (which records impressions) and
            # engage with what matches their taste.
            likes = reposts = 0
            for h in rng.sample(handles, k=n_users // 2):
                path = "/feed" if rng.random() < FEED_SHARE else "/social/timeline"
                items = ctx.client.get(path, params={"limit": 30}, headers=keys[h]).json()["items"]
                for item in items:
                    if item["author"] == h:
                        continue
                    pid = item["repost_of"] or item["id"]
                    if pid not in hidden:
                        continue
                    posted, appeal, topic = hidden[pid]
                    logit = engage_logit(topic in taste[h], appeal, round_no - posted)
                    if rng.random() < 1 / (1 + math.exp(-logit)):
                        if (
                            ctx.client.put(f"/social/posts/{pid}/like", headers=keys[h]).status_code
                            == 200
                        ):
                            likes += 1
                        if rng.random() < 0.15:
                            ctx.client.post(f"/social/posts/{pid}/repost", headers=keys[h])
                            reposts += 1
        replies = 0
        for post_id, author, topic in rng.sample(posts, k=min(len(posts), max(5, n_users // 5))):
            fans = [h for h in handles if topic in taste[h] and h != author]
            if fans:
                r = ctx.client.post(
                    "/social/posts",
                    json={"text": f"agreed, more #{topic} please", "reply_to": post_id},
                    headers=keys[rng.choice(fans)],
                )
                replies += r.status_code == 201
        unfollows = unlikes = 0
        for h in rng.sample(handles, k=max(3, n_users // 20)):
            following = ctx.client.get(f"/social/users/{h}/following").json()["items"]
            if following:
                target = rng.choice(following)["handle"]
                unfollows += ctx.client.delete(
                    f"/social/users/{target}/follow", headers=keys[h]
                ).json()["changed"]
            items = ctx.client.get("/social/timeline", headers=keys[h]).json()["items"]
            if (
                items
                and ctx.client.put(
                    f"/social/posts/{items[0]['id']}/like", headers=keys[h]
                ).status_code
                == 200
            ):
                unlikes += (
                    ctx.client.delete(
                        f"/social/posts/{items[0]['id']}/like", headers=keys[h]
                    ).status_code
                    == 200
                )
        for _ in range(max(5, n_users // 10)):
            a, b = rng.sample(handles, 2)
            ctx.client.post("/social/messages", json={"to": b, "text": "hey!"}, headers=keys[a])
            ctx.client.get(f"/social/messages/with/{a}", headers=keys[b])
        hits = {
            topic: len(
                ctx.client.get("/social/search/posts", params={"q": topic, "limit": 50}).json()[
                    "items"
                ]
            )
            for topic in rng.sample(TOPICS, 3)
        }
        media_posts, media_open = _media_posts(ctx, rng, handles, keys)
        ctx.client.get("/social/search/users", params={"q": "user"})
        followers = {h: ctx.client.get(f"/social/users/{h}").json()["followers"] for h in handles}
        top = max(handles, key=followers.__getitem__)
        ctx.facts["social"] = {
            "users": n_users,
            "follows": follows,
            "posts": len(posts),
            "replies": replies,
            "unfollows": unfollows,
            "unlikes": unlikes,
            "search_hits": hits,
            "media_posts": media_posts,
            "media_open": media_open,
            "pulled_accounts": _pulled_accounts(ctx, followers),
            "reader": handles[-1],
            "reader_key": keys[handles[-1]],
            "top_account": top,
        }
        ctx.log(
            f"  social: {n_users} users, {follows} follows, {len(posts)} posts, "
            f"{replies} replies, {unfollows} unfollows"
        )

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        facts = ctx.facts.get("social", {})
        lines = [
            f"{facts.get('users', 0)} users, {facts.get('follows', 0)} follows, "
            f"{facts.get('posts', 0)} posts, {facts.get('replies', 0)} replies"
        ]
        if facts.get("media_posts"):
            lines.append(
                f"{facts['media_posts']} posts attach a file; {facts['media_open']} of their "
                "share links open without a key"
            )
        pulled = facts.get("pulled_accounts")
        if pulled is not None:
            lines.append(f"accounts above the fan-out threshold (pulled on read): {pulled}")
        top = facts.get("top_account")
        if top:
            user = ctx.client.get(f"/social/users/{top}").json()
            lines.append(f"most-followed account @{top}: {user['followers']} followers")
        reader = facts.get("reader")
        if reader:
            lines += _feed_lines(ctx, reader, facts["reader_key"])
        coverage = _als_coverage(ctx, facts.get("users", 0))
        if coverage is not None:
            lines.append(coverage)
        trends = ctx.client.get("/trends", params={"limit": 5}).json()["items"]
        lines.append(
            "top trends: "
            + (", ".join(f"#{t['tag']} ({t['score']:.0f})" for t in trends) or "none yet")
        )
        return lines


def _media_posts(ctx: WorkloadContext, rng, handles: list[str], keys: dict) -> tuple[int, int]:
    """A few users upload a picture to their files and post it: the post carries a read-only
    share link that anyone opens without a key."""
    posted = opened = 0
    for h in rng.sample(handles, k=min(3, len(handles))):
        photo = bytes(rng.getrandbits(8) for _ in range(2048))
        if not ctx.client.put(f"/files/content/photos/{h}.jpg", content=photo, headers=keys[h]):
            continue
        body = {
            "text": f"new photo from @{h} #photos",
            "media": [{"kind": "file", "ref": f"photos/{h}.jpg"}],
        }
        made = ctx.client.post("/social/posts", json=body, headers=keys[h])
        if made.status_code != 201:
            continue
        posted += 1
        opened += ctx.client.get(made.json()["media"][0]["url"]).content == photo
    return posted, opened


def _feed_lines(ctx: WorkloadContext, reader: str, headers: dict[str, str]) -> list[str]:
    """The reader's top ten with the reasons each item sits where it does."""
    feed = ctx.client.get("/feed", params={"limit": 10}, headers=headers).json()
    model = feed["ranker_version"] or "none"
    authors = [i["author"] for i in feed["items"]]
    cands = feed["candidates"]
    lines = [
        f"@{reader}'s feed, ranked by {feed['ranked_by']} (ranker {model}: {feed['reason']}; "
        f"{feed['elapsed_ms']:.1f} ms; candidates: {cands.get('followed', 0)} followed, "
        f"{cands.get('popular', 0)} popular, {cands.get('als', 0)} ALS out-of-network, "
        f"{cands.get('unique', 0)} unique; most by one author in the top 10: "
        f"{max((authors.count(a) for a in authors), default=0)}):"
    ]
    for pos, item in enumerate(feed["items"], start=1):
        lines.append(f"  #{pos} {item['score']:.3f}  @{item['author']}: {item['text'][:60]}")
        lines.append(f"       why: {'; '.join(item['reasons']) or 'no reason given'}")
    return lines


def _als_coverage(ctx: WorkloadContext, n_users: int) -> str | None:
    """How many users the served recommender knows get ALS out-of-network candidates (``None``
    when the client is not in the app's process)."""
    from services.feed.ranking import als_candidates

    app = getattr(ctx.client, "app", None)
    if app is None or not n_users:
        return None
    feed = app.state.services["feed"]
    recs, store = feed.models().recs, feed.store
    if recs is None:
        return "ALS out-of-network candidates: no recommender promoted"
    known = [h for h in (f"user{i:04d}" for i in range(n_users)) if h in recs.users]
    served = 0
    for h in known:
        excluded = store.followee_ids(h) | {store.user_id(h)}
        served += bool(als_candidates(h, store, recs, feed.policy.als_candidates, excluded))
    return (
        f"ALS out-of-network candidates for {served} of the {len(known)} users the recommender "
        f"has history for ({n_users - len(known)} without history get none)"
    )


def _pulled_accounts(ctx: WorkloadContext, followers: dict[str, int]) -> int | None:
    """How many accounts the hybrid fan-out pulls on read, by the service's own threshold
    (``None`` when the client is not in the app's process)."""
    app = getattr(ctx.client, "app", None)
    if app is None:
        return None
    threshold = app.state.services["social"].conf.fanout_threshold
    return sum(n >= threshold for n in followers.values())


WORKLOAD = SocialWorkload()
