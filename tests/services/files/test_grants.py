"""Per-folder roles: every role against every operation, in the service layer, over REST and
over WebDAV. A grantee sees a granted folder at ``shared/<owner>/<folder>``."""

from __future__ import annotations

import base64

import pytest

from services.errors import Forbidden, Invalid, NotFound, PreconditionFailed
from services.files import chunking
from services.files.errors import InsufficientStorage
from tests.services.files.conftest import user_headers

M = "shared/alice/docs"


@pytest.fixture
def shared(files):
    """alice's ``docs`` (with ``a.txt``), bob an editor, carol a viewer, dave nothing."""
    files.put_file("alice", "docs/a.txt", b"alpha one")
    files.put_file("alice", "docs/sub/b.txt", b"beta")
    files.put_file("alice", "private/p.txt", b"mine")
    files.granting.grant("alice", "docs", "bob", "editor")
    files.granting.grant("alice", "docs", "carol", "viewer")
    return files


READS = {
    "stat": lambda f, u: f.stat(u, f"{M}/a.txt"),
    "listdir": lambda f, u: f.listdir(u, M),
    "read": lambda f, u: b"".join(f.open_file(u, f"{M}/a.txt")[1]),
    "versions": lambda f, u: f.versions(u, f"{M}/a.txt"),
    "walk": lambda f, u: f.walk(u, M) or f.stat(u, M),
}
WRITES = {
    "put": lambda f, u: f.put_file(u, f"{M}/new.txt", b"new"),
    "overwrite": lambda f, u: f.put_file(u, f"{M}/a.txt", b"changed"),
    "mkdir": lambda f, u: f.mkdir(u, f"{M}/made"),
    "delete": lambda f, u: f.delete(u, f"{M}/sub/b.txt"),
    "move": lambda f, u: f.move(u, f"{M}/a.txt", f"{M}/moved.txt"),
    "copy": lambda f, u: f.copy(u, f"{M}/a.txt", f"{M}/copied.txt"),
    "restore_version": lambda f, u: f.restore_version(u, f"{M}/a.txt", 1),
    "delta_sync": lambda f, u: _delta(f, u),
}


def _delta(f, user: str):
    data = b"delta synced"
    chunks = chunking.chunk_bytes(data, 1024)
    missing, plan = f.plan(user, f"{M}/d.txt", [(c.hash, c.size) for c in chunks])
    pos = 0
    for c in chunks:
        if c.hash in missing:
            f.put_chunk(user, c.hash, data[pos : pos + c.size])
        pos += c.size
    return f.commit_chunks(user, f"{M}/d.txt", None, plan_id=plan)


@pytest.mark.parametrize("op", sorted(READS))
def test_reads_by_role(shared, op):
    for user in ("bob", "carol"):
        assert READS[op](shared, user)
    with pytest.raises(NotFound):
        READS[op](shared, "dave")


@pytest.mark.parametrize("op", sorted(WRITES))
def test_writes_by_role(shared, op):
    with pytest.raises(Forbidden):
        WRITES[op](shared, "carol")
    with pytest.raises(NotFound):
        WRITES[op](shared, "dave")
    WRITES[op](shared, "bob")


def test_a_write_lands_in_the_owners_tree_and_shows_under_the_mount(shared):
    entry = shared.put_file("bob", f"{M}/a.txt", b"from bob")
    assert entry.path == f"{M}/a.txt"
    assert b"".join(shared.open_file("alice", "docs/a.txt")[1]) == b"from bob"
    assert [v.number for v in shared.versions("alice", "docs/a.txt")] == [2, 1]
    assert "bob" not in {e.path.split("/")[0] for e in shared.walk("bob")}  # nothing of bob's


def test_editor_if_match_and_conflict_copies_as_usual(shared):
    old = shared.stat("bob", f"{M}/a.txt").etag
    shared.put_file("alice", "docs/a.txt", b"alice wins")
    with pytest.raises(PreconditionFailed):
        shared.put_file("bob", f"{M}/a.txt", b"bob", if_match=old)
    copy = shared.put_file(
        "bob", f"{M}/a.txt", b"bob", if_match=old, device="laptop", on_conflict="copy"
    )
    assert copy.path.startswith(f"{M}/a (conflict laptop")
    assert any("conflict" in e.path for e in shared.listdir("alice", "docs"))


def test_nobody_but_the_owner_deletes_moves_grants_or_links_the_folder(shared):
    for user in ("bob", "carol"):
        with pytest.raises(Forbidden):
            shared.delete(user, M)
        with pytest.raises(Forbidden):
            shared.move(user, M, "elsewhere")
        with pytest.raises(Forbidden):
            shared.granting.grant(user, M, "dave", "viewer")
        with pytest.raises(Forbidden):
            shared.sharing.create(user, f"{M}/a.txt", "read")
    with pytest.raises(Forbidden):  # the mount point itself is read-only
        shared.put_file("bob", "shared/alice", b"x")
    with pytest.raises(Forbidden):
        shared.mkdir("bob", "shared")
    with pytest.raises(NotFound):  # beside a granted folder there is nothing to write into
        shared.put_file("bob", "shared/alice/x.txt", b"x")
    with pytest.raises(Forbidden):  # no moves out of the owner's tree
        shared.move("bob", f"{M}/a.txt", "stolen.txt")


def test_a_link_from_before_the_mount_cannot_reach_folders_shared_with_its_owner(shared):
    share, token = shared.sharing.book.create("bob", M, "write", shared.clock())
    with pytest.raises(NotFound):
        shared.sharing.resolve(token, None, "client")
    shared.mkdir("bob", "own")
    _, token = shared.sharing.create("bob", "own", "read")
    assert shared.sharing.resolve(token, None, "client").path == "own"


def test_other_folders_of_the_owner_stay_404(shared):
    for path in ("shared/alice/private/p.txt", "shared/alice/private", "shared/erin/docs"):
        with pytest.raises(NotFound):
            shared.stat("bob", path)
    assert [e.name for e in shared.listdir("bob", "shared")] == ["alice"]
    assert [e.name for e in shared.listdir("bob", "shared/alice")] == ["docs"]
    assert "shared" in [e.name for e in shared.listdir("bob", "")]
    assert "shared" not in [e.name for e in shared.listdir("dave", "")]


def test_search_within_shares_and_revocation(shared):
    shared.put_file("bob", "own/alpha-notes.txt", b"x")
    hits = [e.path for e in shared.search("bob", "a.txt")]
    assert f"{M}/a.txt" in hits
    assert [e.path for e in shared.search("dave", "a.txt")] == []
    assert "private/p.txt" not in [e.path for e in shared.search("bob", "p.txt")]
    grant = next(g for g in shared.granting.given("alice") if g.grantee == "bob")
    shared.granting.revoke("alice", grant.id)
    with pytest.raises(NotFound):
        shared.stat("bob", f"{M}/a.txt")
    assert [e.path for e in shared.search("bob", "a.txt")] == []
    with pytest.raises(NotFound):
        shared.granting.revoke("bob", grant.id)


def test_grants_follow_their_folder_when_the_owner_moves_it(shared):
    shared.move("alice", "docs", "papers")
    with pytest.raises(NotFound):
        shared.stat("bob", f"{M}/a.txt")
    assert shared.stat("bob", "shared/alice/papers/a.txt").path == "shared/alice/papers/a.txt"
    shared.move("bob", "shared/alice/papers/sub", "shared/alice/papers/sub2")  # an editor
    assert [g.path for g in shared.granting.received("carol")] == ["papers"]
    shared.delete("alice", "papers")
    with pytest.raises(NotFound):
        shared.stat("carol", "shared/alice/papers")


def test_a_deeper_grant_wins_and_roles_can_change(shared):
    shared.granting.grant("alice", "docs/sub", "carol", "editor")
    shared.put_file("carol", "shared/alice/docs/sub/c.txt", b"c")  # editor of docs/sub
    with pytest.raises(Forbidden):
        shared.put_file("carol", f"{M}/c.txt", b"c")  # still a viewer of docs
    shared.granting.grant("alice", "docs", "bob", "viewer")
    with pytest.raises(Forbidden):
        shared.put_file("bob", f"{M}/x.txt", b"x")


def test_grants_are_checked(shared):
    with pytest.raises(Invalid):
        shared.granting.grant("alice", "docs/a.txt", "bob", "viewer")  # a file
    with pytest.raises(Invalid):
        shared.granting.grant("alice", "docs", "alice", "viewer")
    with pytest.raises(Invalid):
        shared.granting.grant("alice", "docs", "bob", "owner")
    with pytest.raises(NotFound):
        shared.granting.grant("alice", "nothing", "bob", "viewer")


def test_quota_counts_against_the_owner(shared):
    shared.store.set_quota("alice", shared.usage("alice")["used_bytes"] + 10)
    with pytest.raises(InsufficientStorage):
        shared.put_file("bob", f"{M}/big.bin", b"x" * 100)
    shared.put_file("bob", "mine.bin", b"x" * 100)  # bob's own quota is untouched
    assert shared.usage("bob")["used_bytes"] == 100


# ---- REST and WebDAV -----------------------------------------------------------------------
def _basic(user: str, key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{key}".encode()).decode()}


def test_rest_and_webdav_apply_the_same_roles(api, admin_headers):
    keys = {u: user_headers(api, admin_headers, u) for u in ("alice", "bob", "carol", "dave")}
    a = keys["alice"]
    assert api.put("/files/content/docs/a.txt", content=b"hi", headers=a).status_code == 201
    for user, role in (("bob", "editor"), ("carol", "viewer")):
        r = api.put("/files/grants", json={"path": "docs", "user": user, "role": role}, headers=a)
        assert r.status_code == 200, r.text
        assert r.json()["mount"] == M
    listed = api.get("/files/grants", headers=keys["carol"]).json()
    assert [g["role"] for g in listed["received"]] == ["viewer"] and listed["given"] == []
    assert api.get(f"/files/content/{M}/a.txt", headers=keys["carol"]).content == b"hi"
    assert api.get(f"/files/content/{M}/a.txt", headers=keys["dave"]).status_code == 404
    r = api.put(f"/files/content/{M}/c.txt", content=b"no", headers=keys["carol"])
    assert r.status_code == 403
    tus = {**keys["carol"], "Tus-Resumable": "1.0.0", "Upload-Length": "2"}
    meta = "path " + base64.b64encode(f"{M}/t.txt".encode()).decode()
    r = api.post("/files/uploads", headers={**tus, "Upload-Metadata": meta})
    assert r.status_code == 403  # refused before any byte is sent
    r = api.put(f"/files/content/{M}/b.txt", content=b"yes", headers=keys["bob"])
    assert r.status_code == 201
    r = api.put(
        "/files/grants", json={"path": M, "user": "dave", "role": "viewer"}, headers=keys["bob"]
    )
    assert r.status_code == 403

    def dav(user: str, method: str, path: str, **kw):
        auth = _basic(user, keys[user]["X-API-Key"])
        return api.request(method, f"/dav/{user}/{path}", headers=auth, **kw)

    assert dav("carol", "GET", f"{M}/a.txt").content == b"hi"
    assert dav("carol", "PUT", f"{M}/v.txt", content=b"viewer").status_code == 403
    assert dav("carol", "DELETE", f"{M}/a.txt").status_code == 403
    assert dav("bob", "PUT", f"{M}/e.txt", content=b"editor").status_code == 201
    assert dav("bob", "DELETE", M).status_code == 403
    r = api.request(
        "PROPFIND",
        f"/dav/carol/{M}/",
        headers={**_basic("carol", keys["carol"]["X-API-Key"]), "Depth": "1"},
    )
    assert r.status_code == 207 and "e.txt" in r.text
    assert dav("dave", "GET", f"{M}/a.txt").status_code == 404
    assert api.get("/files/content/docs/e.txt", headers=a).content == b"editor"
    grant_id = next(
        g["id"] for g in api.get("/files/grants", headers=a).json()["given"] if g["user"] == "carol"
    )
    assert api.delete(f"/files/grants/{grant_id}", headers=keys["bob"]).status_code == 404
    assert api.delete(f"/files/grants/{grant_id}", headers=a).status_code == 204
    assert dav("carol", "GET", f"{M}/a.txt").status_code == 404
