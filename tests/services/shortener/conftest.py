import pytest

# The documentation domains (RFC 2606) stand for public sites in these tests: a fake resolver
# gives them one public address, and every other name does not resolve. No test reaches DNS.
PUBLIC_ADDRESS = "93.184.215.14"
PUBLIC_DOMAINS = ("example.com", "example.org", "example.net", "xn--exmple-cua.com")


def public_resolver(host: str) -> list[str]:
    name = host.rstrip(".").lower()
    if any(name == d or name.endswith("." + d) for d in PUBLIC_DOMAINS):
        return [PUBLIC_ADDRESS]
    return []


@pytest.fixture
def client(client):
    """The platform app, its shortener resolving names through ``public_resolver``."""
    client.app.state.services["shortener"].resolver = public_resolver
    return client


@pytest.fixture
def user_headers(client, admin_headers):
    def make(user="alice"):
        r = client.post(
            "/auth/keys", json={"user_id": user, "roles": ["user"]}, headers=admin_headers
        )
        return {"X-API-Key": r.json()["api_key"]}

    return make


@pytest.fixture
def alice(user_headers):
    return user_headers("alice")


@pytest.fixture
def shorten(client, alice):
    def go(url="https://example.com/page", headers=None, **extra):
        return client.post("/shortener/links", json={"url": url, **extra}, headers=headers or alice)

    return go
