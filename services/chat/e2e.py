"""Client-side end-to-end encryption with PyNaCl (libsodium): keys never leave devices.

Each device has a Curve25519 key pair and publishes only the public key
(``PUT /chat/devices/{id}``). A conversation's messages are encrypted with a session key
(XSalsa20-Poly1305, ``SecretBox``) that its sender shares with every device of every member
in a ``SealedBox`` addressed to that device's public key, sent device to device
(``to_device`` frames, queued by the server until the device acknowledges them). A newly
linked device gets history as ciphertext like any device, and the keys to read it when
another device of the same user re-shares them. The server stores and relays ciphertext and
sealed boxes only.

A session may instead be a hash ratchet (``new_session(conv, ratchet=True)``), as Megolm's
outbound sessions are: message ``i`` is sealed with a key derived from the chain at step
``i``, and the sender moves its chain forward and forgets the old step. A share carries the
chain at the sender's current step, so a device given it reads messages from that step on
and none before (forward secrecy against a later key leak); a receiver keeps the earliest
step it was given, so it can read history from there and re-share it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

import orjson
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

ALG = "xsalsa20poly1305"
MAX_RATCHET_SKIP = 100_000  # steps a receiver derives forward for one message


def _step(chain: bytes) -> bytes:
    return hmac.new(chain, b"\x02", hashlib.sha256).digest()


def _message_key(chain: bytes) -> bytes:
    return hmac.new(chain, b"\x01", hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


class DeviceCrypto:
    """One device's key pair and the session keys it holds, by (conversation, session)."""

    def __init__(self, private_key: PrivateKey | None = None) -> None:
        self.private_key = private_key or PrivateKey.generate()
        self.sessions: dict[tuple[str, str], bytes] = {}
        # Ratcheted sessions, as (step, chain key at that step): the earliest step this
        # device may read from, and, for sessions it sends in, its current sending step.
        self.ratchets: dict[tuple[str, str], tuple[int, bytes]] = {}
        self.outbound: dict[tuple[str, str], tuple[int, bytes]] = {}

    @property
    def public_key(self) -> str:
        return _b64(bytes(self.private_key.public_key))

    def new_session(self, conv: str, *, ratchet: bool = False) -> str:
        session = secrets.token_hex(8)
        if ratchet:
            start = (0, secrets.token_bytes(32))
            self.outbound[(conv, session)] = start
            self.ratchets[(conv, session)] = start  # its own messages stay readable here
        else:
            self.sessions[(conv, session)] = secrets.token_bytes(SecretBox.KEY_SIZE)
        return session

    def encrypt(self, conv: str, session: str, plaintext: str) -> dict[str, Any]:
        """A message body for an encrypted conversation: no plaintext in it."""
        if (conv, session) in self.outbound:
            index, chain = self.outbound[(conv, session)]
            box = SecretBox(_message_key(chain))
            self.outbound[(conv, session)] = (index + 1, _step(chain))  # the old step is gone
            return {
                "ciphertext": _b64(box.encrypt(plaintext.encode())),
                "alg": ALG,
                "session": session,
                "index": index,
            }
        box = SecretBox(self.sessions[(conv, session)])
        return {"ciphertext": _b64(box.encrypt(plaintext.encode())), "alg": ALG, "session": session}

    def decrypt(self, conv: str, body: dict[str, Any]) -> str:
        """``KeyError`` when this device does not hold the session key (yet), or only from
        a later step of its ratchet."""
        if "index" in body:
            index, chain = self.ratchets[(conv, body["session"])]
            target = int(body["index"])
            if target < index or target - index > MAX_RATCHET_SKIP:
                raise KeyError(f"step {target} is not derivable from step {index}")
            for _ in range(target - index):
                chain = _step(chain)
            return (
                SecretBox(_message_key(chain))
                .decrypt(base64.b64decode(body["ciphertext"]))
                .decode()
            )
        box = SecretBox(self.sessions[(conv, body["session"])])
        return box.decrypt(base64.b64decode(body["ciphertext"])).decode()

    def share(
        self, conv: str, session: str, recipient_public_key: str, *, history: bool = False
    ) -> dict[str, Any]:
        """A ``to_device`` body carrying one session key (or a ratchet at the step this
        device holds), sealed to one device."""
        ident = (conv, session)
        if ident in self.ratchets or ident in self.outbound:
            # A new recipient reads from now on; a re-share of history from the earliest.
            mine = self.outbound.get(ident)
            index, chain = self.ratchets[ident] if history or mine is None else mine
            payload = orjson.dumps(
                {"conv": conv, "session": session, "key": _b64(chain), "index": index}
            )
        else:
            payload = orjson.dumps(
                {"conv": conv, "session": session, "key": _b64(self.sessions[(conv, session)])}
            )
        box = SealedBox(PublicKey(base64.b64decode(recipient_public_key)))
        return {"sealed": _b64(box.encrypt(payload))}

    def share_all(self, recipient_public_key: str) -> list[dict[str, Any]]:
        """Every session key this device holds, sealed to another device (a re-share to a
        newly linked device of the same user)."""
        held = [*self.sessions, *self.ratchets]
        return [self.share(c, s, recipient_public_key, history=True) for (c, s) in held]

    def receive(self, body: dict[str, Any]) -> tuple[str, str]:
        """Open a sealed key share addressed to this device and keep the key."""
        payload = orjson.loads(
            SealedBox(self.private_key).decrypt(base64.b64decode(body["sealed"]))
        )
        ident = (payload["conv"], payload["session"])
        key = base64.b64decode(payload["key"])
        if "index" in payload:
            held = self.ratchets.get(ident)
            if held is None or held[0] > payload["index"]:  # keep the earliest step
                self.ratchets[ident] = (int(payload["index"]), key)
        else:
            self.sessions[ident] = key
        return ident
