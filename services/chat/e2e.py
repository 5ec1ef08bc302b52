"""Client-side end-to-end encryption with PyNaCl (libsodium): keys never leave devices.

Each device has a Curve25519 key pair and publishes only the public key
(``PUT /chat/devices/{id}``). A conversation's messages are encrypted with a session key
(XSalsa20-Poly1305, ``SecretBox``) that its sender shares with every device of every member
in a ``SealedBox`` addressed to that device's public key, sent device to device
(``to_device`` frames, queued by the server until the device acknowledges them). A newly
linked device gets history as ciphertext like any device, and the keys to read it when
another device of the same user re-shares them. The server stores and relays ciphertext and
sealed boxes only. (Megolm-style ratchets, as in vodozemac, would add forward secrecy per
message; a session key here is rotated by starting a new session.)
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

import orjson
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

ALG = "xsalsa20poly1305"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


class DeviceCrypto:
    """One device's key pair and the session keys it holds, by (conversation, session)."""

    def __init__(self, private_key: PrivateKey | None = None) -> None:
        self.private_key = private_key or PrivateKey.generate()
        self.sessions: dict[tuple[str, str], bytes] = {}

    @property
    def public_key(self) -> str:
        return _b64(bytes(self.private_key.public_key))

    def new_session(self, conv: str) -> str:
        session = secrets.token_hex(8)
        self.sessions[(conv, session)] = secrets.token_bytes(SecretBox.KEY_SIZE)
        return session

    def encrypt(self, conv: str, session: str, plaintext: str) -> dict[str, Any]:
        """A message body for an encrypted conversation: no plaintext in it."""
        box = SecretBox(self.sessions[(conv, session)])
        return {"ciphertext": _b64(box.encrypt(plaintext.encode())), "alg": ALG, "session": session}

    def decrypt(self, conv: str, body: dict[str, Any]) -> str:
        """``KeyError`` when this device does not hold the session key (yet)."""
        box = SecretBox(self.sessions[(conv, body["session"])])
        return box.decrypt(base64.b64decode(body["ciphertext"])).decode()

    def share(self, conv: str, session: str, recipient_public_key: str) -> dict[str, Any]:
        """A ``to_device`` body carrying one session key, sealed to one device."""
        payload = orjson.dumps(
            {"conv": conv, "session": session, "key": _b64(self.sessions[(conv, session)])}
        )
        box = SealedBox(PublicKey(base64.b64decode(recipient_public_key)))
        return {"sealed": _b64(box.encrypt(payload))}

    def share_all(self, recipient_public_key: str) -> list[dict[str, Any]]:
        """Every session key this device holds, sealed to another device (a re-share to a
        newly linked device of the same user)."""
        return [self.share(c, s, recipient_public_key) for (c, s) in self.sessions]

    def receive(self, body: dict[str, Any]) -> tuple[str, str]:
        """Open a sealed key share addressed to this device and keep the key."""
        payload = orjson.loads(
            SealedBox(self.private_key).decrypt(base64.b64decode(body["sealed"]))
        )
        self.sessions[(payload["conv"], payload["session"])] = base64.b64decode(payload["key"])
        return payload["conv"], payload["session"]
