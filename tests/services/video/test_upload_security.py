"""Who may touch a tus upload, and what the tus routes answer to bad input: every route but
OPTIONS needs a key (401), an upload is its creator's (anyone else gets the 404 of an unknown
upload), names with control characters are 400 and numbers past 64 bits are 422, all with
the tus headers a client reads."""

from __future__ import annotations

import pytest

from services.video.ingest import part_path
from services.video.text import MalformedName
from tests.services.video.helpers import TUS, create, patch, spooled_events

OFFSET = "application/offset+octet-stream"


@pytest.fixture
def other_key(client, admin_headers) -> str:
    resp = client.post(
        "/auth/keys", json={"user_id": "mallory", "roles": ["user"]}, headers=admin_headers
    )
    return resp.json()["api_key"]


@pytest.fixture
def upload_url(client, user_key) -> str:
    """An unfinished upload of alice's, 5 of its 10 bytes received."""
    url = create(client, user_key, 10).headers["Location"]
    assert patch(client, user_key, url, 0, b"12345").status_code == 204
    return url


def _offset(client, key: str, url: str) -> str:
    return client.head(url, headers={**TUS, "X-API-Key": key}).headers["Upload-Offset"]


def test_every_tus_route_but_options_needs_a_valid_key_and_answers_401_in_tus(
    client, upload_url
) -> None:
    patch_headers = {**TUS, "Upload-Offset": "5", "Content-Type": OFFSET}
    for headers in ({}, {"X-API-Key": "bp_not-a-key"}, {"Authorization": "Bearer nope"}):
        answers = [
            client.post("/videos/uploads", headers={**TUS, **headers, "Upload-Length": "10"}),
            client.head(upload_url, headers={**TUS, **headers}),
            client.patch(upload_url, content=b"67890", headers={**patch_headers, **headers}),
            client.delete(upload_url, headers={**TUS, **headers}),
        ]
        for resp in answers:
            assert resp.status_code == 401, (resp.request.method, headers)
            assert resp.headers["Tus-Resumable"] == "1.0.0"
            assert resp.headers["WWW-Authenticate"] == "Bearer"
    assert client.options("/videos/uploads").status_code == 204  # discovery stays open


def test_another_users_head_patch_and_delete_find_nothing_and_change_nothing(
    client, user_key, other_key, upload_url, settings, emitter
) -> None:
    mine = {**TUS, "X-API-Key": other_key}
    unknown = client.head("/videos/uploads/0123456789abcdef", headers=mine)
    head = client.head(upload_url, headers=mine)
    appended = patch(client, other_key, upload_url, 5, b"EVIL!")
    deleted = client.delete(upload_url, headers=mine)
    for resp in (head, appended, deleted):
        assert resp.status_code == unknown.status_code == 404  # indistinguishable from unknown
        assert resp.headers["Tus-Resumable"] == "1.0.0"
        assert "Upload-Offset" not in resp.headers
    assert _offset(client, user_key, upload_url) == "5"
    upload_id = upload_url.rsplit("/", 1)[1]
    assert part_path(settings, upload_id).read_bytes() == b"12345"
    events = spooled_events(settings, emitter)
    assert [e["actor"] for e in events if e["type"] == "upload_chunk"] == ["alice"]
    resumed = patch(client, user_key, upload_url, 5, b"678")  # the owner carries on
    assert resumed.status_code == 204 and resumed.headers["Upload-Offset"] == "8"


def test_an_admin_may_read_and_terminate_any_upload(client, admin_headers, upload_url) -> None:
    head = client.head(upload_url, headers={**TUS, **admin_headers})
    assert head.status_code == 200 and head.headers["Upload-Offset"] == "5"
    assert client.delete(upload_url, headers={**TUS, **admin_headers}).status_code == 204


@pytest.mark.parametrize(
    "meta",
    [
        {"filename": "clip\x00.mp4"},
        {"title": "bell\x07"},
        {"title": "two\nlines"},
        {"tags": "a,\x1bb"},
        {"description": "nul \x00 inside"},
    ],
)
def test_upload_metadata_with_control_characters_is_400_and_creates_nothing(
    client, user_key, settings, meta
) -> None:
    resp = create(client, user_key, 10, meta)
    assert resp.status_code == 400 and resp.headers["Tus-Resumable"] == "1.0.0"
    assert "control characters" in resp.json()["detail"]
    assert not (settings.data_dir / "video" / "uploads").exists()


def test_a_description_may_span_lines(client, user_key) -> None:
    resp = create(client, user_key, 10, {"title": "ok", "description": "line 1\r\n\tline 2"})
    assert resp.status_code == 201


def test_an_upload_id_with_a_nul_is_400(client, user_key) -> None:
    resp = client.head("/videos/uploads/abc%00def", headers={**TUS, "X-API-Key": user_key})
    assert resp.status_code == 400 and resp.headers["Tus-Resumable"] == "1.0.0"


def test_offsets_and_lengths_past_64_bits_are_422_and_non_ascii_digits_400(
    client, user_key, upload_url
) -> None:
    too_big = str(2**63)
    resp = patch(client, user_key, upload_url, 0, b"x")  # the wrong offset: a 409
    assert resp.status_code == 409
    for value in (too_big, "9" * 5000):
        resp = client.patch(
            upload_url,
            content=b"x",
            headers={**TUS, "X-API-Key": user_key, "Upload-Offset": value, "Content-Type": OFFSET},
        )
        assert resp.status_code == 422 and resp.headers["Tus-Resumable"] == "1.0.0"
        resp = client.post(
            "/videos/uploads", headers={**TUS, "X-API-Key": user_key, "Upload-Length": value}
        )
        assert resp.status_code == 422 and "at most" in resp.json()["detail"]
    superscript = client.post(
        "/videos/uploads",
        headers={**TUS, "X-API-Key": user_key, "Upload-Length": "\u00b2".encode("latin-1")},
    )
    assert superscript.status_code == 400
    assert _offset(client, user_key, upload_url) == "5"


def test_the_service_refuses_control_characters_in_metadata_of_a_local_import(
    settings, emitter, tmp_path
) -> None:
    from services.video.system import build

    svc = build(settings, emitter)
    source = tmp_path / "clip.mp4"
    source.write_bytes(b"not even a video")
    try:
        with pytest.raises(MalformedName):
            svc.uploads.import_file("alice", source, {"title": "a\x00b"})
        assert svc.catalogue() == []
    finally:
        svc.close()
    assert spooled_events(settings, emitter) == []
