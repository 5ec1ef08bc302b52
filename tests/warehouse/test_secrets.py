"""No built-in secrets: an unset one is generated once per data directory, kept 0600, and
agreed on by every process and every Settings object on that directory."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from warehouse.secrets import secret, secret_path
from warehouse.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_generated_secret_is_private_random_and_stable(tmp_path):
    first = secret(tmp_path, "notify_callback_secret")
    path = secret_path(tmp_path, "notify_callback_secret")
    assert path == tmp_path / "secrets" / "notify_callback_secret"
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    assert len(first) >= 43  # 256 random bits, URL-safe base64
    assert secret(tmp_path, "notify_callback_secret") == first
    assert secret(tmp_path, "admin_api_key") != first  # one secret per name
    assert secret(tmp_path / "other", "notify_callback_secret") != first  # per data directory


def test_an_existing_secret_file_is_read_not_replaced(tmp_path):
    path = secret_path(tmp_path, "admin_api_key")
    path.parent.mkdir()
    path.write_text("chosen-by-the-operator\n", encoding="ascii")
    assert secret(tmp_path, "admin_api_key") == "chosen-by-the-operator"


def test_concurrent_first_uses_agree_on_one_secret(tmp_path):
    barrier = threading.Barrier(8)
    got: list[str] = []

    def start() -> None:
        barrier.wait()
        got.append(secret(tmp_path, "admin_api_key"))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(got) == 8 and len(set(got)) == 1


def test_secret_names_cannot_leave_the_secrets_directory(tmp_path):
    for name in ["../admin_api_key", "a/b", "", "Admin"]:
        with pytest.raises(ValueError, match="secret name"):
            secret(tmp_path, name)


def test_the_admin_key_has_no_built_in_default(tmp_path, monkeypatch):
    monkeypatch.delenv("BLUEPRINT_ADMIN_API_KEY", raising=False)
    assert Settings.model_fields["admin_api_key"].default is None
    one = Settings(data_dir=tmp_path)
    assert one.admin_api_key and one.admin_api_key != "dev-admin-key"
    assert (tmp_path / "secrets" / "admin_api_key").read_text().strip() == one.admin_api_key
    assert _mode(tmp_path / "secrets" / "admin_api_key") == 0o600


def test_two_settings_on_one_data_dir_share_the_generated_admin_key(tmp_path, monkeypatch):
    monkeypatch.delenv("BLUEPRINT_ADMIN_API_KEY", raising=False)
    monkeypatch.setenv("BLUEPRINT_DATA_DIR", str(tmp_path))
    assert Settings().admin_api_key == Settings().admin_api_key
    assert Settings(data_dir=tmp_path / "elsewhere").admin_api_key != Settings().admin_api_key


def test_a_configured_admin_key_wins_and_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BLUEPRINT_ADMIN_API_KEY", "from-the-environment")
    assert Settings(data_dir=tmp_path).admin_api_key == "from-the-environment"
    assert not (tmp_path / "secrets").exists()


def test_the_test_session_never_uses_the_real_data_directory():
    assert Settings().data_dir.resolve() != (REPO / ".data").resolve()


def test_the_admin_headers_fixture_carries_the_generated_key(settings, admin_headers):
    key = (settings.data_dir / "secrets" / "admin_api_key").read_text().strip()
    assert admin_headers == {"X-API-Key": key}
