"""TLS for the edges: a local certificate authority made once under the data directory, and a
leaf certificate for the CDN's name issued from it at each edge start.

Clients trust the CA (``ca.pem``; ``httpx.Client(verify=client_context(ca))``) and verify the
edge's certificate for the CDN's name (``cdn.blueprint.test`` by default), its
``<edge>.<zone>`` name, ``localhost`` and ``127.0.0.1``. Keys are EC P-256 (fast handshakes),
written with mode 0600 in a 0700 directory, atomically (write then rename), so concurrent
starts never read half a file. Built on ``cryptography``, already a dependency.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
LEAF_DAYS = 90


@dataclass(frozen=True)
class TlsFiles:
    """The CA certificate clients trust, and one leaf certificate with its key."""

    ca: Path
    cert: Path
    key: Path


def _write(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def ensure_ca(directory: Path, name: str = "System Blueprints local CDN CA") -> Path:
    """The CA under ``directory`` (``ca.pem``, ``ca-key.pem``), made on first use."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    cert_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    if cert_path.exists() and key_path.exists():
        return cert_path
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(key_path, _key_pem(key), 0o600)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return cert_path


def issue_leaf(directory: Path, stem: str, names: list[str], ips: list[str]) -> TlsFiles:
    """A server certificate for ``names`` and ``ips`` signed by the CA in ``directory``
    (``<stem>.pem``, ``<stem>-key.pem``)."""
    ca_path = ensure_ca(directory)
    ca_cert = x509.load_pem_x509_certificate(ca_path.read_bytes())
    ca_key = serialization.load_pem_private_key((directory / "ca-key.pem").read_bytes(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    san = [x509.DNSName(n) for n in dict.fromkeys(names)] + [
        x509.IPAddress(ipaddress.ip_address(ip)) for ip in dict.fromkeys(ips)
    ]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=LEAF_DAYS))
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{stem}.pem", directory / f"{stem}-key.pem"
    _write(key_path, _key_pem(key), 0o600)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return TlsFiles(ca_path, cert_path, key_path)


def edge_certificate(data_dir: Path, edge: str, zone: str) -> TlsFiles:
    """The leaf of edge ``edge``: the CDN's name ``zone``, ``<edge>.<zone>``, ``localhost``
    and ``127.0.0.1``, under ``<data_dir>/cdn/tls``."""
    names = [zone, f"{edge}.{zone}".lower(), "localhost"]
    return issue_leaf(Path(data_dir) / "cdn" / "tls", edge, names, ["127.0.0.1"])


def client_context(ca: Path | str) -> ssl.SSLContext:
    """A client context that trusts only the local CA and verifies host names."""
    return ssl.create_default_context(cafile=str(ca))
