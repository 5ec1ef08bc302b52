"""DKIM signatures on outgoing email (RFC 6376), with ``dkimpy``.

RFC 8058 §4 lets mail receivers offer one-click unsubscribe only on messages whose DKIM
signature covers ``List-Unsubscribe`` and ``List-Unsubscribe-Post``, so every email is
signed. The RSA key is made at first start under the data directory; publish the record
``blueprint notify dkim-record`` prints in the sending domain's DNS.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# Signed even where absent (RFC 6376 §5.4.2 "oversigning"): nobody can add them later.
SIGNED_HEADERS = (
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"MIME-Version",
    b"Content-Type",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
)


def new_private_key() -> str:
    """A 2048-bit RSA key in PEM (PKCS#1), as DKIM signers and ``dkimpy`` read it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode("ascii")


@dataclass(frozen=True)
class DkimSigner:
    domain: str
    selector: str
    private_pem: str

    def sign(self, message: bytes) -> bytes:
        """``message`` (CRLF line ends) with its ``DKIM-Signature`` header prepended."""
        header = dkim.sign(
            message,
            self.selector.encode(),
            self.domain.encode(),
            self.private_pem.encode(),
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=list(SIGNED_HEADERS),
        )
        return header + message

    def dns_record(self) -> tuple[str, str]:
        """The TXT record receivers look the public key up in: ``(name, value)``."""
        key = serialization.load_pem_private_key(self.private_pem.encode(), password=None)
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        value = f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"
        return f"{self.selector}._domainkey.{self.domain}", value
