from __future__ import annotations

import json

from click.testing import CliRunner

from pipelines.commands.video import cli
from tests.media.clips import clip, hostile


def test_probe_command_prints_facts_or_the_rejection_reason() -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["probe", str(clip())])
    assert ok.exit_code == 0 and json.loads(ok.output)["width"] == 640
    bad = runner.invoke(cli, ["probe", str(hostile("m3u8-file"))])
    assert bad.exit_code == 2 and "playlists" in bad.output


def test_ladder_command_writes_both_manifests(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["ladder", str(clip(640, 360, 2.0)), str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "master.m3u8").exists() and (tmp_path / "o" / "manifest.mpd").exists()
    assert "640x360 @ 365 kbps" in result.output


def test_import_list_and_search_go_through_the_video_service(settings) -> None:
    runner = CliRunner()
    imported = runner.invoke(
        cli, ["import", str(clip()), "--title", "Cats on skis", "--tags", "cats,winter"]
    )
    assert imported.exit_code == 0, imported.output
    vid = imported.output.strip()
    listed = runner.invoke(cli, ["list"])
    assert listed.exit_code == 0 and listed.output.startswith(f"{vid}  'Cats on skis'  640x360")
    assert "not transcoded" in listed.output
    assert runner.invoke(cli, ["search", "winter"]).output.startswith(vid)
    assert runner.invoke(cli, ["search", "zebra"]).output.strip() == "no videos found"
    bad = runner.invoke(cli, ["import", str(hostile("ffconcat"))])
    assert bad.exit_code == 2 and "rejected:" in bad.output
    assert len(runner.invoke(cli, ["list"]).output.strip().splitlines()) == 1
