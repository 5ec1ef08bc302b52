from __future__ import annotations

import socket
from pathlib import Path

import pytest

from media.ffmpeg import FFmpegError, network_isolation, run
from media.probe import Limits, Rejected, parse_report, probe, sniff
from tests.media.clips import clip, hostile


def test_a_good_clip_is_admitted_with_its_facts(tmp_path: Path) -> None:
    info = probe(clip(), tmp_path / "job")
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (
        640,
        360,
        "h264",
        "aac",
    )
    assert info.fps == 25.0 and 3.9 <= info.duration_s <= 4.1
    assert info.container.startswith("mov")


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("m3u8-file", "playlists"),
        ("m3u8-http", "playlists"),
        ("ffconcat", "concat"),
        ("concat-url-text", "referencing other files or URLs"),
        ("truncated", "corrupt or truncated"),
        ("corrupt", "corrupt or truncated"),
        ("empty", "empty file"),
        ("text", "not a video"),
        ("png", "unsupported container"),
        ("audio-only", "no video stream"),
        ("hours-long", "too long"),
        ("absurd-dimensions", "dimensions 8000x64"),
    ],
)
def test_hostile_input_is_rejected_with_a_reason(kind: str, reason: str, tmp_path: Path) -> None:
    with pytest.raises(Rejected) as err:
        probe(hostile(kind), tmp_path / "job")
    assert reason in err.value.reason


def test_limits_on_frame_rate_and_size_apply(tmp_path: Path) -> None:
    with pytest.raises(Rejected, match="frame rate"):
        probe(clip(), tmp_path / "a", Limits(max_fps=24))
    with pytest.raises(Rejected, match="exceed"):
        probe(clip(), tmp_path / "b", Limits(max_width=320))


def test_sniff_refuses_playlists_even_after_a_byte_order_mark() -> None:
    with pytest.raises(Rejected):
        sniff(b"\xef\xbb\xbf#EXTM3U\nfile:///etc/passwd\n")
    assert sniff(b"\x00\x00\x00\x20ftypisom" + b"\x00" * 20) == "mov"


def test_ffmpeg_itself_refuses_other_protocols_and_playlist_demuxers(tmp_path: Path) -> None:
    """Even without the magic-byte gate, the flags we pass stop ffmpeg reaching out."""
    playlist = tmp_path / "evil.m3u8"
    playlist.write_text("#EXTM3U\n#EXTINF:1,\nhttp://127.0.0.1:9/a.ts\n#EXT-X-ENDLIST\n")
    result = run(
        [
            "-protocol_whitelist",
            "file",
            "-format_whitelist",
            "mov,mp4,m4a,3gp,3g2,mj2",
            "-i",
            f"file:{playlist}",
        ],
        timeout=30,
        check=False,
    )
    assert result.returncode != 0
    assert "Input #0" not in result.stderr


def test_ffmpeg_cannot_reach_a_listening_loopback_server() -> None:
    if network_isolation() is None:
        pytest.skip("unshare -n is not available here: ffmpeg runs with network access")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        with pytest.raises(FFmpegError):
            run(["-rw_timeout", "2000000", "-i", f"tcp://127.0.0.1:{port}"], timeout=30)
        with pytest.raises(TimeoutError):
            listener.accept()


def test_parse_report_reads_the_stream_lines() -> None:
    report = (
        "Input #0, matroska,webm, from 'file:input':\n"
        "  Duration: 00:01:02.50, start: 0.000000, bitrate: 900 kb/s\n"
        "  Stream #0:0: Video: vp9 (Profile 0), yuv420p(tv), 1920x1080, SAR 1:1 DAR 16:9, "
        "29.97 fps, 29.97 tbr, 1k tbn\n"
        "  Stream #0:1: Audio: opus, 48000 Hz, stereo, fltp\n"
    )
    info = parse_report(report, 123)
    assert (info.container, info.video_codec, info.audio_codec) == ("matroska,webm", "vp9", "opus")
    assert (info.width, info.height, info.fps, info.duration_s) == (1920, 1080, 29.97, 62.5)


def test_a_decode_over_the_time_limit_is_rejected_as_such(tmp_path: Path) -> None:
    with pytest.raises(Rejected, match="decoding took longer than"):
        probe(clip(), tmp_path / "job", Limits(decode_timeout_s=0.01))


def test_a_playlist_behind_junk_bytes_is_still_not_a_known_container() -> None:
    with pytest.raises(Rejected, match="unrecognised"):
        sniff(b"\x00\x01\x02junk#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n")
