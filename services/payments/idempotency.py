"""Idempotency keys with Stripe's rules, over any SQLAlchemy database.

- The same key with the same request returns the stored response, without running it again.
- The same key with a different request (method, path or body) is refused: 422.
- The same key while the first request is still running is refused: 409.

A key is claimed by inserting its row (a primary key, so two claimants cannot both win), and
its response is stored when the work finishes. Work that runs inside one database transaction
can use ``run_once`` instead: the key is checked, the work done and its answer stored in that
one transaction, so there is no separate claim to write and no in-flight state to see (a
concurrent request with the key waits for the transaction, or loses the primary key to it,
and then finds the stored answer). Work that never started (bad input, a gateway
that was unreachable before it acted) releases the claim so a retry can run. A claim whose
owner died mid-flight is taken over after ``lease_s``: its work either committed with the
response in the same transaction (then the row says so) or rolled back with the process.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from services.errors import Conflict, DomainError, Invalid

MAX_KEY_LENGTH = 255


def fingerprint(method: str, path: str, body: Mapping[str, Any] | None) -> str:
    """A digest of what a request asks for: the key must always come with the same one."""
    canonical = json.dumps(
        [method.upper(), path, body or {}], sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str) -> str:
    """Keys are 1 to 255 printable ASCII characters (Stripe's limit)."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise Invalid(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters")
    return key


@dataclass(frozen=True)
class Stored:
    status: int
    body: Any


class KeyReused(Invalid):
    """The key was first used with a different request (422)."""


class KeyInFlight(Conflict):
    """The first request with this key is still running (409)."""


def idempotency_table(metadata: MetaData, name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("scope", String(128), primary_key=True),
        Column("key", String(MAX_KEY_LENGTH), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("state", String(16), nullable=False),  # running | done
        Column("status", Integer, nullable=True),
        Column("body", Text, nullable=True),
        Column("claimed_at", Float, nullable=False),
    )


class IdempotencyStore:
    """Claims, stored responses and conflicts for keys in one table.

    ``scope`` separates owners of keys (an API key, a user): two users may pick the same key.
    """

    def __init__(
        self,
        engine: Engine,
        table: Table,
        *,
        lease_s: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.table = table
        self.lease_s = lease_s
        self.clock = clock
        # run_once's statements, built once per table (executed with parameters).
        self._key = and_(table.c.scope == bindparam("k_scope"), table.c.key == bindparam("k_key"))
        self._select = select(table).where(self._key)
        self._insert = insert(table)

    def claim(self, scope: str, key: str, fp: str) -> Stored | None:
        """Claim ``key`` for a new request, or return the stored response of its first use.

        Raises ``KeyReused`` (different request) or ``KeyInFlight`` (still running).
        """
        t = self.table
        now = self.clock()
        row = {"scope": scope, "key": check_key(key), "fingerprint": fp}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(t).values(**row, state="running", claimed_at=now))
            return None
        except IntegrityError:
            pass
        with self.engine.begin() as conn:
            found = conn.execute(select(t).where(and_(t.c.scope == scope, t.c.key == key))).first()
            if found is None:  # released between our insert and this read: try once more
                conn.execute(insert(t).values(**row, state="running", claimed_at=now))
                return None
            if found.fingerprint != fp:
                raise KeyReused(
                    "this Idempotency-Key was already used with a different request; "
                    "use a new key for a new request"
                )
            if found.state == "done":
                return Stored(found.status, json.loads(found.body))
            # Running: ours only if its owner's lease ran out (it died mid-flight).
            taken = conn.execute(
                update(t)
                .where(
                    and_(
                        t.c.scope == scope,
                        t.c.key == key,
                        t.c.state == "running",
                        t.c.claimed_at == found.claimed_at,
                        t.c.claimed_at <= now - self.lease_s,
                    )
                )
                .values(claimed_at=now)
            ).rowcount
        if taken:
            return None
        raise KeyInFlight(
            "a request with this Idempotency-Key is still being processed; retry later",
        )

    def run_once(
        self,
        scope: str,
        key: str,
        fp: str,
        work: Callable[[Connection], tuple[int, Any]],
        *,
        attempts: int = 3,
    ) -> tuple[Stored, bool]:
        """Run ``work(conn)`` at most once per key, in the transaction that stores its answer:
        ``(answer, replayed)``. ``work`` raising leaves no trace, so a retry with the key runs.

        Raises ``KeyReused`` or ``KeyInFlight`` as ``claim`` does.
        """
        check_key(key)
        t = self.table
        ids = {"k_scope": scope, "k_key": key}
        for attempt in range(attempts):
            now = self.clock()
            try:
                with self.engine.begin() as conn:
                    found = conn.execute(self._select, ids).first()
                    if found is not None:
                        stored = self._existing(found, fp, now)
                        if stored is not None:
                            return stored, True
                    status, body = work(conn)
                    done = {
                        "state": "done",
                        "status": status,
                        "body": json.dumps(body, default=str),
                        "claimed_at": now,
                    }
                    if found is None:
                        conn.execute(
                            self._insert, {"scope": scope, "key": key, "fingerprint": fp, **done}
                        )
                    else:  # a dead owner's claim, taken over unless someone else just did
                        same = and_(
                            t.c.scope == scope, t.c.key == key, t.c.claimed_at == found.claimed_at
                        )
                        if conn.execute(update(t).where(same).values(**done)).rowcount != 1:
                            raise KeyInFlight("another request took over this key; retry later")
                    return Stored(status, body), False
            except IntegrityError:
                # A concurrent first use inserted the key after our read (a database without
                # a write lock): our work rolled back; look again and find its answer.
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def call(
        self,
        scope: str,
        key: str | None,
        request: tuple[str, str, Any],
        run: Callable[[], Any],
        *,
        keep: tuple[int, ...] = (),
    ) -> tuple[Any, bool]:
        """``run()`` at most once per ``(scope, key)`` for an API call whose work spans its own
        transactions: ``(result, replayed)``. ``request`` is ``(method, path, body)``, the
        key's fingerprint. A ``DomainError`` whose status is in ``keep`` is an outcome, kept
        and raised again on a replay; any other failure releases the key for a retry."""
        if key is None:
            return run(), False
        stored = self.claim(scope, key, fingerprint(*request))
        if stored is not None:
            if stored.status >= 400:
                err = DomainError(stored.body["detail"])
                err.status = stored.status
                raise err
            return stored.body, True
        try:
            result = run()
        except DomainError as exc:
            if exc.status in keep:
                self.finish(scope, key, exc.status, {"detail": exc.message})
            else:
                self.release(scope, key)
            raise
        except BaseException:
            self.release(scope, key)
            raise
        self.finish(scope, key, 200, result)
        return result, False

    def _existing(self, found: Any, fp: str, now: float) -> Stored | None:
        """The stored answer of a key seen in use; None when its claim lapsed (take it)."""
        if found.fingerprint != fp:
            raise KeyReused(
                "this Idempotency-Key was already used with a different request; "
                "use a new key for a new request"
            )
        if found.state == "done":
            return Stored(found.status, json.loads(found.body))
        if found.claimed_at <= now - self.lease_s:
            return None
        raise KeyInFlight(
            "a request with this Idempotency-Key is still being processed; retry later",
        )

    def finish(
        self, scope: str, key: str, status: int, body: Any, conn: Connection | None = None
    ) -> None:
        """Store the response of a claimed key; pass ``conn`` to commit it with the work."""
        stmt = (
            update(self.table)
            .where(and_(self.table.c.scope == scope, self.table.c.key == key))
            .values(state="done", status=status, body=json.dumps(body, default=str))
        )
        if conn is not None:
            conn.execute(stmt)
            return
        with self.engine.begin() as own:
            own.execute(stmt)

    def release(self, scope: str, key: str) -> None:
        """Give a claim back: the work did not start, so the same key may run it later."""
        t = self.table
        with self.engine.begin() as conn:
            conn.execute(
                delete(t).where(and_(t.c.scope == scope, t.c.key == key, t.c.state == "running"))
            )

    def purge(self, older_than_s: float) -> int:
        """Forget keys claimed more than ``older_than_s`` ago (Stripe keeps them 24 hours)."""
        t = self.table
        with self.engine.begin() as conn:
            return conn.execute(
                delete(t).where(t.c.claimed_at < self.clock() - older_than_s)
            ).rowcount
