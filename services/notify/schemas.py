"""Request and response bodies of the notifications API.

Free text is ``Text``: a NUL or a lone surrogate is a 422 here, before it reaches the store.
Template ``data`` is checked by the domain (``services.notify.inputs.check_data``), which
every caller goes through.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from services.notify.inputs import CATEGORY, text_problem

NAME = r"^[A-Za-z0-9_.@-]{1,64}$"
LOCALE = r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})?$"
MAX_REPLAY_IDS = 1000


def _storable(value: str) -> str:
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Text = Annotated[str, AfterValidator(_storable)]


class ProfileIn(BaseModel):
    email: Text | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9]{6,15}$")
    push_token: Text | None = Field(default=None, min_length=8, max_length=256)
    timezone: Text | None = Field(default=None, max_length=64)
    locale: str | None = Field(default=None, pattern=LOCALE)
    webhook_url: Text | None = Field(
        default=None,
        max_length=2048,
        description='A public http(s) URL that takes Slack-style JSON posts; "" removes it',
    )


class ProfileOut(BaseModel):
    user_id: str
    email: str | None
    phone: str | None
    push_token: str | None
    timezone: str
    locale: str
    quiet_start: str | None
    quiet_end: str | None
    webhook_url: str | None = None


class QuietHours(BaseModel):
    start: str = Field(max_length=5, description="HH:MM local time")
    end: str = Field(max_length=5, description="HH:MM local time (exclusive)")


class PreferencesIn(BaseModel):
    channels: dict[Text, bool] = Field(default_factory=dict, description="channel -> on/off")
    categories: dict[Text, dict[Text, bool]] = Field(
        default_factory=dict, description="category -> channel -> on/off"
    )
    timezone: Text | None = Field(default=None, max_length=64)
    quiet_hours: QuietHours | None = None
    clear_quiet_hours: bool = False


class PreferencesOut(BaseModel):
    user_id: str
    timezone: str
    quiet_hours: QuietHours | None
    preferences: dict[str, dict[str, bool]]


class TemplateIn(BaseModel):
    subject: Text = Field(min_length=1, max_length=500)
    body: Text = Field(min_length=1, max_length=20_000)


class SendBody(BaseModel):
    user_id: str = Field(pattern=NAME)
    template: str = Field(pattern=NAME)
    category: str = Field(default="general", pattern=CATEGORY)
    locale: str | None = Field(default=None, pattern=LOCALE)
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="Template variables: JSON values, integers within 64 bits, no NUL",
    )
    channels: list[str] | Literal["preference"] = Field(default="preference", max_length=16)
    send_at: datetime | None = None
    priority: Literal["low", "normal", "urgent"] = "normal"
    campaign: str | None = Field(
        default=None, pattern=CATEGORY, description="Groups sends in open and click analytics"
    )


class DeliveryOut(BaseModel):
    id: str
    channel: str
    status: str
    attempts: int
    next_attempt_at: float
    last_error: str | None
    digest_id: str | None
    sent_at: float | None


class NotificationOut(BaseModel):
    id: str
    user_id: str
    category: str
    template: str
    locale: str
    priority: str
    send_at: float
    created_at: float
    deliveries: list[DeliveryOut]


class InboxItem(BaseModel):
    id: int
    category: str
    subject: str
    body: str
    created_at: float
    read_at: float | None


class CallbackIn(BaseModel):
    message_id: Text = Field(min_length=1, max_length=128)
    status: str = Field(max_length=32)


class CallbackOut(BaseModel):
    delivery_id: str
    status: str
    changed: bool


class ReplayIn(BaseModel):
    ids: list[Annotated[str, Field(pattern=NAME)]] | None = Field(
        default=None, max_length=MAX_REPLAY_IDS, description="None replays the whole DLQ"
    )


class ReplayOut(BaseModel):
    replayed: list[str]


class DeadOut(BaseModel):
    id: str
    user_id: str
    channel: str
    attempts: int
    last_error: str | None
    updated_at: float


class TypeIn(BaseModel):
    description: Text = Field(min_length=1, max_length=500)
    default_subscribed: bool = Field(
        default=True, description="False: an opt-in type (users must subscribe)"
    )
    mandatory: bool = Field(default=False, description="True: no opt-out applies (security)")


class TypeOut(TypeIn):
    name: str


class SubscriptionIn(BaseModel):
    subscribed: bool
    channels: dict[Literal["email", "sms", "push", "inbox", "webhook"], bool] | None = Field(
        default=None, description="Also turn single channels on or off for this type"
    )


class SubscriptionOut(BaseModel):
    type: str
    subscribed: bool
    mandatory: bool
    channels: dict[str, bool] = Field(description="Channels this type may use for the user now")
