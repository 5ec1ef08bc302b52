"""HLS with AES-128 encryption: a small ladder whose every segment is AES-128-CBC encrypted.

ffmpeg's HLS muxer encrypts each MPEG-TS segment with the key named by ``-hls_key_info_file``
(key URI, key file, IV) and writes ``#EXT-X-KEY:METHOD=AES-128,URI=...`` into the playlists.
The key file lives outside the published folder: a player fetches the key from the URI (the
key server, which checks a playback token), so the segments on the CDN are useless without it.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from media.ffmpeg import run
from media.live import DEFAULT_RUNGS, LiveRung
from media.probe import ProbeInfo, input_args

AES_KEY_BYTES = 16
SEGMENT_SECONDS = 2.0


def new_key() -> bytes:
    return secrets.token_bytes(AES_KEY_BYTES)


def write_key(path: Path, key: bytes) -> Path:
    """Write a content key readable by its owner only (0600), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    tmp.replace(path)
    return path


def write_key_info(path: Path, key_uri: str, key_file: Path, iv: bytes) -> Path:
    """The ``-hls_key_info_file``: the URI players fetch, the key file ffmpeg reads, the IV."""
    path.write_text(f"{key_uri}\n{key_file.resolve()}\n{iv.hex()}\n", encoding="utf-8")
    return path


def package_aes_hls(
    source: Path,
    info: ProbeInfo,
    out_dir: Path,
    *,
    key_file: Path,
    key_uri: str,
    rungs: tuple[LiveRung, ...] = DEFAULT_RUNGS,
    timeout: float = 600,
) -> list[str]:
    """Encode ``source`` (an admitted video) into an encrypted HLS ladder in ``out_dir``
    (``master.m3u8``, ``<rung>.m3u8``, ``<rung>_<n>.ts``); returns the media playlists.

    The work happens in a sibling build folder moved into place at the end, so a reader
    never sees a half-written ladder. Without audio, the renditions carry video only.
    """
    build = out_dir.with_name(out_dir.name + ".build")
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    info_file = write_key_info(build / "key.info", key_uri, key_file, secrets.token_bytes(16))
    n = len(rungs)
    graph = f"[0:v]split={n}" + "".join(f"[s{i}]" for i in range(n))
    graph += "".join(f";[s{i}]scale=-2:{r.height}[v{i}]" for i, r in enumerate(rungs))
    audio = info.audio_codec is not None
    args = [*input_args(info, f"file:{source.resolve()}"), "-filter_complex", graph]
    stream_map = []
    for i, r in enumerate(rungs):
        args += ["-map", f"[v{i}]", f"-b:v:{i}", f"{r.video_kbps}k"]
        entry = f"v:{i}"
        if audio:
            args += ["-map", "0:a:0", f"-b:a:{i}", f"{r.audio_kbps}k"]
            entry += f",a:{i}"
        stream_map.append(f"{entry},name:{r.name}")
    args += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-sc_threshold", "0"]
    args += ["-force_key_frames", f"expr:gte(t,n_forced*{SEGMENT_SECONDS})"]
    if audio:
        args += ["-c:a", "aac", "-ac", "2", "-ar", "48000"]
    args += [
        "-f",
        "hls",
        "-hls_time",
        str(SEGMENT_SECONDS),
        "-hls_list_size",
        "0",
        "-hls_playlist_type",
        "vod",
        "-hls_flags",
        "independent_segments",
        "-hls_key_info_file",
        str(info_file),
        "-master_pl_name",
        "master.m3u8",
        "-var_stream_map",
        " ".join(stream_map),
        "-hls_segment_filename",
        str(build / "%v_%05d.ts"),
        str(build / "%v.m3u8"),
    ]
    run(args, timeout=timeout)
    info_file.unlink()
    shutil.rmtree(out_dir, ignore_errors=True)
    build.replace(out_dir)
    return sorted(p.name for p in out_dir.glob("*.m3u8") if p.name != "master.m3u8")


#: DASH descriptors of CENC and of the W3C ClearKey key system (its registered UUID).
MP4PROTECTION = "urn:mpeg:dash:mp4protection:2011"
CLEARKEY_UUID = "urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e"
CENC_NS = "urn:mpeg:cenc:2013"


def kid_uuid(kid: bytes) -> str:
    """A key id as the ``cenc:default_KID`` UUID form."""
    h = kid.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def signal_clearkey(mpd: Path, kid: bytes) -> None:
    """Declare CENC with ``default_KID`` and the ClearKey system in every AdaptationSet, so a
    player asks its license server for the key before playing (ffmpeg writes no such
    descriptors, and no ``pssh``)."""
    import xml.etree.ElementTree as ET

    ns = "urn:mpeg:dash:schema:mpd:2011"
    ET.register_namespace("", ns)
    ET.register_namespace("cenc", CENC_NS)
    ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    tree = ET.parse(mpd)
    for aset in tree.getroot().iter(f"{{{ns}}}AdaptationSet"):
        cenc = ET.Element(f"{{{ns}}}ContentProtection", schemeIdUri=MP4PROTECTION, value="cenc")
        cenc.set(f"{{{CENC_NS}}}default_KID", kid_uuid(kid))
        ck = ET.Element(f"{{{ns}}}ContentProtection", schemeIdUri=CLEARKEY_UUID)
        ck.set("value", "ClearKey1.0")
        aset.insert(0, ck)
        aset.insert(0, cenc)
    tmp = mpd.with_suffix(".tmp")
    tree.write(tmp, encoding="utf-8", xml_declaration=True)
    tmp.replace(mpd)


def package_cenc_dash(
    source: Path,
    info: ProbeInfo,
    out_dir: Path,
    *,
    key: bytes,
    kid: bytes,
    rungs: tuple[LiveRung, ...] = DEFAULT_RUNGS,
    timeout: float = 600,
) -> Path:
    """Encode ``source`` into a DASH ladder whose fMP4 samples are encrypted with CENC
    (``cenc-aes-ctr``) under ``key``/``kid``, signalled for ClearKey; returns the MPD.

    The key only passes through ffmpeg's arguments inside its private network namespace; the
    published folder holds ciphertext and the key id, never the key."""
    build = out_dir.with_name(out_dir.name + ".build")
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    n = len(rungs)
    graph = f"[0:v]split={n}" + "".join(f"[s{i}]" for i in range(n))
    graph += "".join(f";[s{i}]scale=-2:{r.height}[v{i}]" for i, r in enumerate(rungs))
    args = [*input_args(info, f"file:{source.resolve()}"), "-filter_complex", graph]
    for i, r in enumerate(rungs):
        args += ["-map", f"[v{i}]", f"-b:v:{i}", f"{r.video_kbps}k"]
    sets = "id=0,streams=v"
    if info.audio_codec is not None:
        args += ["-map", "0:a:0", "-c:a", "aac", "-b:a", "96k", "-ac", "2"]
        sets += " id=1,streams=a"
    gop = f"expr:gte(t,n_forced*{SEGMENT_SECONDS})"
    args += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]
    args += ["-sc_threshold", "0", "-force_key_frames", gop]
    crypt = f"encryption_scheme=cenc-aes-ctr:encryption_key={key.hex()}:encryption_kid={kid.hex()}"
    args += ["-f", "dash", "-seg_duration", str(SEGMENT_SECONDS), "-adaptation_sets", sets]
    args += ["-format_options", crypt, "manifest.mpd"]
    run(args, timeout=timeout, cwd=build)
    signal_clearkey(build / "manifest.mpd", kid)
    shutil.rmtree(out_dir, ignore_errors=True)
    build.replace(out_dir)
    return out_dir / "manifest.mpd"
