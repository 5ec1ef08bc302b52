"""Scale-out dispatch of deliveries over a NATS JetStream work-queue stream.

The deliveries table stays the source of truth (state, attempts, leases); JetStream carries
"delivery X is due" messages so many workers on many hosts wake up on work instead of
polling the store. A worker that fetches a message claims the row with the same conditional
lease as the local queue, then acks (finished), naks with a delay (retry, quiet hours,
scheduled) or acks a stale message (already done). Publishing happens after the store
commit; a publish that fails is recovered by ``sweep``, which republishes due rows
(``Nats-Msg-Id`` de-duplicates repeats inside the stream's window). A worker killed mid-send
never acks, so JetStream redelivers after ``ack_wait`` (the lease) with the same delivery id,
which is also the provider idempotency key.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

from warehouse.nats_transport import _LoopThread  # the platform's sync bridge to nats-py

DEFAULT_STREAM = "NOTIFY"
DEFAULT_SUBJECT = "notify.deliveries"


@dataclass
class Dispatched:
    delivery_id: str
    msg: Any  # nats.aio.msg.Msg


class JetStreamDispatch:
    """Publish and fetch due delivery ids; synchronous facade over nats-py."""

    def __init__(
        self,
        url: str,
        *,
        stream: str = DEFAULT_STREAM,
        subject: str = DEFAULT_SUBJECT,
        durable: str = "notify-workers",
        ack_wait_s: float = 30.0,
    ) -> None:
        self.stream, self.subject, self.durable = stream, subject, durable
        self._closed = False
        self._loop = _LoopThread()
        try:
            self._nc, self._js, self._sub = self._loop.run(self._connect(url, ack_wait_s), 15)
        except Exception:
            self._loop.stop()
            raise

    async def _connect(self, url: str, ack_wait_s: float):
        import nats
        from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StreamConfig
        from nats.js.errors import BadRequestError

        nc = await nats.connect(servers=[url], connect_timeout=2, max_reconnect_attempts=3)
        js = nc.jetstream()
        config = StreamConfig(
            name=self.stream,
            subjects=[self.subject],
            retention=RetentionPolicy.WORK_QUEUE,
            duplicate_window=120.0,
        )
        with contextlib.suppress(BadRequestError):  # exists already
            await js.add_stream(config)
        sub = await js.pull_subscribe(
            self.subject,
            durable=self.durable,
            stream=self.stream,
            config=ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT, ack_wait=ack_wait_s, max_deliver=-1
            ),
        )
        return nc, js, sub

    def publish(self, delivery_ids: list[str], generation: str = "0") -> None:
        """Announce deliveries as due; ``generation`` distinguishes deliberate re-publishes."""

        async def _one(d: str) -> None:
            for attempt in range(3):  # same Nats-Msg-Id: the server drops a repeat
                try:
                    await self._js.publish(
                        self.subject,
                        d.encode(),
                        stream=self.stream,
                        timeout=5,
                        headers={"Nats-Msg-Id": f"{d}:{generation}"},
                    )
                    return
                except TimeoutError:
                    if attempt == 2:
                        raise

        async def _all() -> None:
            await asyncio.gather(*(_one(d) for d in delivery_ids))

        if delivery_ids:
            self._loop.run(_all(), 60)

    def fetch(self, batch: int, timeout_s: float = 0.5) -> list[Dispatched]:
        async def _fetch() -> list[Any]:
            try:
                return await self._sub.fetch(batch, timeout=timeout_s)
            except TimeoutError:  # nats' and asyncio's timeouts: nothing due right now
                return []

        return [Dispatched(m.data.decode(), m) for m in self._loop.run(_fetch(), timeout_s + 10)]

    def ack(self, d: Dispatched) -> None:
        self._loop.run(d.msg.ack(), 10)

    def nak(self, d: Dispatched, delay_s: float) -> None:
        self._loop.run(d.msg.nak(delay=max(0.0, delay_s)), 10)

    def delete_stream(self) -> None:
        self._loop.run(self._js.delete_stream(self.stream), 10)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            # Every publish was acknowledged already; unacked fetched work is redelivered.
            self._loop.run(self._nc.close(), 10)
        finally:
            self._loop.stop()


def make_dispatch(nats_url: str | None, lease_s: float, **kwargs: Any) -> JetStreamDispatch | None:
    """JetStream dispatch when the platform is scaled out (``BLUEPRINT_NATS_URL``), else None."""
    if not nats_url:
        return None
    return JetStreamDispatch(nats_url, ack_wait_s=lease_s, **kwargs)
