"""WebRTC call signalling over the delivery socket, between two real clients of a real server:
offer, answer and ICE candidates are relayed between members only; a call rings, is
answered, declined (or busy) and hung up, every device sees the same states, and the
transitions land in the lake with the call's duration and reason."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from services.chat.client import ChatClient
from services.chat.process import ServerProcess
from tests.services.chat.helpers import create, running
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake
from warehouse.settings import get_settings

OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
ANSWER = OFFER.replace("o=- 1 2", "o=- 3 4")
CANDIDATE = {
    "candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
}


class Device:
    """A client and the call frames it received."""

    def __init__(self, server, key: str, device: str) -> None:
        self.frames: list[dict[str, Any]] = []
        self.client = ChatClient(server.ws_url, key, device, on_frame=self._keep)

    def _keep(self, f: dict[str, Any]) -> None:
        if f["type"].startswith("call") or f["type"] == "error":
            self.frames.append(f)

    def got(self, type_: str, **match: Any) -> list[dict[str, Any]]:
        return [
            f
            for f in self.frames
            if f["type"] == type_ and all(f.get(k) == v for k, v in match.items())
        ]

    async def wait(self, type_: str, **match: Any) -> dict[str, Any]:
        await self.client.wait_for(lambda: bool(self.got(type_, **match)), 15)
        return self.got(type_, **match)[0]

    async def send(self, **frame: Any) -> None:
        await self.client.frame(frame)


def test_a_call_rings_is_answered_exchanges_candidates_and_hangs_up(server):
    keys = {u: server.api_key(u) for u in ("alice", "bob", "carol")}
    conv = create(server, keys["alice"], ["bob"], direct=True)["id"]
    other = create(server, keys["carol"], ["bob"])["id"]  # carol shares none with alice

    async def scenario() -> tuple[Device, ...]:
        alice = Device(server, keys["alice"], "a-laptop")
        bob1 = Device(server, keys["bob"], "b-phone")
        bob2 = Device(server, keys["bob"], "b-tablet")
        carol = Device(server, keys["carol"], "c-1")
        async with running(*(d.client for d in (alice, bob1, bob2, carol))):
            for d in (alice, bob1, bob2, carol):
                await d.client.wait_for(lambda d=d: d.client.connected, 20)
            await alice.send(type="call_offer", conv=conv, call="call-1", media="audio", sdp=OFFER)
            for d in (bob1, bob2):  # every device of the callee rings
                offer = await d.wait("call_offer", call="call-1")
                assert offer["sdp"] == OFFER and offer["from_device"] == "a-laptop"
                await d.wait("call", call="call-1", state="ringing")
            await alice.wait("call", call="call-1", state="ringing")
            await bob1.send(
                type="call_answer",
                conv=conv,
                call="call-1",
                sdp=ANSWER,
                to_user="alice",
                to_device="a-laptop",
            )
            answer = await alice.wait("call_answer", call="call-1")
            assert answer["sdp"] == ANSWER and answer["from_device"] == "b-phone"
            await bob2.wait("call", call="call-1", state="answered")  # stops ringing there
            await bob1.send(
                type="call_ice",
                conv=conv,
                call="call-1",
                candidate=CANDIDATE,
                to_user="alice",
                to_device="a-laptop",
            )
            await alice.send(
                type="call_ice",
                conv=conv,
                call="call-1",
                candidate=CANDIDATE,
                to_user="bob",
                to_device="b-phone",
            )
            assert (await alice.wait("call_ice", call="call-1"))["candidate"] == CANDIDATE
            await bob1.wait("call_ice", call="call-1")
            await asyncio.sleep(0.3)
            assert not bob2.got("call_ice")  # meant for one device only
            assert not bob2.got("call_answer")
            await alice.send(type="call_hangup", conv=conv, call="call-1")
            for d in (alice, bob1, bob2):
                await d.wait("call", call="call-1", state="ended")
            await alice.send(type="call_ice", conv=conv, call="call-1", candidate=CANDIDATE)
            assert (await alice.wait("error", ref="call_ice"))["status"] == 410

            # Declined, and busy: each ends a one-to-one call for every device.
            for call, reason in (("call-2", "declined"), ("call-3", "busy")):
                await alice.send(type="call_offer", conv=conv, call=call, media="video", sdp=OFFER)
                await bob2.wait("call_offer", call=call)
                await bob2.send(type="call_decline", conv=conv, call=call, reason=reason)
                await alice.wait("call_decline", call=call, reason=reason)
                await bob1.wait("call", call=call, state=reason)
                await alice.wait("call", call=call, state=reason)

            # Not a member: refused, and nothing reaches the conversation's devices.
            await carol.send(type="call_offer", conv=conv, call="x-1", media="audio", sdp=OFFER)
            assert (await carol.wait("error", ref="call_offer"))["status"] == 403
            await carol.send(type="call_answer", conv=other, call="nope", sdp=ANSWER)
            assert (await carol.wait("error", ref="call_answer"))["status"] == 404
            await alice.send(type="call_offer", conv=conv, call="bad", media="fax", sdp=OFFER)
            await alice.send(type="call_offer", conv=conv, call="x-2", media="audio", sdp=7)
            await alice.client.wait_for(lambda: len(alice.got("error")) >= 3, 15)
            assert {e["status"] for e in alice.got("error")} == {410, 422}
            await asyncio.sleep(0.3)
            assert not bob1.got("call_offer", call="x-1") and not bob1.got("call_offer", call="bad")
        return alice, bob1, bob2, carol

    asyncio.run(scenario())
    settings = get_settings().model_copy(update={"data_dir": server.data_dir})
    server.stop()  # its spool is sealed on shutdown
    ingest_spool(settings.spool_dir, settings.lake_dir)
    events = Lake(settings.lake_dir).query(
        "SELECT type, actor, attrs FROM chat_events WHERE type LIKE 'call_%' ORDER BY ts"
    )
    types = events["type"].to_list()
    assert types.count("call_started") == 3 and types.count("call_answered") == 1
    assert types.count("call_ended") == 3
    attrs = [json.loads(a) for a in events["attrs"].to_list()]
    ended = [a for t, a in zip(types, attrs, strict=True) if t == "call_ended"]
    assert [e["state"] for e in ended] == ["ended", "declined", "busy"]
    assert ended[0]["answered"] and ended[0]["duration_s"] > 0


def test_an_unanswered_call_rings_out_by_itself(tmp_path):
    """Nobody answers and nobody touches the call again: when the ring timeout is up the
    server marks it missed and tells every device, the caller's too; a call answered in
    time is left alone."""
    env = {"BLUEPRINT_CHAT_RING_TIMEOUT_S": "1.5"}
    with ServerProcess(tmp_path / "srv", env=env) as server:
        keys = {u: server.api_key(u) for u in ("alice", "bob")}
        conv = create(server, keys["alice"], ["bob"], direct=True)["id"]

        async def scenario() -> None:
            alice = Device(server, keys["alice"], "a-laptop")
            bob1 = Device(server, keys["bob"], "b-phone")
            bob2 = Device(server, keys["bob"], "b-tablet")
            async with running(*(d.client for d in (alice, bob1, bob2))):
                for d in (alice, bob1, bob2):
                    await d.client.wait_for(lambda d=d: d.client.connected, 20)
                for call in ("rings-out", "answered"):
                    await alice.send(
                        type="call_offer", conv=conv, call=call, media="audio", sdp=OFFER
                    )
                    await bob1.wait("call", call=call, state="ringing")
                await bob2.send(type="call_answer", conv=conv, call="answered", sdp=ANSWER)
                await alice.wait("call", call="answered", state="answered")
                for d in (alice, bob1, bob2):
                    missed = await d.wait("call", call="rings-out", state="missed")
                    assert missed["reason"] == "timeout" and missed["by"] == "alice"
                await asyncio.sleep(1.0)
                for d in (alice, bob1, bob2):
                    assert not d.got("call", call="answered", state="missed")
                    assert len(d.got("call", call="rings-out", state="missed")) == 1
                # Over: signalling for it is refused.
                await bob1.send(type="call_answer", conv=conv, call="rings-out", sdp=ANSWER)
                assert (await bob1.wait("error", ref="call_answer"))["status"] == 410

        asyncio.run(scenario())
        settings = get_settings().model_copy(update={"data_dir": server.data_dir})
    ingest_spool(settings.spool_dir, settings.lake_dir)
    events = Lake(settings.lake_dir).query(
        "SELECT attrs FROM chat_events WHERE type = 'call_ended' ORDER BY ts"
    )
    ended = [json.loads(a) for a in events["attrs"].to_list()]
    assert [(e["call"], e["state"], e["reason"]) for e in ended] == [
        ("rings-out", "missed", "timeout")
    ]
    assert ended[0]["ring_s"] >= 1.5
