"""TLS at the edges: a certificate for the CDN's name from a local CA made at start; clients
that trust the CA connect, others fail verification."""

from __future__ import annotations

import socket
import ssl
import stat

import httpx
import pytest
from cryptography import x509

from services.cdn.process import start_edge
from services.cdn.settings import CdnSettings
from services.cdn.tls import client_context, ensure_ca
from tests.services.cdn.helpers import ScriptedOrigin

ZONE = CdnSettings().dns_zone


@pytest.fixture(scope="module")
def tls_edge(cdn_settings):
    origin = ScriptedOrigin().start()
    with start_edge(origin.url, name="edge-tls", settings=cdn_settings, tls=True) as edge:
        yield origin, edge
    origin.stop()


def test_a_client_trusting_the_local_ca_gets_cached_answers_over_https(tls_edge) -> None:
    origin, edge = tls_edge
    assert edge.url.startswith("https://") and edge.ca is not None
    with httpx.Client(verify=client_context(edge.ca), trust_env=False, timeout=10) as http:
        first = http.get(edge.url + "/tls?cc=max-age%3D60")
        second = http.get(edge.url + "/tls?cc=max-age%3D60")
    assert first.status_code == 200 and second.headers["x-cache"].startswith("HIT")
    assert origin.counts["/tls?cc=max-age%3D60"] == 1


def test_clients_that_do_not_trust_the_ca_fail_verification(tls_edge, tmp_path) -> None:
    _, edge = tls_edge
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(edge.url + "/healthz", trust_env=False, timeout=5)  # system trust store
    other = ensure_ca(tmp_path / "other-ca")
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(edge.url + "/healthz", verify=client_context(other), trust_env=False)
    with pytest.raises(httpx.RemoteProtocolError):  # plain HTTP to a TLS port
        httpx.get(edge.url.replace("https", "http") + "/healthz", trust_env=False, timeout=5)


def _handshake(port: int, ca, server_name: str) -> x509.Certificate:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        client_context(ca).wrap_socket(raw, server_hostname=server_name) as tls,
    ):
        return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))


def test_the_certificate_covers_the_cdn_name_and_its_keys_are_private(tls_edge) -> None:
    _, edge = tls_edge
    cert = _handshake(edge.port, edge.ca, ZONE)  # verified for the CDN's name
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ZONE in san.get_values_for_type(x509.DNSName)
    assert f"edge-tls.{ZONE}" in san.get_values_for_type(x509.DNSName)
    assert "127.0.0.1" in {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(edge.port, edge.ca, "not-the-cdn.example")
    tls_dir = edge.ca.parent
    for key in ("ca-key.pem", "edge-tls-key.pem"):
        assert stat.S_IMODE((tls_dir / key).stat().st_mode) == 0o600
    assert stat.S_IMODE(tls_dir.stat().st_mode) == 0o700


def test_the_control_plane_trusts_the_local_ca_for_probes_and_preloads(
    client, admin_headers, settings
) -> None:
    origin = ScriptedOrigin().start()
    try:
        with start_edge(origin.url, name="edge-tls-cp", settings=settings, tls=True) as edge:
            reg = {"name": edge.name, "url": edge.url, "region": "eu-west", "token": edge.token}
            assert client.post("/cdn/edges", json=reg, headers=admin_headers).status_code == 201
            [probed] = client.post("/cdn/health/check", headers=admin_headers).json()
            assert probed["healthy"], probed["last_error"]
            body = {"paths": ["/warm-tls?cc=max-age%3D60"]}
            done = client.post("/cdn/preload", json=body, headers=admin_headers).json()
            assert done["results"][0]["paths"][0]["result"] == "stored"
            hit = httpx.get(edge.url + body["paths"][0], verify=edge.verify(), trust_env=False)
            assert hit.headers["x-cache"].startswith("HIT")
    finally:
        origin.stop()
