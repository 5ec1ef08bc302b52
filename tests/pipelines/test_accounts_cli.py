"""Getting started as a user: ``blueprint accounts create NAME`` prints a key that works, and the
admin key on a route that acts as a user says to create one."""

from __future__ import annotations

from click.testing import CliRunner

from pipelines.cli import main


def test_accounts_create_prints_a_user_key_that_the_api_accepts(client, settings) -> None:
    result = CliRunner().invoke(main, ["accounts", "create", "alice"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith("bp_") and "\n" not in key  # stdout is the key alone: KEY=$(...)
    me = client.get("/auth/me", headers={"X-API-Key": key})
    assert me.status_code == 200 and me.json() == {"user_id": "alice", "roles": ["user"]}
    profile = client.post(
        "/social/users", json={"display_name": "Alice"}, headers={"X-API-Key": key}
    )
    assert profile.status_code == 201, profile.text
    assert client.get("/feed", headers={"X-API-Key": key}).status_code == 200


def test_accounts_create_refuses_a_bad_id_or_role_with_a_reason_and_exit_code(settings) -> None:
    bad_id = CliRunner().invoke(main, ["accounts", "create", "Not A Name"])
    assert bad_id.exit_code == 1 and "lowercase" in bad_id.output
    bad_role = CliRunner().invoke(main, ["accounts", "create", "bob", "--role", "wizard"])
    assert bad_role.exit_code == 2 and "wizard" in bad_role.output


def test_the_admin_key_on_a_users_route_is_403_saying_how_to_create_a_user(
    client, admin_headers
) -> None:
    for method, path in (("GET", "/feed"), ("GET", "/social/timeline"), ("POST", "/social/users")):
        resp = client.request(method, path, headers=admin_headers, json={})
        assert resp.status_code == 403, (path, resp.text)
        assert "blueprint accounts create" in resp.json()["detail"]
