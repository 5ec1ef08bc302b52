"""The change feed covers folders shared with a user: their changes at the mount point,
grants and revocations as changes, moves in, out and of the folder; and nothing else of the
owner's tree, nor anything from before the grant."""

from __future__ import annotations

from tests.services.files.conftest import user_headers

M = "shared/alice/docs"


def feed(files, user, cursor=0):
    found, cursor = files.changes(user, cursor)
    return [(c.op, c.path, c.dest, c.role) for c in found], cursor


def test_a_grantee_sees_the_grant_then_the_owners_changes_under_it(files):
    files.put_file("alice", "docs/old.txt", b"before the grant")
    files.put_file("alice", "private/p.txt", b"mine")
    files.put_file("bob", "own.txt", b"bob's")
    _, start = feed(files, "bob")
    files.granting.grant("alice", "docs", "bob", "viewer")
    files.put_file("alice", "docs/a.txt", b"alpha")
    files.put_file("alice", "private/q.txt", b"not bob's")
    files.mkdir("alice", "docs/sub")
    files.move("alice", "docs/a.txt", "docs/sub/a.txt")
    files.move("alice", "docs/sub/a.txt", "private/a.txt")  # out of the shared folder
    files.move("alice", "private/p.txt", "docs/p.txt")  # into it
    files.delete("alice", "docs/old.txt")
    got, cursor = feed(files, "bob", start)
    assert got == [
        ("grant", M, None, "viewer"),
        ("write", f"{M}/a.txt", None, None),
        ("mkdir", f"{M}/sub", None, None),
        ("move", f"{M}/a.txt", f"{M}/sub/a.txt", None),
        ("delete", f"{M}/sub/a.txt", None, None),
        ("restore", f"{M}/p.txt", None, None),
        ("delete", f"{M}/old.txt", None, None),
    ]
    # the owner's feed is unchanged: own paths only, no grant rows
    own, _ = feed(files, "alice")
    assert all(not p.startswith("shared/") for _, p, _, _ in own)
    assert feed(files, "bob", cursor) == ([], cursor)
    # a grantee's own writes into the folder come back through the owner's tree
    files.granting.grant("alice", "docs", "bob", "editor")
    files.put_file("bob", f"{M}/by-bob.txt", b"hi")
    got, cursor = feed(files, "bob", cursor)
    assert got == [("grant", M, None, "editor"), ("write", f"{M}/by-bob.txt", None, None)]


def test_revocation_is_a_change_and_ends_the_stream(files):
    files.mkdir("alice", "docs")
    grant = files.granting.grant("alice", "docs", "bob", "viewer")
    _, cursor = feed(files, "bob")
    files.granting.revoke("alice", grant.id)
    files.put_file("alice", "docs/after.txt", b"after the revocation")
    got, cursor = feed(files, "bob", cursor)
    assert got == [("revoke", M, None, None)]


def test_a_moved_shared_folder_moves_the_mount_point(files):
    files.mkdir("alice", "docs")
    files.granting.grant("alice", "docs", "bob", "viewer")
    _, cursor = feed(files, "bob")
    files.move("alice", "docs", "papers")
    files.put_file("alice", "papers/x.txt", b"x")
    got, _ = feed(files, "bob", cursor)
    assert ("move", M, "shared/alice/papers", None) in got
    assert got[-1] == ("write", "shared/alice/papers/x.txt", None, None)


def test_the_cursor_moves_past_rows_the_user_may_not_see(files):
    files.mkdir("alice", "docs")
    files.granting.grant("alice", "docs", "bob", "viewer")
    _, cursor = feed(files, "bob")
    for i in range(5):
        files.put_file("alice", f"private/{i}.txt", b"no")
    got, after = feed(files, "bob", cursor)
    assert got == [] and after > cursor


def test_the_feed_over_rest_includes_shared_folders(api, admin_headers):
    a = user_headers(api, admin_headers, "alice")
    b = user_headers(api, admin_headers, "bob")
    assert api.post("/files/folders", json={"path": "docs"}, headers=a).status_code == 201
    r = api.put("/files/grants", json={"path": "docs", "user": "bob", "role": "viewer"}, headers=a)
    assert r.status_code in (200, 201), r.text
    assert api.put("/files/content/docs/n.txt", content=b"n", headers=a).status_code == 201
    body = api.get("/files/changes", headers=b).json()
    assert [(c["op"], c["path"], c.get("role")) for c in body["changes"]] == [
        ("grant", M, "viewer"),
        ("write", f"{M}/n.txt", None),
    ]
    assert (
        api.get("/files/changes", params={"cursor": body["cursor"]}, headers=b).json()["changes"]
        == []
    )
