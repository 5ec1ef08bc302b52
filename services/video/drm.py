"""DRM for the video system: AES-128 HLS and ClearKey CENC DASH packaging, and a key server
gated by playback tokens.

The owner protects a video: its content key is made and kept outside the blob store (mode
0600, never served by the CDN), the ladder is re-encoded with every segment encrypted
(:func:`media.drm.package_aes_hls`) under ``<rendition folder>/aes/``, packaged as DASH with
CENC-encrypted samples under ``cenc/`` (:func:`media.drm.package_cenc_dash`), and the clear
ladder is withdrawn from the origin. A viewer asks for a playback token (signed with
HMAC-SHA256, bound to the video and the viewer, expiring); the key server hands the 16-byte
key only against a valid token, raw for HLS or as a ClearKey license (JWK set) for DASH. A
token that is expired, forged, or for another video gets 403, and a video that is not
protected (or unknown) 404.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from media.drm import new_key, package_aes_hls, package_cenc_dash, write_key
from media.ffmpeg import FFmpegError
from media.ladder import LADDER_FILES
from media.probe import ProbeInfo
from services.errors import Conflict, Forbidden, NotFound
from services.video.ingest import rendition_dir, video_root
from services.video.store import Video
from warehouse.secrets import secret
from warehouse.settings import Settings

PROTECTED_DIR = "aes"
CENC_DIR = "cenc"
#: Files of the clear ladders (VOD and live) withdrawn when a video is protected.
CLEAR_FILES = (*LADDER_FILES, "*.ts", "*p.m3u8")


@dataclass(frozen=True)
class Protected:
    video_id: str
    hls: str
    key_uri: str
    dash: str
    license_uri: str


@dataclass(frozen=True)
class Token:
    token: str
    expires: float


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PlaybackTokens:
    """Signed, expiring playback tokens bound to one video and one viewer."""

    def __init__(self, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self.key = key
        self.clock = clock

    def issue(self, video_id: str, user_id: str, ttl_s: float) -> Token:
        expires = self.clock() + ttl_s
        body = _b64(json.dumps({"v": video_id, "u": user_id, "exp": expires}).encode())
        sig = _b64(hmac.new(self.key, body.encode(), hashlib.sha256).digest())
        return Token(f"{body}.{sig}", expires)

    def verify(self, token: str, video_id: str) -> str:
        """The viewer the token was issued to, or :class:`Forbidden` with the reason."""
        body, _, sig = token.partition(".")
        want = _b64(hmac.new(self.key, body.encode(), hashlib.sha256).digest())
        if not sig or not hmac.compare_digest(sig, want):
            raise Forbidden("the playback token is not valid")
        try:
            claims = json.loads(_unb64(body))
        except ValueError as exc:  # signed by us, so never in practice
            raise Forbidden("the playback token is not valid") from exc
        if claims.get("v") != video_id:
            raise Forbidden("the playback token is for another video")
        if float(claims.get("exp", 0)) <= self.clock():
            raise Forbidden("the playback token has expired")
        return str(claims["u"])


class DrmDesk:
    """Protects videos and serves their keys."""

    def __init__(
        self,
        settings: Settings,
        *,
        token_ttl_s: float = 600.0,
        timeout_s: float = 900.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.token_ttl_s = token_ttl_s
        self.timeout_s = timeout_s
        self.tokens = PlaybackTokens(
            secret(settings.data_dir, "video_playback_token").encode(), clock
        )

    def key_path(self, video_id: str) -> Path:
        """The content key: private, beside the sources, never under the blob store."""
        return video_root(self.settings) / "keys" / f"{video_id}.key"

    def kid_path(self, video_id: str) -> Path:
        return self.key_path(video_id).with_suffix(".kid")

    def protected(self, video_id: str) -> bool:
        return self.key_path(video_id).exists()

    def protect(self, video: Video) -> Protected:
        """Encrypt the video's ladder with a new key and withdraw the clear one (409 when it
        is protected already; the source must have passed admission)."""
        if self.protected(video.id):
            raise Conflict(f"video {video.id} is protected already")
        try:
            info = ProbeInfo(**video.probe)
        except TypeError as exc:  # catalogued without a full probe: nothing to package
            raise Conflict(
                f"video {video.id} has not passed admission; nothing to protect"
            ) from exc
        if not Path(video.source).is_file():
            raise Conflict(f"video {video.id} has no source left to package")
        out = rendition_dir(self.settings, video.id)
        key_uri = f"/videos/{video.id}/drm/key"
        staged = self.key_path(video.id).with_suffix(".new")
        key, kid = new_key(), new_key()
        write_key(staged, key)
        try:
            package_aes_hls(
                Path(video.source),
                info,
                out / PROTECTED_DIR,
                key_file=staged,
                key_uri=key_uri,
                timeout=self.timeout_s,
            )
            package_cenc_dash(
                Path(video.source), info, out / CENC_DIR, key=key, kid=kid, timeout=self.timeout_s
            )
        except FFmpegError as exc:
            staged.unlink(missing_ok=True)
            for name in (PROTECTED_DIR, CENC_DIR):
                shutil.rmtree(out / name, ignore_errors=True)
                shutil.rmtree(out / f"{name}.build", ignore_errors=True)
            raise Conflict(f"the video could not be encrypted: {exc}") from exc
        write_key(self.kid_path(video.id), kid)
        staged.replace(self.key_path(video.id))
        for pattern in CLEAR_FILES:
            for clear in out.glob(pattern):
                clear.unlink()
        base = f"/videos/{video.id}"
        return Protected(
            video.id,
            f"{base}/files/{PROTECTED_DIR}/master.m3u8",
            key_uri,
            f"{base}/files/{CENC_DIR}/manifest.mpd",
            f"{base}/drm/clearkey",
        )

    def token(self, video_id: str, user_id: str) -> Token:
        """A playback token for a viewer of a protected video (404 when not protected)."""
        if not self.protected(video_id):
            raise NotFound(f"video {video_id} is not protected")
        return self.tokens.issue(video_id, user_id, self.token_ttl_s)

    def key(self, video_id: str, token: str | None) -> bytes:
        """The content key, against a valid token for this video (403 otherwise)."""
        if not self.protected(video_id):
            raise NotFound(f"video {video_id} is not protected")
        if not token:
            raise Forbidden("a playback token is required (X-Playback-Token or ?token=)")
        self.tokens.verify(token, video_id)
        return self.key_path(video_id).read_bytes()

    def clearkey_license(self, video_id: str, token: str | None) -> dict[str, object]:
        """A W3C ClearKey license (a JWK set with the video's key id and key) against a
        valid token: what a DASH player's EME session needs to decrypt the CENC ladder."""
        key = self.key(video_id, token)
        kid = self.kid_path(video_id).read_bytes()
        return {"keys": [{"kty": "oct", "kid": _b64(kid), "k": _b64(key)}], "type": "temporary"}
