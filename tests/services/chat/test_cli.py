"""``blueprint chat send`` and ``listen`` against a real server, and ``audit``'s exit code."""

from __future__ import annotations

import orjson
from click.testing import CliRunner

from pipelines.commands.chat import cli
from tests.services.chat.helpers import create


def test_send_prints_the_seq_and_listen_prints_what_arrived(server):
    ka, kb = server.api_key("alice"), server.api_key("bob")
    conv = create(server, ka, ["bob"])["id"]
    runner = CliRunner()
    sent = runner.invoke(
        cli,
        ["send", "--conv", conv, "--text", "hello bob", "--url", server.ws_url, "--api-key", ka],
    )
    assert sent.exit_code == 0, sent.output
    assert orjson.loads(sent.output)["seq"] == 4
    heard = runner.invoke(
        cli,
        ["listen", "--url", server.ws_url, "--api-key", kb, "--count", "2", "--timeout", "20"],
    )
    assert heard.exit_code == 0, heard.output
    frames = [orjson.loads(line) for line in heard.stdout.splitlines() if line.startswith("{")]
    assert [(f["seq"], f["kind"]) for f in frames] == [(3, "member_added"), (4, "message")]
    assert frames[1]["body"] == {"text": "hello bob"}


def test_send_to_a_conversation_of_others_exits_1_with_the_reason(server):
    ka = server.api_key("alice")
    server.api_key("bob")
    server.api_key("carol")
    conv = create(server, server.api_key("bob"), ["carol"])["id"]
    result = CliRunner().invoke(
        cli, ["send", "--conv", conv, "--text", "hi", "--url", server.ws_url, "--api-key", ka]
    )
    assert result.exit_code == 1
    assert "403" in result.output and "not a member" in result.output
