"""``blueprint feed``: the news feed's tools; ``blueprint feed models`` manages its models.

blueprint feed models list [--name recs|ranker] [--json]
blueprint feed models promote recs v0003 [--force]
blueprint feed models rollback ranker
blueprint feed models evaluate recs [--version v0002]
"""

from __future__ import annotations

import json

import click

from pipelines.commands import system_service

NAMES = click.Choice(["recs", "ranker"])


@click.group("feed")
def cli() -> None:
    """News feed (system 8): the ranked feed's models and their registry."""


@cli.group("models")
def models() -> None:
    """The recommender (recs) and feed ranker (ranker): versions, stages (production,
    previous), promotion, rollback and evaluation. The API picks up a new production version
    within a second, without a restart."""


@models.command("list")
@click.option("--name", type=NAMES, default=None, help="Only this model (default: all).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_versions(name: str | None, as_json: bool) -> None:
    """Every version with its stage, main metrics, data range and creation time."""
    from models.registry import RegistryError

    rows = []
    with system_service("feed") as feed:
        reg = feed.registry
        for n in [name] if name else reg.names():
            try:
                listing = reg.listing(n)
            except RegistryError as exc:
                raise click.ClickException(str(exc)) from exc
            for meta in listing:
                metrics = meta.get("metrics", {})
                keep = ("ndcg@10", "precision@10", "auc")
                rows.append(
                    {
                        "name": n,
                        "version": meta["version"],
                        "stage": meta["stage"],
                        "metrics": {k: v for k, v in metrics.items() if k in keep},
                        "partitions": meta.get("snapshot", {}).get("partitions"),
                        "created": meta.get("created"),
                        "error": meta.get("error"),
                    }
                )
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        click.echo("no model versions yet (run `blueprint run` or materialise the feed group)")
    for r in rows:
        metrics = " ".join(f"{k}={v:.4f}" for k, v in r["metrics"].items())
        click.echo(
            f"{r['name']:7} {r['version']}  {r['stage'] or '-':10} {metrics:40} "
            f"data={r['partitions']} created={r['created']}"
            + (f" ERROR {r['error']}" if r["error"] else "")
        )


@models.command()
@click.argument("name", type=NAMES)
@click.argument("version")
@click.option("--force", is_flag=True, help="Promote even if its gate said no.")
def promote(name: str, version: str, force: bool) -> None:
    """Make VERSION of NAME production by hand (the gate's verdict is respected unless
    --force)."""
    from models.registry import RegistryError

    with system_service("feed") as feed:
        reg = feed.registry
        try:
            gate = reg.meta(name, version).get("gate")
            if gate and not gate.get("promote") and not force:
                raise click.ClickException(
                    f"gate refused {version}: {gate.get('reason')} (use --force to override)"
                )
            st = reg.promote(name, version, reason="manual promotion" + (" (forced)" * force))
        except RegistryError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{name}: production={st['production']} previous={st['previous']}")


@models.command()
@click.argument("name", type=NAMES)
def rollback(name: str) -> None:
    """Put the previous version of NAME back into production."""
    from models.registry import RegistryError

    with system_service("feed") as feed:
        try:
            st = feed.registry.rollback(name)
        except RegistryError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{name}: production={st['production']} previous={st['previous']}")


@models.command()
@click.argument("name", type=NAMES)
@click.option("--version", default=None, help="Version to evaluate (default: production).")
def evaluate(name: str, version: str | None) -> None:
    """Score a version of NAME on the lake now: recs on the newest 20% of events, the ranker on
    the newest window of exposures against reverse-chronological and popularity order (the
    window may overlap its own training data)."""
    from models.bundle import RecBundle
    from models.feed_eval import compare, split_windows
    from models.interactions import load_events
    from models.ranker import FeedRanker, TooLittleData
    from models.training import evaluate_recs, popularity_bundle, prepare
    from warehouse.lake import Lake
    from warehouse.settings import get_settings

    with system_service("feed") as feed:
        reg = feed.registry
        version = version or reg.production(name)
        if not version:
            raise click.ClickException(f"{name} has no production version; pass --version")
        events = load_events(Lake(get_settings().lake_dir))
        try:
            if name == "recs":
                prep = prepare(events)
                bundle = RecBundle.load(reg.artifact(name, version))
                out = {"version": version, **evaluate_recs(bundle, prep)}
                out["popularity_ndcg@10"] = evaluate_recs(popularity_bundle(prep), prep)["ndcg@10"]
            else:
                _, test, split = split_windows(events)
                ranker = FeedRanker.load(reg.artifact(name, version))
                out = {"version": version, **split, **compare(test, ranker.pipeline)}
        except TooLittleData as exc:
            raise click.ClickException(f"too little data in the lake to evaluate: {exc}") from exc
        except Exception as exc:
            raise click.ClickException(f"could not evaluate {name} {version}: {exc}") from exc
    click.echo(json.dumps(out, indent=2, default=float))
