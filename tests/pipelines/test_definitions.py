def test_cli_help_lists_core_commands():
    from click.testing import CliRunner

    from pipelines.cli import main

    out = CliRunner().invoke(main, ["--help"]).output
    for cmd in ("run", "serve", "ui", "daemon", "sql", "ingest"):
        assert cmd in out
