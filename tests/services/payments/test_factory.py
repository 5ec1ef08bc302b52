"""A system's gateway from its settings: the in-process local gateway on its own file by
default, none when a URL names a gateway process, and generated secrets kept across builds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.payments.factory import system_gateway, webhook_secret
from services.payments.local import LocalGatewayAdapter


@dataclass
class Conf:
    gateway: str = "local"
    gateway_url: str = ""
    gateway_api_key: str = ""
    webhook_secret: str = ""
    gateway_timeout_s: float = 1.0


def test_the_default_is_an_in_process_gateway_with_generated_secrets(tmp_path: Path):
    adapter, local = system_gateway(tmp_path, "demo", Conf())
    assert isinstance(adapter, LocalGatewayAdapter) and local is not None
    assert (tmp_path / "db" / "demo_gateway.sqlite").exists()
    assert local.api_key.startswith("sk_")
    assert local.webhook_secret == webhook_secret(tmp_path, "demo", Conf())
    again, local2 = system_gateway(tmp_path, "demo", Conf())
    assert local2 is not None and local2.api_key == local.api_key
    assert webhook_secret(tmp_path, "other", Conf()) != local.webhook_secret
    adapter.close()
    again.close()


def test_a_gateway_url_means_no_local_gateway_and_configured_secrets_win(tmp_path: Path):
    conf = Conf(gateway_url="http://127.0.0.1:9", gateway_api_key="sk_x", webhook_secret="w")
    adapter, local = system_gateway(tmp_path, "demo", conf)
    assert local is None and isinstance(adapter, LocalGatewayAdapter)
    assert not (tmp_path / "db").exists()
    assert webhook_secret(tmp_path, "demo", conf) == "w"
    adapter.close()
