from __future__ import annotations

import pytest


@pytest.fixture
def user_key(client, admin_headers) -> str:
    resp = client.post(
        "/auth/keys", json={"user_id": "alice", "roles": ["user"]}, headers=admin_headers
    )
    return resp.json()["api_key"]
