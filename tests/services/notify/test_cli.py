"""``blueprint notify``: send, run a worker, list and replay the dead-letter queue."""

from __future__ import annotations

from click.testing import CliRunner

from pipelines.commands.notify import cli
from tests.services.notify.conftest import register


def test_cli_sends_works_dead_letters_and_replays(api, service_headers, sms, monkeypatch):
    register(api, service_headers, "ann")
    monkeypatch.setenv("BLUEPRINT_NOTIFY_MAX_ATTEMPTS", "2")
    runner = CliRunner()
    bad = runner.invoke(cli, ["send", "--user", "ann", "--template", "welcome", "--data", "[1]"])
    assert bad.exit_code != 0 and "JSON object" in bad.output
    missing = runner.invoke(cli, ["send", "--user", "ghost", "--template", "welcome"])
    assert missing.exit_code != 0 and "unknown user" in missing.output
    sent = runner.invoke(
        cli,
        [
            "send",
            "--user",
            "ann",
            "--template",
            "welcome",
            "--channel",
            "sms",
            "--data",
            '{"name": "Ann"}',
        ],
    )
    assert sent.exit_code == 0, sent.output
    assert "sms    pending" in sent.output
    sms.control(down=True)
    worked = runner.invoke(cli, ["worker", "--drain", "--horizon", "2", "--max-seconds", "20"])
    assert worked.exit_code == 0, worked.output
    listed = runner.invoke(cli, ["dlq", "list"])
    assert "dead=1" in listed.output and "503" in listed.output
    assert runner.invoke(cli, ["dlq", "replay"]).exit_code != 0  # needs --id or --all
    sms.control(down=False)
    assert "replayed=1" in runner.invoke(cli, ["dlq", "replay", "--all"]).output
    runner.invoke(cli, ["worker", "--drain", "--horizon", "2", "--max-seconds", "20"])
    assert [d.payload["body"] for d in sms.delivered] == ["Hello Ann, your account is ready."]
    assert "dead=0" in runner.invoke(cli, ["dlq", "list"]).output
