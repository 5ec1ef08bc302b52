"""Localised notification templates rendered by a sandboxed Jinja2 environment.

Templates live in the store (built-ins are seeded on first use; admins add more). The
sandbox stops data or template text from reaching Python internals, and ``StrictUndefined``
turns a missing variable into an error at send time instead of a blank in a sent message.
A rendered subject is one line: line breaks from data become spaces, so data cannot add
email headers (and a subject with CR/LF cannot make the message unsendable).
Locale fallback: ``fr-CA`` -> ``fr`` -> the default locale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from sqlalchemy import Engine, insert, select

from services.errors import Invalid
from services.notify import inputs
from services.notify.store import now, templates

_ENV = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)

BUILTIN: dict[tuple[str, str], tuple[str, str]] = {
    ("welcome", "en"): ("Welcome, {{ name }}!", "Hello {{ name }}, your account is ready."),
    ("welcome", "fr"): ("Bienvenue, {{ name }} !", "Bonjour {{ name }}, votre compte est prêt."),
    ("welcome", "de"): ("Willkommen, {{ name }}!", "Hallo {{ name }}, dein Konto ist bereit."),
    ("order_shipped", "en"): (
        "Order {{ order_id }} shipped",
        "Your order {{ order_id }} is on its way{% if eta %}, arriving {{ eta }}{% endif %}.",
    ),
    ("order_shipped", "fr"): (
        "Commande {{ order_id }} expédiée",
        "Votre commande {{ order_id }} est en route"
        "{% if eta %}, arrivée prévue {{ eta }}{% endif %}.",
    ),
    ("security_alert", "en"): (
        "Security alert",
        "A new sign-in to your account from {{ device }}. Not you? Reset your password.",
    ),
    ("security_alert", "fr"): (
        "Alerte de sécurité",
        "Nouvelle connexion à votre compte depuis {{ device }}. Ce n'est pas vous ?",
    ),
    ("news", "en"): ("{{ title }}", "{{ summary }}"),
    ("log_alert", "en"): (
        "[{{ rule }}] {{ service }}: {{ message }}",
        "{{ message }}\nRule {{ rule }} on service {{ service }}: value {{ value }}"
        "{% if threshold is not none %} (threshold {{ threshold }}){% endif %}."
        "{% if held %}\n{{ held }} more alerts of this kind were held back during the quiet "
        "period.{% endif %}",
    ),
    ("digest", "en"): (
        "You have {{ items|length }} new notifications",
        "{% for item in items %}- {{ item }}\n{% endfor %}",
    ),
    ("digest", "fr"): (
        "Vous avez {{ items|length }} nouvelles notifications",
        "{% for item in items %}- {{ item }}\n{% endfor %}",
    ),
}


class TemplateError(Invalid):
    """A template is unknown, malformed, or fails to render with the given data."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    locale: str  # the locale actually used after fallback


def compile_check(subject: str, body: str) -> None:
    """Raise ``TemplateError`` when either part does not parse."""
    for part in (subject, body):
        try:
            _ENV.parse(part)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"template syntax error line {exc.lineno}: {exc.message}") from exc


def seed_builtins(engine: Engine) -> None:
    with engine.begin() as conn:
        have = {
            (r.name, r.locale) for r in conn.execute(select(templates.c.name, templates.c.locale))
        }
        rows = [
            {"name": n, "locale": loc, "subject": s, "body": b, "updated_at": now()}
            for (n, loc), (s, b) in BUILTIN.items()
            if (n, loc) not in have
        ]
        if rows:
            conn.execute(insert(templates), rows)


def candidates(locale: str, default: str) -> list[str]:
    out = [locale]
    if "-" in locale or "_" in locale:
        out.append(locale.replace("_", "-").split("-")[0])
    if default not in out:
        out.append(default)
    return out


def render_text(source: str, data: dict[str, Any]) -> str:
    try:
        return _ENV.from_string(source).render(**data)
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template needs data it was not given: {exc.message}") from exc
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(f"template tried an unsafe operation: {exc}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error line {exc.lineno}: {exc.message}") from exc
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise TemplateError(f"template failed to render: {exc}") from exc


def render(
    engine: Engine, name: str, locale: str, data: dict[str, Any], default: str = "en"
) -> Rendered:
    """Render template ``name`` in the best available locale."""
    with engine.connect() as conn:
        rows = {
            r.locale: r for r in conn.execute(select(templates).where(templates.c.name == name))
        }
    if not rows:
        raise TemplateError(f"unknown template {name!r}")
    for loc in candidates(locale, default):
        if loc in rows:
            row = rows[loc]
            break
    else:
        loc, row = next(iter(sorted(rows.items())))
    subject = " ".join(line.strip() for line in render_text(row.subject, data).splitlines())
    return Rendered(subject.strip(), render_text(row.body, data), loc)


def upsert(engine: Engine, name: str, locale: str, subject: str, body: str) -> None:
    from sqlalchemy import delete

    for what, text in (("name", name), ("locale", locale), ("subject", subject), ("body", body)):
        inputs.check_text(text, f"template {what}")
    compile_check(subject, body)
    with engine.begin() as conn:
        conn.execute(
            delete(templates).where((templates.c.name == name) & (templates.c.locale == locale))
        )
        conn.execute(
            insert(templates).values(
                name=name, locale=locale, subject=subject, body=body, updated_at=now()
            )
        )
