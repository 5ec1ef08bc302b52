"""DRM: the owner encrypts a video as AES-128 HLS; the key server hands the key only against
a playback token bound to the video and the viewer, unexpired and unforged; the segments on
the origin are ciphertext that the key (and only it) turns back into MPEG-TS."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from services.video.drm import PlaybackTokens
from tests.media.clips import clip
from tests.services.video.helpers import spooled_events


@pytest.fixture
def bob_key(client, admin_headers) -> str:
    resp = client.post(
        "/auth/keys", json={"user_id": "bob", "roles": ["user"]}, headers=admin_headers
    )
    return resp.json()["api_key"]


def _video(client, user: str = "alice", title: str = "secret card") -> str:
    svc = client.app.state.services["video"]
    return svc.uploads.import_file(user, clip(320, 180, 4.0), {"title": title}).id


def _decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    unpad = padding.PKCS7(128).unpadder()
    return unpad.update(dec.update(data) + dec.finalize()) + unpad.finalize()


def test_an_encrypted_video_needs_a_valid_token_for_its_key(
    client, settings, emitter, user_key, bob_key
) -> None:
    vid, other = _video(client), _video(client, title="clear card")
    alice, bob = {"X-API-Key": user_key}, {"X-API-Key": bob_key}
    assert client.post(f"/videos/{vid}/drm", headers=bob).status_code == 404  # not bob's
    assert client.post(f"/videos/{vid}/drm/token", headers=bob).status_code == 404  # clear
    done = client.post(f"/videos/{vid}/drm", headers=alice)
    assert done.status_code == 201, done.text
    assert client.post(f"/videos/{vid}/drm", headers=alice).status_code == 409
    body = done.json()
    master = client.get(body["hls"])
    assert master.status_code == 200 and master.text.count("#EXT-X-STREAM-INF") == 2
    media = client.get(body["hls"].replace("master.m3u8", "234p.m3u8")).text
    m = re.search(r'#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)",IV=0x([0-9a-fA-F]+)', media)
    assert m and m.group(1) == body["key_uri"] == f"/videos/{vid}/drm/key", media
    iv = bytes.fromhex(m.group(2))
    first = next(ln for ln in media.splitlines() if ln.endswith(".ts"))
    segment = client.get(body["hls"].replace("master.m3u8", first)).content
    assert segment[0] != 0x47 or segment[188] != 0x47  # not readable MPEG-TS
    # The key file never sits where the origin or the CDN serve from.
    assert not list(settings.blobs_dir.rglob("*.key"))
    # The clear ladder is withdrawn.
    assert client.get(f"/videos/{vid}/master.m3u8").status_code == 404

    assert client.get(body["key_uri"]).status_code == 403  # no token
    token = client.post(f"/videos/{vid}/drm/token", headers=bob).json()["token"]
    key = client.get(body["key_uri"], headers={"X-Playback-Token": token})
    assert key.status_code == 200 and len(key.content) == 16
    assert key.headers["cache-control"] == "no-store"
    assert client.get(body["key_uri"], params={"token": token}).content == key.content
    clear = _decrypt(key.content, iv, segment)
    assert clear[0] == 0x47 and clear[188] == 0x47  # MPEG-TS sync bytes: the real video

    # DASH: CENC under the same key, signalled for ClearKey; the license is a JWK set.
    mpd = client.get(body["dash"]).text
    kid = re.search(r'cenc:default_KID="([0-9a-f-]{36})"', mpd).group(1).replace("-", "")
    assert "e2719d58-a985-b3c9-781a-b030af78d30e" in mpd
    assert client.post(body["license_uri"]).status_code == 403
    lic = client.post(body["license_uri"], headers={"X-Playback-Token": token})
    assert lic.status_code == 200 and lic.headers["cache-control"] == "no-store"
    jwk = lic.json()["keys"][0]
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    assert base64.urlsafe_b64decode(pad(jwk["kid"])).hex() == kid
    assert base64.urlsafe_b64decode(pad(jwk["k"])) == key.content

    # A token for another video, a forged one, and garbage get no key.
    client.post(f"/videos/{other}/drm", headers=alice).raise_for_status()
    elsewhere = client.post(f"/videos/{other}/drm/token", headers=bob).json()["token"]
    for bad in (elsewhere, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x.y", "."):
        resp = client.get(body["key_uri"], headers={"X-Playback-Token": bad})
        assert resp.status_code == 403, (bad, resp.text)
        resp = client.post(body["license_uri"], headers={"X-Playback-Token": bad})
        assert resp.status_code == 403, (bad, resp.text)
    assert (
        client.get("/videos/nope/drm/key", headers={"X-Playback-Token": token}).status_code == 404
    )
    types = [e["type"] for e in spooled_events(settings, emitter)]
    assert "drm_protect" in types and "drm_key" in types and "drm_key_denied" in types


def test_a_playback_token_expires_and_is_bound_to_its_video() -> None:
    now = [1000.0]
    tokens = PlaybackTokens(b"k" * 32, clock=lambda: now[0])
    t = tokens.issue("v1", "bob", ttl_s=60)
    assert tokens.verify(t.token, "v1") == "bob" and t.expires == 1060.0
    with pytest.raises(Exception, match="another video"):
        tokens.verify(t.token, "v2")
    now[0] = 1060.0
    with pytest.raises(Exception, match="expired"):
        tokens.verify(t.token, "v1")
    with pytest.raises(Exception, match="not valid"):
        PlaybackTokens(b"x" * 32).verify(t.token, "v1")


def test_a_video_that_never_passed_admission_cannot_be_protected(client, settings, user_key):
    from services.video.ingest import source_path
    from services.video.store import Video

    client.app.state.services["video"].store.add_video(
        Video(
            "0dd0dd0dd0dd0001",
            "alice",
            "catalogued only",
            "",
            [],
            str(source_path(settings, "0dd0dd0dd0dd0001")),
            {"duration_s": 1.0},
            1000.0,
        )
    )
    r = client.post("/videos/0dd0dd0dd0dd0001/drm", headers={"X-API-Key": user_key})
    assert r.status_code == 409 and "admission" in r.json()["detail"]
