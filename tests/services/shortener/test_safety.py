"""Open-redirect payloads through the API: refused with 422, and stored only in normal form.

The shortener used to read the host with ``urlsplit`` (no percent-decoding, no WHATWG host
parsing) and let a name that did not resolve through, so ``http://%31%32%37...`` was stored
and its redirect sent curl, browsers and ``fetch`` to 127.0.0.1.
"""

import pytest

from services.shortener.settings import ShortenerSettings

PERCENT_ENCODED_PAYLOADS = [
    "http://%31%32%37%2e%30%2e%30%2e%31:18099/x",
    "http://127.0.0.%31/",
    "http://%6c%6f%63%61%6c%68%6f%73%74/",
    "http://%31%36%39.254.169.254/latest/meta-data/",
    "http://%31%30.0.0.1/",
    "http://127%2E0%2E0%2E1/",
]
OTHER_SPELLINGS_OF_PRIVATE_HOSTS = [
    "http://2130706433/",
    "http://0x7f.1/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://0xa9fea9fe/latest/meta-data/",
    "http://[::ffff:7f00:1]/",
    "http://[64:ff9b::a00:1]/",
    "http://１２７.０.０.１/",
    "http://ⓛocalhost/",
    "http://example.com@127.0.0.1/",
    "http://127.0.0.1#@example.com/",
    "http:\\\\127.0.0.1",
]


@pytest.mark.parametrize("url", PERCENT_ENCODED_PAYLOADS + OTHER_SPELLINGS_OF_PRIVATE_HOSTS)
def test_private_hosts_in_any_spelling_get_a_422_that_says_why(client, shorten, alice, url):
    r = shorten(url)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail.startswith("refused: ")
    assert any(word in detail for word in ("loopback", "private", "link-local", "user name"))
    assert client.get("/shortener/links", headers=alice).json() == []  # nothing stored


def test_a_percent_encoded_spelling_of_the_shortener_itself_is_refused(client, shorten):
    client.app.state.services["shortener"].public_base_url = "https://sho.rt"
    for url in ("https://sho%2ert/x", "https://SHO.RT./x", "http://sho.rt/x"):
        r = shorten(url)
        assert r.status_code == 422 and "itself" in r.json()["detail"], url
    # The default base, http://127.0.0.1:8000, spelled in percent-encoding.
    client.app.state.services["shortener"].public_base_url = "http://127.0.0.1:8000"
    r = shorten("http://%31%32%37.0.0.1:8000/s/abcdefg")
    assert r.status_code == 422 and "itself" in r.json()["detail"]


def test_the_stored_and_redirected_url_is_the_normalised_one(client, shorten):
    r = shorten("HTTPS://Example.COM:443/a/./b/../c?q=ü#frag")
    assert r.status_code == 201
    assert r.json()["url"] == "https://example.com/a/c?q=%C3%BC#frag"
    resp = client.get(f"/s/{r.json()['code']}", follow_redirects=False)
    assert resp.headers["location"] == "https://example.com/a/c?q=%C3%BC#frag"
    backslashes = shorten("https:\\\\www.example.org\\docs\\x y")
    assert backslashes.status_code == 201
    assert backslashes.json()["url"] == "https://www.example.org/docs/x%20y"


def test_names_that_do_not_resolve_are_refused_unless_the_setting_allows_them(client, shorten):
    r = shorten("https://no-such-host.invalid/x")
    assert r.status_code == 422 and "does not resolve" in r.json()["detail"]
    svc = client.app.state.services["shortener"]
    svc.conf = svc.conf.model_copy(update={"allow_unresolvable_targets": True})
    r = shorten("https://No-Such-Host.invalid/x")
    assert r.status_code == 201 and r.json()["url"] == "https://no-such-host.invalid/x"
    # Allowing unresolvable names does not let a private literal through.
    assert shorten("http://%31%32%37.0.0.1/").status_code == 422


def test_allow_unresolvable_targets_reads_its_environment_variable(monkeypatch):
    assert ShortenerSettings().allow_unresolvable_targets is False
    monkeypatch.setenv("BLUEPRINT_SHORTENER_ALLOW_UNRESOLVABLE_TARGETS", "true")
    assert ShortenerSettings().allow_unresolvable_targets is True
