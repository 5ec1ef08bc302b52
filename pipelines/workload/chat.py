"""Messaging workload: 50 users with 2 devices each on real WebSockets, through a proxy that
cuts connections, with one user offline for a while (push wake-ups meanwhile), at about 50
messages/s.

The app of ``make run`` is served by a uvicorn server on loopback in a thread (lifespan off:
the test client already started it), so devices are real ``websockets`` clients. Every
device must end with every row of its conversations exactly once and in order; the summary
prints the clients' send-to-deliver p99 and the verdict of the lake's gap audit.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from typing import Any

from pipelines.workload import WorkloadContext


class _Server:
    """The running app, served on a free loopback port from a thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        from services.chat.process import free_port

        self.port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            lifespan="off",
            log_level="warning",
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="chat-workload", daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the workload's chat server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _send_attachment(ctx: WorkloadContext, keys: dict[str, str], convs) -> str:
    """A member uploads a file, sends it over HTTP, and another member opens the link their
    history shows."""
    conv, members = next(iter(convs.items()))
    sender, reader = members[0], members[1]
    data = b"minutes of the meeting\n" * 40
    ctx.client.put(
        "/files/content/chat/minutes.txt", content=data, headers={"X-API-Key": keys[sender]}
    ).raise_for_status()
    body = {
        "client_id": "minutes-1",
        "body": {"text": "minutes", "attachments": ["chat/minutes.txt"]},
    }
    sent = ctx.client.post(
        f"/chat/conversations/{conv}/messages", json=body, headers={"X-API-Key": keys[sender]}
    )
    sent.raise_for_status()
    history = ctx.client.get(
        f"/chat/conversations/{conv}/messages",
        params={"after": sent.json()["seq"] - 1},
        headers={"X-API-Key": keys[reader]},
    ).json()
    (item,) = history["messages"][0]["body"]["attachments"]
    opened = ctx.client.get(item["url"]).content == data
    return f"{item['name']} ({item['size']} B) sent, opened by another member: {opened}"


class ChatWorkload:
    name = "chat"
    order = 70

    def run(self, ctx: WorkloadContext) -> None:
        rng = ctx.rng
        n_users = max(6, int(50 * ctx.scale))
        n_msgs = max(200, int(1000 * ctx.scale))
        users = [f"cu{i:03d}" for i in range(n_users)]
        keys = {u: ctx.api_key(u) for u in users}
        service_key = ctx.api_key("chat-workload", ["service"])
        away = users[0]  # offline for a while: push wakes them up
        for user in users[:5]:
            ctx.client.put(
                f"/notifications/users/{user}",
                json={"push_token": f"push-{user}-token"},
                headers={"X-API-Key": service_key},
            ).raise_for_status()
        convs: dict[str, list[str]] = {}
        for g in range(max(3, n_users // 5)):
            members = rng.sample(users, min(len(users), rng.randint(3, 8)))
            if g == 0 and away not in members:
                members[0] = away
            body = {"members": members[1:], "title": f"group {g}"}
            resp = ctx.client.post(
                "/chat/conversations", json=body, headers={"X-API-Key": keys[members[0]]}
            )
            resp.raise_for_status()
            convs[resp.json()["id"]] = sorted(set(members))
        for _ in range(n_users // 2):
            a, b = rng.sample(users, 2)
            resp = ctx.client.post(
                "/chat/conversations",
                json={"members": [b], "direct": True},
                headers={"X-API-Key": keys[a]},
            )
            resp.raise_for_status()
            convs[resp.json()["id"]] = sorted({a, b})
        chat = ctx.client.app.state.services["chat"]
        pushed_before = chat.pusher.sent if chat.pusher else 0
        with _Server(ctx.client.app) as server:
            facts = asyncio.run(self._traffic(server.port, keys, convs, away, n_msgs, rng))
        facts["push_wakeups"] = (chat.pusher.sent if chat.pusher else 0) - pushed_before
        facts["attachments"] = _send_attachment(ctx, keys, convs)
        facts["users"] = n_users
        facts["conversations"] = len(convs)
        ctx.facts[self.name] = facts
        ctx.log(
            f"    chat: {facts['sent']} messages, {facts['deliveries']} deliveries to "
            f"{facts['devices']} devices, {facts['cuts']} connections cut, "
            f"p99 {facts['p99_ms']:.0f} ms, client-side lost={facts['lost']} "
            f"dupes={facts['dupes']} reorders={facts['reorders']}"
        )

    async def _traffic(
        self,
        port: int,
        keys: dict[str, str],
        convs: dict[str, list[str]],
        away: str,
        n_msgs: int,
        rng: random.Random,
    ) -> dict[str, Any]:
        from services.chat.chaos import DroppingProxy
        from services.chat.client import ChatClient

        proxy = await DroppingProxy(port, mean_life_s=8.0, jitter_s=0.002, seed=5).start()
        url = f"ws://127.0.0.1:{proxy.port}/chat/ws"
        devices = {(u, d): ChatClient(url, keys[u], d) for u in keys for d in ("phone", "laptop")}
        stop = asyncio.Event()
        online = [c for (u, _d), c in devices.items() if u != away]
        tasks = [asyncio.create_task(c.run_forever(stop)) for c in online]
        sent_at: dict[str, float] = {}
        started = time.monotonic()
        await asyncio.gather(*(c.wait_for(lambda c=c: c.connected, 30) for c in online))
        conv_ids = list(convs)
        for i in range(n_msgs):
            conv = rng.choice(conv_ids)
            sender = rng.choice([m for m in convs[conv] if m != away] or convs[conv])
            client = devices[(sender, rng.choice(("phone", "laptop")))]
            if sender == away:
                continue
            client_id = f"w{i}"
            sent_at[client_id] = time.time()
            await client.send(conv, {"text": f"message {i}"}, client_id=client_id)
            if i % 5 == 0:  # paced near 50 messages/s: a latency, not a backlog
                await asyncio.sleep(0.1)
            if i == n_msgs // 2:  # the away user comes back and resyncs
                back = [devices[(away, "phone")], devices[(away, "laptop")]]
                tasks += [asyncio.create_task(c.run_forever(stop)) for c in back]
        for c in devices.values():
            await c.wait_for(lambda c=c: not c.pending, 60)
        chat_last: dict[str, int] = {}
        for c in devices.values():
            for r in c.log.applied:
                chat_last[r.conv] = max(chat_last.get(r.conv, 0), r.seq)
        for (u, _d), c in devices.items():
            mine = [cv for cv, members in convs.items() if u in members]
            await c.wait_for(
                lambda c=c, mine=mine: all(
                    c.cursors.get(v, 0) >= chat_last.get(v, 0) for v in mine
                ),
                60,
            )
        await asyncio.sleep(0.3)  # let the last acknowledgements reach the server
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await proxy.close()
        latencies = [
            (r.at - sent_at[r.client_id]) * 1000
            for (u, _d), c in devices.items()
            if u != away
            for r in c.log.applied
            if r.kind == "message" and r.client_id in sent_at and r.sender != u
        ]
        expected = {
            (u, d): {v for v, members in convs.items() if u in members} for (u, d) in devices
        }
        # Rows up to each conversation's last seq when the devices were checked that a device
        # never got; a device that has gone further since (a later row) must not offset another
        # that is behind.
        lost = 0
        for key, c in devices.items():
            for conv in expected[key]:
                seqs = c.seqs(conv)
                lost += max(0, chat_last.get(conv, 0) - (seqs[-1] if seqs else 0))
        return {
            "sent": len(sent_at),
            "deliveries": sum(len(c.log.applied) for c in devices.values()),
            "devices": len(devices),
            "cuts": proxy.cuts,
            "p50_ms": _p(latencies, 0.5),
            "p99_ms": _p(latencies, 0.99),
            "lost": lost,
            "dupes": sum(c.log.duplicates for c in devices.values()),
            "reorders": sum(c.log.reorders for c in devices.values()),
            "seconds": time.monotonic() - started,
        }

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        facts = ctx.facts.get(self.name)
        if not facts:
            return ["chat: no facts (workload did not run)"]
        from assets.chat import AUDIT_TABLE
        from warehouse.lake import Lake

        lake = Lake(ctx.settings.lake_dir)
        verdict = "not run"
        if AUDIT_TABLE in lake.tables():
            row = lake.query(
                f"SELECT count(*) AS logs, coalesce(sum(delivered), 0) AS delivered, "
                f"coalesce(sum(duplicates), 0) AS dupes, coalesce(sum(reorders), 0) AS reorders, "
                f"coalesce(sum(holes), 0) AS holes FROM {AUDIT_TABLE}"
            ).row(0, named=True)
            clean = row["dupes"] == row["reorders"] == row["holes"] == 0
            verdict = (
                f"{'PASS' if clean else 'FAIL'} ({row['logs']} device logs, {row['delivered']} "
                f"deliveries; holes={row['holes']} duplicates={row['dupes']} "
                f"reorders={row['reorders']})"
            )
        return [
            f"chat: {facts['users']} users x 2 devices, {facts['conversations']} conversations, "
            f"{facts['sent']} messages, {facts['deliveries']} rows delivered, "
            f"{facts['cuts']} connections cut by the proxy, {facts['push_wakeups']} push wake-ups",
            f"  send-to-deliver p50 {facts['p50_ms']:.0f} ms, p99 {facts['p99_ms']:.0f} ms; "
            f"on the devices: lost={facts['lost']} duplicates={facts['dupes']} "
            f"reorders={facts['reorders']}",
            f"  delivery-gap audit over the lake: {verdict}",
            f"  attachments through the file service: {facts.get('attachments', 'none')}",
        ]


WORKLOAD = ChatWorkload()
