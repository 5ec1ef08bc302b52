"""An existing tus client (tuspy) uploads through a real HTTP server, resuming midway."""

from __future__ import annotations

import threading
import time

import pytest
import uvicorn

from services.app import create_app
from tests.conftest import free_port
from tests.media.clips import clip, hostile

tusclient = pytest.importorskip("tusclient.client", reason="tuspy is not installed")


@pytest.fixture
def server(settings, emitter):
    app = create_app(settings, emitter)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def _key(base: str, admin: str) -> str:
    import httpx

    resp = httpx.post(
        f"{base}/auth/keys",
        json={"user_id": "tus-user", "roles": ["user"]},
        headers={"X-API-Key": admin},
    )
    return resp.json()["api_key"]


def test_tuspy_uploads_in_chunks_and_resumes(server, settings) -> None:
    import httpx

    key = _key(server, settings.admin_api_key)
    client = tusclient.TusClient(f"{server}/videos/uploads", headers={"X-API-Key": key})
    path = clip()
    uploader = client.uploader(
        str(path), chunk_size=100_000, metadata={"title": "From tuspy", "tags": "tus,client"}
    )
    uploader.upload_chunk()  # one chunk, then a "new session" resumes from the server's offset
    url = uploader.url
    resumed = client.uploader(str(path), chunk_size=100_000, url=url)
    assert resumed.get_offset() == 100_000
    resumed.upload()
    vid = url.rsplit("/", 1)[1]
    video = httpx.get(f"{server}/videos/{vid}").json()
    assert video["title"] == "From tuspy" and video["tags"] == ["tus", "client"]


def test_tuspy_default_chunking_sends_the_file_in_one_patch(server, settings) -> None:
    key = _key(server, settings.admin_api_key)
    client = tusclient.TusClient(f"{server}/videos/uploads", headers={"X-API-Key": key})
    uploader = client.uploader(str(clip(320, 180, 2.0)), metadata={"title": "one shot"})
    uploader.upload()
    assert uploader.offset == clip(320, 180, 2.0).stat().st_size


def test_tuspy_sees_a_rejection_of_hostile_media(server, settings) -> None:
    from tusclient.exceptions import TusCommunicationError

    key = _key(server, settings.admin_api_key)
    client = tusclient.TusClient(f"{server}/videos/uploads", headers={"X-API-Key": key})
    uploader = client.uploader(
        str(hostile("ffconcat")), chunk_size=100_000, metadata={"title": "evil"}
    )
    with pytest.raises(TusCommunicationError) as err:
        uploader.upload()
    assert err.value.status_code == 422


def test_tuspy_without_a_key_is_refused_and_with_anothers_key_cannot_resume(
    server, settings
) -> None:
    import httpx
    from tusclient.exceptions import TusCommunicationError

    path = clip(320, 180, 2.0)
    anonymous = tusclient.TusClient(f"{server}/videos/uploads")
    with pytest.raises(TusCommunicationError) as err:
        anonymous.uploader(str(path), chunk_size=100_000).upload()
    assert err.value.status_code == 401
    owner = tusclient.TusClient(
        f"{server}/videos/uploads", headers={"X-API-Key": _key(server, settings.admin_api_key)}
    )
    started = owner.uploader(str(path), chunk_size=100_000)
    started.upload_chunk()
    other_key = httpx.post(
        f"{server}/auth/keys",
        json={"user_id": "someone-else", "roles": ["user"]},
        headers={"X-API-Key": settings.admin_api_key},
    ).json()["api_key"]
    other = tusclient.TusClient(f"{server}/videos/uploads", headers={"X-API-Key": other_key})
    with pytest.raises(TusCommunicationError) as err:
        other.uploader(str(path), chunk_size=100_000, url=started.url).upload()
    assert err.value.status_code == 404
    resumed = owner.uploader(str(path), chunk_size=100_000, url=started.url)
    assert resumed.get_offset() == 100_000
