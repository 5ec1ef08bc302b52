"""``blueprint feed models``: list, promote, rollback (one command), evaluate."""

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from models.registry import ModelRegistry
from pipelines.cli import main
from tests.models.helpers import publish_models
from tests.models.test_assets import _fill_lake


def test_list_promote_and_rollback_in_one_command_each(settings):
    publish_models(settings.models_dir, seed=0)
    publish_models(settings.models_dir, seed=1, promote=False)
    runner = CliRunner()
    out = runner.invoke(main, ["feed", "models", "list"])
    assert out.exit_code == 0 and "v0001" in out.output and "production" in out.output
    out = runner.invoke(main, ["feed", "models", "promote", "recs", "v0002"])
    assert out.exit_code == 0, out.output
    assert ModelRegistry(settings.models_dir).production("recs") == "v0002"
    out = runner.invoke(main, ["feed", "models", "rollback", "recs"])
    assert out.exit_code == 0 and "production=v0001" in out.output
    assert ModelRegistry(settings.models_dir).production("recs") == "v0001"
    out = runner.invoke(main, ["feed", "models", "rollback", "recs"])
    assert out.exit_code != 0 and "no previous version" in out.output


def test_promote_respects_a_refusing_gate_unless_forced(settings):
    publish_models(settings.models_dir, seed=0)
    rv, _ = publish_models(settings.models_dir, seed=1, promote=False)
    reg = ModelRegistry(settings.models_dir)
    reg.update_meta("recs", rv, gate={"promote": False, "reason": "does not beat production"})
    out = CliRunner().invoke(main, ["feed", "models", "promote", "recs", rv])
    assert out.exit_code != 0 and "gate refused" in out.output
    assert (
        CliRunner().invoke(main, ["feed", "models", "promote", "recs", rv, "--force"]).exit_code
        == 0
    )


def test_evaluate_scores_production_on_the_lake(settings, emitter):
    publish_models(settings.models_dir, seed=0)
    out = CliRunner().invoke(main, ["feed", "models", "evaluate", "recs"])
    assert out.exit_code != 0 and "too little data" in out.output
    _fill_lake(settings, emitter, seed=0, start=datetime.now(UTC) - timedelta(hours=2))
    out = CliRunner().invoke(main, ["feed", "models", "evaluate", "recs"])
    assert out.exit_code == 0, out.output
    assert '"ndcg@10"' in out.output and '"version": "v0001"' in out.output


def test_help_leads_from_feed_to_the_model_commands():
    out = CliRunner().invoke(main, ["feed", "--help"])
    assert out.exit_code == 0 and "models" in out.output
    out = CliRunner().invoke(main, ["feed", "models", "--help"])
    assert out.exit_code == 0
    assert all(cmd in out.output for cmd in ("list", "promote", "rollback", "evaluate"))
