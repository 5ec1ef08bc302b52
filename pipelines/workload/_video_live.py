"""Video traffic, live and protected: a short broadcast pushed over RTMP as OBS would (a
generated test card), watched live through its playlist, that ends as a VOD; then that VOD
protected (AES-128 HLS and ClearKey CENC DASH), a viewer's playback token fetching its key and
license, and a token-less request refused. Bounded: a few seconds of broadcast and two small
encodes."""

from __future__ import annotations

import re
import time
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from media.live import push_test_source
from pipelines.workload import WorkloadContext

BROADCAST_S = 5.0


def live_stream(ctx: WorkloadContext, key: str) -> dict[str, Any]:
    """Broadcast for :data:`BROADCAST_S`, polling the live playlist meanwhile."""
    h = {"X-API-Key": key}
    resp = ctx.client.post("/videos/live", headers=h, json={"title": "Live test card"})
    if resp.status_code != 201:
        return {"error": f"create answered {resp.status_code}"}
    stream = resp.json()
    started = time.monotonic()
    pusher = push_test_source(stream["rtmp_url"], BROADCAST_S)
    seen_live = 0
    try:
        while pusher.poll() is None and time.monotonic() - started < BROADCAST_S + 20:
            pl = ctx.client.get(f"/videos/live/{stream['id']}/360p.m3u8")
            if pl.status_code == 200 and "#EXT-X-ENDLIST" not in pl.text:
                seen_live = max(seen_live, pl.text.count(".ts"))
            time.sleep(0.25)
    finally:
        pusher.kill()
    svc = ctx.client.app.state.services["video"]
    done = svc.live.wait(stream["id"], 30)
    facts: dict[str, Any] = {"id": stream["id"], "state": done.state, "seen_live": seen_live}
    if done.state == "ended":
        video = ctx.client.get(f"/videos/{stream['id']}").json()
        vod = ctx.client.get(f"/videos/{stream['id']}/360p.m3u8").text
        facts |= {
            "duration_s": video["duration_s"],
            "segments": vod.count(".ts"),
            "endlist": "#EXT-X-ENDLIST" in vod,
        }
    else:
        facts["reason"] = done.reason
    return facts


def protected_vod(ctx: WorkloadContext, owner: str, viewer: str, video_id: str) -> dict[str, Any]:
    """Protect ``video_id``; fetch its key with a viewer's token and without one."""
    resp = ctx.client.post(f"/videos/{video_id}/drm", headers={"X-API-Key": owner})
    if resp.status_code != 201:
        return {"error": f"protect answered {resp.status_code}"}
    body = resp.json()
    media = ctx.client.get(body["hls"].replace("master.m3u8", "360p.m3u8")).text
    m = re.search(r"IV=0x([0-9a-fA-F]{32})", media)
    first = next((ln for ln in media.splitlines() if ln.endswith(".ts")), None)
    token = ctx.client.post(f"/videos/{video_id}/drm/token", headers={"X-API-Key": viewer}).json()[
        "token"
    ]
    with_token = ctx.client.get(body["key_uri"], headers={"X-Playback-Token": token})
    without = ctx.client.get(body["key_uri"])
    license_ = ctx.client.post(body["license_uri"], headers={"X-Playback-Token": token})
    mpd = ctx.client.get(body["dash"]).text
    decrypts = False
    if m and first and with_token.status_code == 200:
        seg = ctx.client.get(body["hls"].replace("master.m3u8", first)).content
        dec = Cipher(algorithms.AES(with_token.content), modes.CBC(bytes.fromhex(m.group(1))))
        clear = dec.decryptor().update(seg[:400])
        decrypts = seg[:1] != b"G" and clear[0] == 0x47 and clear[188] == 0x47
    return {
        "id": video_id,
        "key_with_token": with_token.status_code,
        "key_without_token": without.status_code,
        "decrypts": decrypts,
        "license": license_.status_code,
        "clearkey_mpd": "urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e" in mpd,
    }


def run(ctx: WorkloadContext, owner: str, viewer: str) -> None:
    live = live_stream(ctx, owner)
    ctx.facts["video_live"] = live
    if live.get("state") == "ended":
        ctx.facts["video_drm"] = protected_vod(ctx, owner, viewer, live["id"])
    ctx.log(f"video: live stream {live.get('state', live.get('error'))}")


def summary(ctx: WorkloadContext) -> list[str]:
    live = ctx.facts.get("video_live", {})
    if "error" in live or live.get("state") != "ended":
        line = f"live: {live.get('error') or live.get('state')} ({live.get('reason')})"
    else:
        line = (
            f"live: {BROADCAST_S:.0f} s pushed over RTMP, {live['seen_live']} segments seen "
            f"while live, ended as VOD {live['id']} ({live['duration_s']:.1f} s, "
            f"{live['segments']} segments, ENDLIST {live['endlist']})"
        )
    drm = ctx.facts.get("video_drm")
    if drm is None:
        return [line, "protected VOD: not made (no live VOD to protect)"]
    if "error" in drm:
        return [line, f"protected VOD: {drm['error']}"]
    return [
        line,
        f"protected VOD {drm['id']}: AES-128 HLS; key with a playback token "
        f"{drm['key_with_token']}, without {drm['key_without_token']}; "
        f"segment decrypts to MPEG-TS with the key: {drm['decrypts']}; DASH CENC with "
        f"ClearKey signalled {drm['clearkey_mpd']}, license with the token {drm['license']}",
    ]
