import pytest


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
