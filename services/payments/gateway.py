"""The local payment gateway: Stripe's payment-intent semantics over its own database.

It is what the embedded default pays through and what chaos tests break. ``LocalGateway.
request`` is its whole HTTP surface as a function (method, path, form parameters, headers in;
status and JSON body out), served by ``gateway_app`` as a process or called in-process.

- Payment intents: created with ``confirm=true`` they authorise at once (``capture_method=
  manual``: ``requires_capture``; ``automatic``: ``succeeded``); then capture, cancel, and
  refunds (``POST /v1/refunds``), with Stripe's state rules and error shapes.
- ``Idempotency-Key`` on every POST, with Stripe's rules (``services.payments.idempotency``);
  the response is stored in the same transaction as the effect, so a crash cannot separate
  them. Requests refused before they started (bad parameters, an injected failure) store
  nothing, so a retry with the key runs.
- Every state change appends an event (``payment_intent.succeeded``, ``charge.refunded``, ...)
  to an outbox, delivered signed to the webhook endpoint at least once.
- Chaos, on command (``Chaos``): fail the next requests (503 before acting), time them out
  or drop their responses *after* committing, hold them in flight, or deliver webhooks twice.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from services.payments.adapter import DECLINING
from services.payments.gateway_chaos import Chaos
from services.payments.gateway_tables import (
    CANCEL,
    CAPTURE_ALL,
    CAPTURE_PART,
    INSERT_EVENT,
    INSERT_INTENT,
    SELECT_INTENT,
    events,
    idempotency,
    intents,
    metadata,
    refunds,
)
from services.payments.gateway_wire import (
    MAX_AMOUNT,
    Reply,
    RequestError,
    int_param,
    intent_json,
    new_id,
    unexpected_state,
)
from services.payments.idempotency import IdempotencyStore, KeyInFlight, KeyReused, fingerprint
from services.payments.webhooks import sign


class LocalGateway:
    """Payment intents, refunds, idempotency, a webhook outbox and chaos, over ``engine``."""

    def __init__(
        self,
        engine: Engine,
        *,
        api_key: str,
        webhook_secret: str,
        webhook_sink: Callable[[bytes, str], bool] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        metadata.create_all(engine)
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.webhook_sink = webhook_sink
        self.clock = clock
        self.chaos = Chaos()
        self.keys = IdempotencyStore(engine, idempotency, clock=clock)
        self._deliver_lock = threading.Lock()

    # -- the HTTP surface ------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        params: dict[str, Any],
        headers: Mapping[str, str],
    ) -> Reply:
        """Answer one API request as Stripe would (headers: case-insensitive mapping)."""
        auth = headers.get("authorization", "")
        if not secrets.compare_digest(auth.encode(), f"Bearer {self.api_key}".encode()):
            return RequestError(401, "invalid_request_error", "invalid API key").reply()
        try:
            op = self._route(method.upper(), path)
        except RequestError as exc:
            return exc.reply()
        if self.chaos.take("fail"):
            return RequestError(503, "api_error", "injected failure; nothing was done").reply()
        key = headers.get("idempotency-key")
        if method.upper() != "POST" or not key:
            try:
                with self.engine.begin() as conn:
                    reply = op(conn, params)
            except RequestError as exc:
                return exc.reply()
            return self._after(reply)
        fp = fingerprint(method, path, params)
        try:
            if self.chaos.delay_s:
                return self._after(self._in_flight(op, key, fp, params))
            stored, replayed = self.keys.run_once(
                self.api_key, key, fp, lambda conn: _answer(op(conn, params))
            )
        except KeyReused as exc:
            return RequestError(422, "idempotency_error", exc.message).reply()
        except KeyInFlight as exc:
            return RequestError(409, "idempotency_error", exc.message).reply()
        except ValueError as exc:
            return RequestError(400, "invalid_request_error", str(exc)).reply()
        except RequestError as exc:  # refused before it acted: nothing was remembered
            return exc.reply()
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return self._after(Reply(stored.status, stored.body, headers))

    def _in_flight(
        self, op: Callable[[Connection, dict[str, Any]], Reply], key: str, fp: str, params: dict
    ) -> Reply:
        """A request held in flight (chaos ``delay_s``): its key is claimed in a transaction of
        its own first, so that others see it running (409) while it waits without holding the
        database's write lock; then the work and its stored answer commit together."""
        stored = self.keys.claim(self.api_key, key, fp)
        if stored is not None:
            return Reply(stored.status, stored.body, {"Idempotent-Replayed": "true"})
        time.sleep(self.chaos.delay_s)
        try:
            with self.engine.begin() as conn:
                reply = op(conn, params)
                self.keys.finish(self.api_key, key, reply.status, reply.body, conn=conn)
        except BaseException:  # refused before it acted, or failed: the key is free again
            self.keys.release(self.api_key, key)
            raise
        return reply

    def _after(self, reply: Reply) -> Reply:
        if self.chaos.take("drop"):
            reply.fault = "drop"
        elif self.chaos.take("timeout"):
            reply.fault = "timeout"
        return reply

    def _route(self, method: str, path: str) -> Callable[[Connection, dict[str, Any]], Reply]:
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["v1", "payment_intents"]:
            if len(parts) == 2 and method == "POST":
                return self._create
            if len(parts) == 3 and method == "GET":
                return lambda conn, _p: Reply(200, intent_json(self._load(conn, parts[2])))
            if len(parts) == 4 and method == "POST" and parts[3] in ("capture", "cancel"):
                action = self._capture if parts[3] == "capture" else self._cancel
                return lambda conn, p: action(conn, parts[2], p)
        if parts == ["v1", "refunds"] and method == "POST":
            return self._refund
        raise RequestError(404, "invalid_request_error", f"unrecognised request URL {path}")

    # -- operations ------------------------------------------------------------------------

    def _load(self, conn: Connection, intent_id: str) -> dict[str, Any]:
        row = conn.execute(SELECT_INTENT, {"pi": intent_id}).first()
        if row is None:
            raise RequestError(
                404,
                "invalid_request_error",
                f"no such payment_intent: {intent_id}",
                "resource_missing",
            )
        return dict(row._mapping)

    def _create(self, conn: Connection, p: dict[str, Any]) -> Reply:
        amount = int_param(p.get("amount"), "amount", 1, MAX_AMOUNT)
        currency = str(p.get("currency", ""))
        if not re.fullmatch(r"[a-z]{3}", currency):
            raise RequestError(400, "invalid_request_error", "currency must be 3 lowercase letters")
        capture_method = p.get("capture_method", "automatic")
        if capture_method not in ("automatic", "manual"):
            raise RequestError(400, "invalid_request_error", "capture_method: automatic|manual")
        meta = p.get("metadata", {})
        if not isinstance(meta, dict) or len(meta) > 50:
            raise RequestError(400, "invalid_request_error", "metadata: at most 50 keys")
        method = p.get("payment_method")
        confirm = str(p.get("confirm", "false")).lower() == "true"
        if confirm and not method:
            raise RequestError(400, "invalid_request_error", "confirm needs a payment_method")
        row = {
            "id": new_id("pi"),
            "amount": amount,
            "currency": currency,
            "status": "requires_payment_method" if not method else "requires_confirmation",
            "capture_method": capture_method,
            "payment_method": method,
            "amount_captured": 0,
            "amount_refunded": 0,
            "captures": 0,
            "metadata": json.dumps({str(k): str(v) for k, v in meta.items()}, sort_keys=True),
            "last_error": None,
            "created": self.clock(),
        }
        if confirm and method in DECLINING:
            row["status"] = "requires_payment_method"
            row["last_error"] = json.dumps({"code": "card_declined", "decline_code": "generic"})
            conn.execute(INSERT_INTENT, row)
            self._event(conn, "payment_intent.payment_failed", intent_json(row))
            # The endpoint ran: the failed intent and its answer are kept, like a success.
            return RequestError(
                402, "card_error", "Your card was declined.", "card_declined"
            ).reply()
        if confirm and capture_method == "manual":
            row["status"] = "requires_capture"
        elif confirm:
            row.update(status="succeeded", amount_captured=amount, captures=1)
        conn.execute(INSERT_INTENT, row)
        body = intent_json(row)
        if row["status"] == "requires_capture":
            self._event(conn, "payment_intent.amount_capturable_updated", body)
        elif row["status"] == "succeeded":
            self._event(conn, "payment_intent.succeeded", body)
        return Reply(200, body)

    def _capture(self, conn: Connection, intent_id: str, p: dict[str, Any]) -> Reply:
        params: dict[str, Any] = {"pi": intent_id}
        if "amount_to_capture" in p:
            row = self._load(conn, intent_id)
            params["to_capture"] = int_param(
                p["amount_to_capture"], "amount_to_capture", 1, row["amount"]
            )
        # One statement checks the state, moves the money and reads the intent back.
        row = _one_or_none(
            conn.execute(CAPTURE_PART if "to_capture" in params else CAPTURE_ALL, params)
        )
        if row is None:
            raise unexpected_state(self._load(conn, intent_id), "capture")
        body = intent_json(row)
        self._event(conn, "payment_intent.succeeded", body)
        return Reply(200, body)

    def _cancel(self, conn: Connection, intent_id: str, _p: dict[str, Any]) -> Reply:
        row = _one_or_none(conn.execute(CANCEL, {"pi": intent_id}))
        if row is None:
            raise unexpected_state(self._load(conn, intent_id), "cancel")
        body = intent_json(row)
        self._event(conn, "payment_intent.canceled", body)
        return Reply(200, body)

    def _refund(self, conn: Connection, p: dict[str, Any]) -> Reply:
        intent_id = p.get("payment_intent")
        if not isinstance(intent_id, str):
            raise RequestError(400, "invalid_request_error", "payment_intent is required")
        row = self._load(conn, intent_id)
        if row["status"] != "succeeded":
            raise unexpected_state(row, "refund")
        left = row["amount_captured"] - row["amount_refunded"]
        if left <= 0:
            raise RequestError(
                400, "invalid_request_error", "charge already refunded", "charge_already_refunded"
            )
        amount = left if p.get("amount") is None else int_param(p.get("amount"), "amount", 1, left)
        done = conn.execute(
            update(intents)
            .where(
                and_(
                    intents.c.id == intent_id,
                    intents.c.amount_captured - intents.c.amount_refunded >= amount,
                )
            )
            .values(amount_refunded=intents.c.amount_refunded + amount)
        ).rowcount
        if not done:
            raise RequestError(400, "invalid_request_error", "refund exceeds what is left")
        refund = {
            "id": new_id("re"),
            "payment_intent": intent_id,
            "amount": amount,
            "created": self.clock(),
        }
        conn.execute(insert(refunds).values(**refund))
        self._event(conn, "charge.refunded", intent_json(self._load(conn, intent_id)))
        return Reply(
            200,
            {
                "object": "refund",
                "status": "succeeded",
                "currency": row["currency"],
                **{**refund, "created": int(refund["created"])},
            },
        )

    # -- webhooks --------------------------------------------------------------------------

    def _event(self, conn: Connection, type_: str, obj: dict[str, Any]) -> None:
        event_id = new_id("evt")
        payload = {
            "id": event_id,
            "object": "event",
            "type": type_,
            "created": int(self.clock()),
            "data": {"object": obj},
        }
        conn.execute(INSERT_EVENT, {"id": event_id, "type": type_, "payload": json.dumps(payload)})

    def deliver_webhooks(self, limit: int = 100) -> int:
        """Send undelivered events, signed, oldest first; returns how many were accepted.
        Their outcomes are recorded together, in one transaction after the batch (a crash
        before it only means a redelivery, which receivers de-duplicate)."""
        if self.webhook_sink is None:
            return 0
        with self._deliver_lock:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(events.c.seq, events.c.payload)
                    .where(events.c.delivered.is_(False))
                    .order_by(events.c.seq)
                    .limit(limit)
                ).all()
            if not rows:
                return 0
            outcome: dict[bool, list[int]] = {True: [], False: []}
            for row in rows:
                body = row.payload.encode()
                copies = 2 if self.chaos.take("duplicate_webhooks") else 1
                ok = False
                for _ in range(copies):
                    # A failed delivery is retried on a later pass.
                    with contextlib.suppress(Exception):
                        ok = bool(self.webhook_sink(body, sign(body, self.webhook_secret))) or ok
                outcome[ok].append(row.seq)
            with self.engine.begin() as conn:
                for ok, seqs in outcome.items():
                    if seqs:
                        conn.execute(
                            update(events)
                            .where(events.c.seq.in_(seqs))
                            .values(delivered=ok, attempts=events.c.attempts + 1)
                        )
        return len(outcome[True])

    # -- what the chaos tests count --------------------------------------------------------

    def charges_by(self, metadata_key: str) -> dict[str, int]:
        """Net charges per value of one metadata key: intents whose captured money was not
        all refunded. A booking with two here was charged twice."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(intents.c.metadata).where(
                    intents.c.amount_captured - intents.c.amount_refunded > 0
                )
            ).all()
        counts: dict[str, int] = {}
        for row in rows:
            value = json.loads(row.metadata).get(metadata_key)
            if value is not None:
                counts[value] = counts.get(value, 0) + 1
        return counts

    def totals(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(intents.c.amount_captured), 0),
                    func.coalesce(func.sum(intents.c.amount_refunded), 0),
                    func.coalesce(func.max(intents.c.captures), 0),
                )
            ).one()
        return {"intents": row[0], "captured": row[1], "refunded": row[2], "max_captures": row[3]}


def _one_or_none(result: Any) -> dict[str, Any] | None:
    rows = result.mappings().all()
    return dict(rows[0]) if rows else None


def _answer(reply: Reply) -> tuple[int, dict[str, Any]]:
    return reply.status, reply.body
