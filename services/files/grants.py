"""Per-folder roles: an owner grants another user ``viewer`` or ``editor`` on one folder.

A grantee sees each folder granted to them at ``shared/<owner>/<folder path>`` in their own
tree: the top-level name ``shared`` is a mount point, the same for REST, search and WebDAV
(clients that cannot pass an extra parameter still reach the folder). :func:`locate` turns a
path as the acting user sees it into a :class:`Place`: whose tree, which real path, with which
role. It is called by the service layer on every read and write, so a route cannot skip it.

- ``owner``: everything in their own tree (the only one who grants, links and empties trash).
- ``editor``: reads and writes inside the folder (new versions, If-Match, conflict copies,
  deletes into the owner's trash, moves within the folder), never the folder itself.
- ``viewer``: reads (listing, content, versions, search) only.

Another user's path without a grant is 404, the same as a path that does not exist; a grant
of the same owner deeper in the tree wins over a shallower one (the longest path decides).
Quota, versions and trash stay the owner's. A grant follows its folder when the folder (or
one above it) is moved; a folder in the trash leaves its grants pointing at nothing (404)
until it is restored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from services.errors import Forbidden, Invalid, NotFound
from services.files import feed, names
from services.files.model import Entry
from services.files.store import new_id
from services.files.tables import grants

MOUNT = "shared"
ROLES = ("viewer", "editor")
_CAN = {"owner": {"read", "write"}, "editor": {"read", "write"}, "viewer": {"read"}}


@dataclass(frozen=True)
class Grant:
    id: str
    owner: str
    path: str
    grantee: str
    role: str
    created: float

    @property
    def mount(self) -> str:
        """Where the grantee sees the folder."""
        return f"{MOUNT}/{self.owner}/{self.path}"

    def covers(self, path: str) -> bool:
        return path == self.path or path.startswith(self.path + "/")

    def public(self) -> dict:
        return {
            "id": self.id,
            "path": self.path,
            "user": self.grantee,
            "role": self.role,
            "owner": self.owner,
            "mount": self.mount,
            "created": self.created,
        }


@dataclass(frozen=True)
class Place:
    """A path resolved for an acting user. ``virtual``: a folder of the mount point itself
    (``shared``, ``shared/<owner>``, or a parent of a granted folder), listed from grants."""

    actor: str
    tree: str
    path: str
    role: str
    grant: Grant | None = None
    virtual: tuple[str, ...] | None = None  # child names of a virtual folder
    shown: str = ""  # the path as the actor names it

    @property
    def is_root(self) -> bool:
        """The granted folder itself (which a grantee may neither delete nor move)."""
        return self.grant is not None and self.path == self.grant.path

    def need(self, action: str) -> Place:
        if self.virtual is not None:
            if action != "read":
                raise Forbidden(f"{self.shown or MOUNT!r} holds folders shared with you: read-only")
            return self
        if action not in _CAN[self.role]:
            raise Forbidden(f"you are a {self.role} of {self.grant.mount!r}: reading only")
        return self

    def out(self, entry: Entry) -> Entry:
        """``entry`` (of the owner's tree) as the actor sees it."""
        if self.grant is None:
            return entry
        return outward(self.grant, entry)


def outward(grant: Grant, entry: Entry) -> Entry:
    rest = entry.path[len(grant.path) :]
    return replace(entry, path=grant.mount + rest)


def locate(actor: str, path: str, received: list[Grant]) -> Place:
    """Resolve ``path`` (normalised, ``""`` the root) as ``actor`` names it. 404 for paths
    under the mount point that no grant covers."""
    parts = path.split("/") if path else []
    if not parts or parts[0] != MOUNT:
        return Place(actor, actor, path, "owner", shown=path)
    if len(parts) == 1:
        owners = sorted({g.owner for g in received})
        return Place(actor, actor, path, "viewer", virtual=tuple(owners), shown=path)
    owner, rest = parts[1], "/".join(parts[2:])
    mine = [g for g in received if g.owner == owner]
    covering = [g for g in mine if g.covers(rest)] if rest else []
    if covering:
        grant = max(covering, key=lambda g: len(g.path))
        return Place(actor, owner, rest, grant.role, grant=grant, shown=path)
    prefix = rest + "/" if rest else ""
    below = sorted({g.path[len(prefix) :].split("/")[0] for g in mine if g.path.startswith(prefix)})
    if not below:
        raise NotFound(f"no file or folder {path!r}")
    return Place(actor, actor, path, "viewer", virtual=tuple(below), shown=path)


def _grant(row) -> Grant:
    return Grant(row.id, row.owner, row.path, row.grantee, row.role, row.created)


class GrantBook:
    """The grants table: who may see which folder of whose tree."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def put(self, owner: str, path: str, grantee: str, role: str, now: float) -> Grant:
        """Grant (or change) ``grantee``'s role on ``owner``'s folder ``path``."""
        if role not in ROLES:
            raise Invalid(f"role must be one of {ROLES} (the owner is the only owner)")
        grantee = grantee.strip()
        if not grantee or len(grantee) > 128 or "/" in grantee:
            raise Invalid("user must be a user id (1-128 characters, no '/')")
        if grantee == owner:
            raise Invalid("you own this folder already")
        with self.engine.begin() as conn:
            row = conn.execute(
                select(grants).where(
                    grants.c.owner == owner, grants.c.path == path, grants.c.grantee == grantee
                )
            ).first()
            if row is not None:
                conn.execute(update(grants).where(grants.c.id == row.id).values(role=role))
                grant = replace(_grant(row), role=role)
                if row.role != role:
                    feed.log_grant(conn, grant, "grant", now)
                return grant
            gid = new_id()
            conn.execute(
                insert(grants).values(
                    id=gid, owner=owner, path=path, grantee=grantee, role=role, created=now
                )
            )
            grant = Grant(gid, owner, path, grantee, role, now)
            feed.log_grant(conn, grant, "grant", now)
            return grant

    def revoke(self, owner: str, grant_id: str, now: float | None = None) -> Grant:
        with self.engine.begin() as conn:
            row = conn.execute(
                select(grants).where(grants.c.id == grant_id, grants.c.owner == owner)
            ).first()
            if row is None:
                raise NotFound(f"no grant {grant_id!r}")
            conn.execute(delete(grants).where(grants.c.id == grant_id))
            grant = _grant(row)
            feed.log_grant(conn, grant, "revoke", time.time() if now is None else now)
            return grant

    def moved(self, owner: str, src: str, dst: str, now: float | None = None) -> int:
        """Grants follow their folder (or a folder above it) when the owner's tree moves it
        (each grantee's feed gets a move of the mount point); returns how many moved."""
        n = 0
        with self.engine.begin() as conn:
            rows = conn.execute(select(grants).where(grants.c.owner == owner)).all()
            for row in rows:
                if row.path == src or row.path.startswith(src + "/"):
                    new = dst + row.path[len(src) :]
                    conn.execute(update(grants).where(grants.c.id == row.id).values(path=new))
                    old = _grant(row)
                    feed.log(
                        conn,
                        old.grantee,
                        "move",
                        old.mount,
                        "dir",
                        dest=replace(old, path=new).mount,
                        ts=time.time() if now is None else now,
                    )
                    n += 1
        return n

    def given(self, owner: str) -> list[Grant]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(grants).where(grants.c.owner == owner).order_by(grants.c.path)
            )
            return [_grant(r) for r in rows]

    def received(self, grantee: str) -> list[Grant]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(grants)
                .where(grants.c.grantee == grantee)
                .order_by(grants.c.owner, grants.c.path)
            )
            return [_grant(r) for r in rows]

    def covering(self, owner: str, path: str) -> list[Grant]:
        """The grants of ``owner`` that reach ``path`` (whom an edit there concerns)."""
        return [g for g in self.given(owner) if g.covers(path)]


def check_grantable(path: str) -> str:
    """A folder an owner may grant: in their own tree, not the mount point, not the root."""
    path = names.normalize(path)
    if path.split("/")[0] == MOUNT:
        raise Forbidden("only the owner of a folder grants roles on it")
    return path
