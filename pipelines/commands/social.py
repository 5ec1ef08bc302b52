"""``blueprint social``: trending hashtags, full-text search and profiles from the terminal."""

from __future__ import annotations

import click

from pipelines.commands import system_service


def _post_line(post) -> str:
    text = post.text.replace("\n", " ")[:80] or f"(repost of post {post.repost_of})"
    return f"{post.id:>8}  @{post.author}: {text}  [{post.likes} likes, {post.reposts} reposts]"


@click.group("social")
def cli() -> None:
    """Social network tools (system 2)."""


@cli.command()
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 200))
def trends(limit: int) -> None:
    """The trending hashtags of the latest social_trends asset run, best first."""
    with system_service("social") as svc:
        computed_at, items = svc.trends(limit)
    if computed_at is None:
        click.echo("no trends yet: materialise the social_trends asset (blueprint run does)")
        return
    click.echo(f"trends computed at {computed_at.isoformat(timespec='seconds')}")
    if not items:
        click.echo("nothing is trending")
    for rank, t in enumerate(items, start=1):
        click.echo(
            f"{rank:>3}. #{t['tag']:<24} score={t['score']:.1f} observed={t['observed']} "
            f"expected={t['expected']:.2f} authors={t['authors']}"
        )


@cli.command()
@click.argument("query")
@click.option("--users", is_flag=True, help="Search profiles instead of posts.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 200))
def search(query: str, users: bool, limit: int) -> None:
    """Full-text search of posts (best first, BM25) or, with --users, of profiles."""
    from services.errors import DomainError

    with system_service("social") as svc:
        try:
            if users:
                found = svc.search_users(query, limit)
                lines = [f"@{u.handle}  {u.display_name}  ({u.followers} followers)" for u in found]
            else:
                lines = [_post_line(p) for p in svc.search_posts(query, None, limit).items]
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
    click.echo("\n".join(lines) if lines else f"no {'users' if users else 'posts'} match")


@cli.command()
@click.argument("handle")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 200))
def user(handle: str, limit: int) -> None:
    """A profile and its latest posts."""
    from services.errors import DomainError

    with system_service("social") as svc:
        try:
            profile = svc.get_user(handle)
            posts = svc.user_timeline(handle, None, limit).items
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
    click.echo(
        f"@{profile.handle} ({profile.display_name}): {profile.followers} followers, "
        f"{profile.following} following"
    )
    if profile.bio:
        click.echo(f"  {profile.bio}")
    for post in posts:
        click.echo(_post_line(post))
