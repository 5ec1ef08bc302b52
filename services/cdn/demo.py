"""A small rendition-like file tree (playlists, a manifest, init and media segments,
subtitles, a text file) for the CDN workload, benchmarks and tests when no video exists."""

from __future__ import annotations

import os
from pathlib import Path

RUNGS = ((800_000, "640x360"), (2_400_000, "1280x720"))


def demo_files(segment_bytes: int = 300_000, segments: int = 2) -> dict[str, bytes]:
    """Relative path -> content. Segment bodies are random, so compression cannot cheat."""
    master = "#EXTM3U\n#EXT-X-VERSION:7\n" + "".join(
        f"#EXT-X-STREAM-INF:BANDWIDTH={bw},RESOLUTION={res}\n{res}/index.m3u8\n"
        for bw, res in RUNGS
    )
    mpd = (
        '<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"><Period>'
        + "".join(
            f'<AdaptationSet><Representation id="{res}" bandwidth="{bw}"/></AdaptationSet>'
            for bw, res in RUNGS
        )
        + "</Period></MPD>\n"
    )
    files: dict[str, bytes] = {
        "cdn-demo/master.m3u8": master.encode(),
        "cdn-demo/manifest.mpd": mpd.encode(),
        "cdn-demo/thumbs.vtt": b"WEBVTT\n\n"
        + b"00:00.000 --> 00:02.000\nsprite.jpg#xywh=0,0,160,90\n\n" * 8,
        "cdn-demo/readme.txt": b"served by the System Blueprints origin\n" * 20,
    }
    for _, res in RUNGS:
        media = "".join(f"#EXTINF:2.0,\nseg_{i:05d}.m4s\n" for i in range(1, segments + 1))
        files[f"cdn-demo/{res}/index.m3u8"] = (
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n"
            f'#EXT-X-MAP:URI="init.mp4"\n{media}#EXT-X-ENDLIST\n'
        ).encode()
        files[f"cdn-demo/{res}/init.mp4"] = os.urandom(2_000)
        for i in range(1, segments + 1):
            files[f"cdn-demo/{res}/seg_{i:05d}.m4s"] = os.urandom(segment_bytes)
    return files


def write_demo_tree(root: Path, **kwargs: int) -> dict[str, bytes]:
    """Write ``demo_files`` under ``root`` and return them (paths relative to ``root``)."""
    files = demo_files(**kwargs)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


#: A page the origin serves as an ESI template (``*.esi.html``): two fragments, one include
#: of a missing path that the page tolerates (``onerror="continue"``).
ESI_FILES = {
    "cdn-esi/index.esi.html": b"<!doctype html><html><body>"
    b'<esi:include src="fragments/header.html"/>'
    b"<main>Catalogue</main>"
    b'<esi:include src="/cdn-esi/fragments/missing.html" onerror="continue"/>'
    b'<esi:include src="/cdn-esi/fragments/footer.html"/>'
    b"<esi:remove><p>shown only without an ESI processor</p></esi:remove>"
    b"</body></html>\n",
    "cdn-esi/fragments/header.html": b"<header>System Blueprints</header>",
    "cdn-esi/fragments/footer.html": b"<footer>served through the CDN</footer>",
}


def write_esi_demo(root: Path) -> str:
    """Write ``ESI_FILES`` under ``root``; the page's URL path."""
    for rel, data in ESI_FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return "/cdn-esi/index.esi.html"
