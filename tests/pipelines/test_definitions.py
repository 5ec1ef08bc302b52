def test_code_location_loads_every_system():
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    assert graph.toposorted_asset_keys
    defs.resolve_all_job_defs()


def test_cli_help_lists_core_commands():
    from click.testing import CliRunner

    from pipelines.cli import main

    out = CliRunner().invoke(main, ["--help"]).output
    for cmd in ("run", "serve", "ui", "sql"):
        assert cmd in out
