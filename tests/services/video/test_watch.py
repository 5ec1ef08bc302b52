"""The viewer's path: every link of a playback descriptor answers, the CDN route works with its
defaults, and the watch page plays them with the project's own players."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest

from media.ladder import build_ladder, publish
from media.probe import probe
from services.cdn.process import start_edge, start_origin
from services.video.renditions import publish_thumbnails
from services.video.store import Video
from tests.media.clips import clip

PLAYBACK_LINKS = ("hls", "dash", "poster", "thumbnails", "origin_hls")


@pytest.fixture(scope="module")
def ladder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real ladder with thumbnails, built once and copied into each test's blob store."""
    source = clip(640, 360, 4.0)
    info = probe(source, tmp_path_factory.mktemp("job"))
    out = tmp_path_factory.mktemp("ladder") / "published"
    build = tmp_path_factory.mktemp("build") / "ladder"
    build_ladder(source, info, build)
    publish(build, out)
    publish_thumbnails(source, info, tmp_path_factory.mktemp("thumbs") / "b", out / "thumbs")
    return out


def add_video(client, ladder: Path, title: str = "Cats on skis") -> str:
    svc = client.app.state.services["video"]
    vid = "v" + str(time.time_ns())
    svc.store.add_video(
        Video(vid, "alice", title, "", ["cats"], "/nonexistent", {"duration_s": 4.0}, 0.0)
    )
    shutil.copytree(ladder, svc.rendition_dir(vid))
    return vid


def test_every_playback_link_answers_from_the_api(client, ladder) -> None:
    vid = add_video(client, ladder)
    pb = client.get(f"/videos/{vid}/playback")
    assert pb.status_code == 200, pb.text
    body = pb.json()
    assert body["ready"] is True
    for link in PLAYBACK_LINKS:
        resp = client.get(body[link])
        assert resp.status_code == 200, (link, body[link], resp.text)
        assert resp.content
    master = client.get(body["hls"]).text
    for line in master.splitlines():
        if line and not line.startswith("#"):  # a rendition playlist, relative to the master
            assert client.get(f"/videos/{vid}/{line}").status_code == 200, line
    sprite = client.get(body["thumbnails"]).text.split("\n")
    tile = next(x for x in sprite if "#xywh=" in x).split("#")[0]
    assert client.get(f"/videos/{vid}/thumbs/{tile}").headers["content-type"] == "image/jpeg"


def test_rendition_files_stay_inside_the_video_and_unknown_ones_are_404(client, ladder) -> None:
    vid = add_video(client, ladder)
    assert client.get(f"/videos/{vid}/nope.m3u8").status_code == 404
    assert client.get(f"/videos/{vid}/thumbs/..%2F..%2Fsecrets").status_code == 404
    assert client.get(f"/videos/{vid}/thumbs/%00").status_code == 400
    assert client.get("/videos/unknown/master.m3u8").status_code == 404


def test_the_default_cdn_route_names_a_known_region_and_reaches_an_edge(
    client, ladder, settings, admin_headers
) -> None:
    vid = add_video(client, ladder)
    route = client.get(f"/videos/{vid}/playback").json()["cdn_route"]
    assert client.get(route).status_code == 503  # no edge yet: unavailable, not invalid
    with (
        start_origin(settings.blobs_dir, settings=settings) as origin,
        start_edge(origin.url, name="watch-edge", region="eu-west", settings=settings) as edge,
    ):
        reg = {"name": edge.name, "url": edge.url, "region": edge.region, "token": edge.token}
        assert client.post("/cdn/edges", json=reg, headers=admin_headers).status_code == 201
        found = client.get(route)
        assert found.status_code == 200, found.text
        fetched = httpx.get(found.json()["location"], trust_env=False, timeout=10)
        assert fetched.status_code == 200 and fetched.text.startswith("#EXTM3U")
        named = client.get(f"/videos/{vid}/playback", params={"region": "ap-south"}).json()
        assert client.get(named["cdn_route"]).status_code == 200


def test_a_region_the_cdn_does_not_know_is_refused_by_the_descriptor(client, ladder) -> None:
    vid = add_video(client, ladder)
    resp = client.get(f"/videos/{vid}/playback", params={"region": "local"})
    assert resp.status_code == 422 and "eu-west" in resp.json()["detail"]


def test_the_watch_page_names_the_local_players_and_escapes_the_title(client, ladder) -> None:
    vid = add_video(client, ladder, title="</script><b>x</b>")
    page = client.get(f"/videos/{vid}/watch")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "<b>x</b>" not in text and "&lt;/script&gt;" in text
    assert "</script><b>" not in text  # not in the inlined JSON either
    assert '<script src="/videos/players/hls.min.js">' in text
    assert "cdn.jsdelivr" not in text and "unpkg" not in text
    assert f'poster="/videos/{vid}/thumbs/poster.jpg"' in text
    assert client.get("/videos/nope/watch").status_code == 404


def test_players_are_served_from_the_install_and_say_how_to_install_them(client, tmp_path) -> None:
    svc = client.app.state.services["video"]
    svc.conf = svc.conf.model_copy(update={"player_libs_dir": tmp_path})
    missing = client.get("/videos/players/hls.min.js")
    assert missing.status_code == 404 and "make players" in missing.json()["detail"]
    lib = tmp_path / "hls.js" / "dist" / "hls.min.js"
    lib.parent.mkdir(parents=True)
    lib.write_text("var Hls = 1;", encoding="utf-8")
    ok = client.get("/videos/players/hls.min.js")
    assert ok.status_code == 200 and ok.text == "var Hls = 1;"
    assert ok.headers["content-type"].startswith("text/javascript")
    assert client.get("/videos/players/..%2F..%2Fetc%2Fpasswd").status_code == 404
