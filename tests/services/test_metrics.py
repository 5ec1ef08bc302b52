"""``/metrics`` labels requests by route template (mounted apps included, so redirects are not
"unmatched") and carries a few business figures per system."""

from __future__ import annotations


def _metrics(client) -> dict[str, float]:
    out = {}
    for line in client.get("/metrics").text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def test_redirects_count_under_their_route_template_and_as_a_business_metric(
    client, admin_headers
) -> None:
    key = client.post("/auth/keys", json={"user_id": "ann"}, headers=admin_headers).json()
    link = client.post(
        "/shortener/links",
        json={"url": "https://93.184.215.14/page"},
        headers={"X-API-Key": key["api_key"]},
    )
    assert link.status_code == 201, link.text
    before = _metrics(client).get("blueprint_shortener_redirects_total", 0.0)
    for _ in range(3):
        assert client.get(f"/s/{link.json()['code']}", follow_redirects=False).status_code in (
            301,
            302,
        )
    client.get("/definitely/not/a/route")
    after = _metrics(client)
    assert after["blueprint_shortener_redirects_total"] == before + 3
    redirects = [k for k in after if k.startswith("http_requests_total") and "/s/{path}" in k]
    assert redirects and not any("abc" in k for k in after)  # templates, never raw codes
    assert any('route="unmatched",status="404"' in k for k in after)


def test_cache_hits_and_notification_counts_are_exposed(client, admin_headers) -> None:
    client.put("/cache/keys/k1", json={"value": 1}, headers=admin_headers)
    for _ in range(2):
        assert client.get("/cache/keys/k1", headers=admin_headers).status_code == 200
    m = _metrics(client)
    assert m["blueprint_cache_hits_total"] >= 2
    assert 0 < m["blueprint_cache_hit_ratio"] <= 1
    assert "blueprint_cache_misses_total" in m


def test_notification_deliveries_are_counted_by_status(client, admin_headers) -> None:
    client.put("/notifications/users/ann", json={"email": "ann@example.org"}, headers=admin_headers)
    template = {"subject": "Hi", "body": "Hello"}
    client.put("/notifications/templates/welcome/en", json=template, headers=admin_headers)
    sent = client.post(
        "/notifications", json={"user_id": "ann", "template": "welcome"}, headers=admin_headers
    )
    assert sent.status_code in (200, 202), sent.text
    m = _metrics(client)
    counted = {k: v for k, v in m.items() if k.startswith("blueprint_notifications{")}
    assert sum(counted.values()) >= 1, counted
