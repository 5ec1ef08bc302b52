"""User contact profiles, channel/category opt-outs and quiet hours in the user's time zone.

Resolution order for "may channel C carry category K to user U": an explicit (K, C) row,
then the (``*``, C) row, then the default (on when the user has a contact for C). Quiet
hours defer delivery to the end of the window in the user's zone (``zoneinfo``, so DST is
handled); urgent notifications ignore them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine, delete, insert, select, update

from services.errors import Invalid
from services.notify import inputs
from services.notify.store import CHANNELS, now, preferences, users, webhooks

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_CATEGORY = re.compile(rf"\*|{inputs.CATEGORY_NAME}")  # "*": every category


class PreferenceError(Invalid):
    """Bad preference input (unknown zone, channel or a malformed time)."""


@dataclass(frozen=True)
class Profile:
    user_id: str
    email: str | None
    phone: str | None
    push_token: str | None
    timezone: str
    locale: str
    quiet_start: str | None
    quiet_end: str | None
    webhook_url: str | None = None

    def contact(self, channel: str) -> str | None:
        return {
            "email": self.email,
            "sms": self.phone,
            "push": self.push_token,
            "inbox": self.user_id,
            "webhook": self.webhook_url,
        }[channel]


def check_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PreferenceError(
            f"unknown time zone {name!r} (use an IANA name like Europe/Paris)"
        ) from exc


def check_hhmm(value: str) -> time:
    m = _HHMM.fullmatch(value)
    if not m:
        raise PreferenceError(f"bad time {value!r}: use HH:MM, 24-hour")
    return time(int(m.group(1)), int(m.group(2)))


def get_profile(engine: Engine, user_id: str) -> Profile | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.user_id == user_id)).first()
        hook = conn.execute(select(webhooks.c.url).where(webhooks.c.user_id == user_id)).scalar()
    if row is None:
        return None
    return Profile(
        row.user_id,
        row.email,
        row.phone,
        row.push_token,
        row.timezone,
        row.locale,
        row.quiet_start,
        row.quiet_end,
        hook,
    )


def upsert_profile(engine: Engine, user_id: str, **fields: str | None) -> Profile:
    """Create or update a profile; only the given fields change (``webhook_url=""`` removes
    the webhook; the caller has checked the URL is safe to call)."""
    webhook_url = fields.pop("webhook_url", None)
    for name, value in fields.items():
        if value is not None and (problem := inputs.text_problem(value)):
            raise PreferenceError(f"{name} {problem}")
    if fields.get("timezone"):
        check_zone(fields["timezone"])
    values = {k: v for k, v in fields.items() if v is not None}
    with engine.begin() as conn:
        exists = conn.execute(select(users.c.user_id).where(users.c.user_id == user_id)).first()
        if exists:
            if values:
                conn.execute(
                    update(users)
                    .where(users.c.user_id == user_id)
                    .values(**values, updated_at=now())
                )
        else:
            values.setdefault("timezone", "UTC")
            values.setdefault("locale", "en")
            conn.execute(insert(users).values(user_id=user_id, updated_at=now(), **values))
        if webhook_url is not None:
            conn.execute(delete(webhooks).where(webhooks.c.user_id == user_id))
            if webhook_url:
                conn.execute(
                    insert(webhooks).values(user_id=user_id, url=webhook_url, updated_at=now())
                )
    profile = get_profile(engine, user_id)
    assert profile is not None
    return profile


def set_preferences(
    engine: Engine,
    user_id: str,
    *,
    channels: dict[str, bool] | None = None,
    categories: dict[str, dict[str, bool]] | None = None,
    timezone: str | None = None,
    quiet_hours: tuple[str, str] | None | bool = False,
) -> None:
    """Replace the given opt-in/opt-out rows; ``quiet_hours=None`` clears them."""
    for category in categories or {}:
        if not _CATEGORY.fullmatch(category):
            raise PreferenceError(
                f"bad category {category!r}: use 1 to 64 of a-z 0-9 _ . -, or * for all"
            )
    for chans in [channels or {}, *(categories or {}).values()]:
        bad = set(chans) - set(CHANNELS)
        if bad:
            raise PreferenceError(f"unknown channel(s) {sorted(bad)}; known: {list(CHANNELS)}")
    profile_fields: dict[str, str | None] = {}
    if timezone is not None:
        check_zone(timezone)
        profile_fields["timezone"] = timezone
    if quiet_hours is not False:
        if quiet_hours is None:
            profile_fields.update(quiet_start=None, quiet_end=None)
        else:
            start, end = quiet_hours
            check_hhmm(start)
            check_hhmm(end)
            profile_fields.update(quiet_start=start, quiet_end=end)
    rows = [("*", ch, on) for ch, on in (channels or {}).items()]
    rows += [(cat, ch, on) for cat, chans in (categories or {}).items() for ch, on in chans.items()]
    with engine.begin() as conn:
        if not conn.execute(select(users.c.user_id).where(users.c.user_id == user_id)).first():
            conn.execute(
                insert(users).values(user_id=user_id, timezone="UTC", locale="en", updated_at=now())
            )
        if profile_fields:
            conn.execute(
                update(users)
                .where(users.c.user_id == user_id)
                .values(**profile_fields, updated_at=now())
            )
        for cat, ch, on in rows:
            conn.execute(
                delete(preferences).where(
                    (preferences.c.user_id == user_id)
                    & (preferences.c.category == cat)
                    & (preferences.c.channel == ch)
                )
            )
            conn.execute(
                insert(preferences).values(user_id=user_id, category=cat, channel=ch, enabled=on)
            )


def get_preferences(engine: Engine, user_id: str) -> dict[str, dict[str, bool]]:
    """``{category: {channel: enabled}}`` as stored (``*`` is every category)."""
    with engine.connect() as conn:
        rows = conn.execute(select(preferences).where(preferences.c.user_id == user_id)).all()
    out: dict[str, dict[str, bool]] = {}
    for r in rows:
        out.setdefault(r.category, {})[r.channel] = bool(r.enabled)
    return out


@dataclass(frozen=True)
class TypeRule:
    """How a notification type treats users who said nothing: subscribed by default (or
    opt-in), and whether it is mandatory (security alerts: no opt-out applies)."""

    default_subscribed: bool = True
    mandatory: bool = False


DEFAULT_RULE = TypeRule()
WHOLE_TYPE = "*"  # the channel of a row that subscribes to or leaves a type as a whole


def allowed(
    prefs: dict[str, dict[str, bool]],
    profile: Profile,
    category: str,
    channel: str,
    rule: TypeRule = DEFAULT_RULE,
) -> bool:
    """May ``channel`` carry ``category`` to this user? The contact must exist; then a
    mandatory type always may; otherwise the user must be subscribed to the type (its
    ``*`` row, else the type's default) and not have turned the channel off for it, or for
    everything."""
    if profile.contact(channel) is None:
        return False
    if rule.mandatory:
        return True
    own = prefs.get(category, {})
    if not own.get(WHOLE_TYPE, rule.default_subscribed):
        return False
    for scope in (own, prefs.get("*", {})):
        if channel in scope:
            return scope[channel]
    return True


def quiet_until(profile: Profile, at: float) -> float | None:
    """The epoch second quiet hours end, when ``at`` falls inside them; else None."""
    if not profile.quiet_start or not profile.quiet_end:
        return None
    zone = check_zone(profile.timezone)
    start, end = check_hhmm(profile.quiet_start), check_hhmm(profile.quiet_end)
    if start == end:
        return None
    local = datetime.fromtimestamp(at, UTC).astimezone(zone)
    t = local.time().replace(second=0, microsecond=0)
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if (start < end or t < end) else local.date() + timedelta(days=1)
    wake = datetime.combine(day, end, tzinfo=zone)
    return wake.astimezone(UTC).timestamp()
