"""The change feed ("changes since cursor"): a user's own tree and the folders shared with them.

Every change is one row of ``files_changes`` in the tree it happened in, numbered by one
sequence for all users, so a cursor is a position in that sequence. A user's feed is their
own rows plus the rows of each owner who granted them a folder, kept when the path lies under
a grant and shown at the mount point (``shared/<owner>/<folder>/...``), as every other read
shows it:

- a grant (new, or a new role) is a ``grant`` change at the mount point, with the role; a
  revocation is ``revoke`` there. A client that sees ``grant`` walks the folder once; the
  owner's changes before the grant are not replayed (they are in what it walks);
- a move inside the shared folder is a ``move``; a move out of it a ``delete``; a move into
  it a ``restore`` (a subtree appeared: walk it), as a trash restore is;
- when the owner moves a granted folder, the grant follows it, and the grantee sees a
  ``move`` of the mount point.

Grant rows keep the grant id in ``dest`` and the role in ``etag`` (no new columns, so stores
made before keep working); :class:`~services.files.model.Change` shows the role.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.engine import Connection, Engine

from services.files.model import Change
from services.files.tables import changes

GRANT_OPS = ("grant", "revoke")


def log(conn: Connection, owner: str, op: str, path: str, kind: str, **kw: Any) -> int:
    """Append a change to ``owner``'s feed; returns its sequence number."""
    res = conn.execute(insert(changes).values(owner=owner, op=op, path=path, kind=kind, **kw))
    return int(res.inserted_primary_key[0])


def log_grant(conn: Connection, grant: Any, op: str, ts: float, *, path: str | None = None):
    """A grant (``op="grant"``) or revocation (``"revoke"``) in the grantee's feed."""
    log(
        conn,
        grant.grantee,
        op,
        path or grant.mount,
        "dir",
        etag=grant.role if op == "grant" else None,
        dest=grant.id,
        ts=ts,
    )


def _own(r: Any) -> Change:
    if r.op in GRANT_OPS:
        return Change(r.seq, r.op, r.path, r.kind, None, r.ts, None, role=r.etag)
    return Change(r.seq, r.op, r.path, r.kind, r.etag, r.ts, r.dest)


def _through(r: Any, grants: list, since: dict[str, int]) -> Change | None:
    """Row ``r`` of another owner's tree as the grantee sees it (None: not theirs to see)."""

    def shown(path: str | None) -> str | None:
        if path is None:
            return None
        covering = [g for g in grants if g.covers(path) and r.seq > since.get(g.id, 0)]
        if not covering:
            return None
        g = max(covering, key=lambda g: len(g.path))
        return g.mount + path[len(g.path) :]

    src = shown(r.path)
    if r.op == "move":
        dst = shown(r.dest)
        if src and dst:
            return Change(r.seq, "move", src, r.kind, r.etag, r.ts, dst)
        if src:
            return Change(r.seq, "delete", src, r.kind, None, r.ts)
        if dst:
            return Change(r.seq, "restore", dst, r.kind, r.etag, r.ts)
        return None
    if src is None:
        return None
    return Change(r.seq, r.op, src, r.kind, r.etag, r.ts, None)


def changes_for(
    engine: Engine, user: str, received: list, cursor: int, limit: int
) -> tuple[list[Change], int]:
    """Up to ``limit`` changes after ``cursor`` in ``user``'s feed (own tree and received
    grants), and the cursor to ask from next (past rows read but not shown, so a poll does
    not read them again)."""
    by_owner: dict[str, list] = {}
    for g in received:
        by_owner.setdefault(g.owner, []).append(g)
    out: list[Change] = []
    pos = cursor
    with engine.connect() as conn:
        since: dict[str, int] = {}
        if received:
            since = dict(
                conn.execute(
                    select(changes.c.dest, func.min(changes.c.seq))
                    .where(changes.c.owner == user, changes.c.op == "grant")
                    .group_by(changes.c.dest)
                ).all()
            )
        cond = changes.c.owner == user
        if by_owner:
            cond = or_(cond, changes.c.owner.in_(sorted(by_owner)))
        while len(out) < limit:
            rows = conn.execute(
                select(changes)
                .where(cond, changes.c.seq > pos)
                .order_by(changes.c.seq)
                .limit(limit)
            ).all()
            if not rows:
                break
            for r in rows:
                pos = r.seq
                c = _own(r) if r.owner == user else _through(r, by_owner[r.owner], since)
                if c is not None:
                    out.append(c)
                    if len(out) >= limit:
                        break
    return out, pos
