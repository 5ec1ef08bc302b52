"""Request and response bodies of the messaging HTTP API (the WebSocket frames are in
``PROTOCOL.md``). Integers are bounded and ids have patterns, so bad input is a 422."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from services.auth import USER_ID_PATTERN
from services.chat.inputs import text_problem

CONV_ID = r"^[a-f0-9]{32}$"
CLIENT_ID = r"^[A-Za-z0-9_.:-]{1,64}$"
DEVICE_ID = r"^[A-Za-z0-9_.-]{1,64}$"
MAX_SEQ = 2**53 - 1
MAX_RETENTION_S = 10 * 365 * 86400


def _storable(value: str) -> str:
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Text = Annotated[str, AfterValidator(_storable)]
UserId = Annotated[str, Field(pattern=USER_ID_PATTERN)]


class ConversationIn(BaseModel):
    members: list[UserId] = Field(max_length=256, description="Other members (not you).")
    title: Text | None = Field(default=None, max_length=200)
    direct: bool = Field(default=False, description="The one-to-one conversation of 2 users.")
    encrypted: bool = Field(
        default=False, description="End-to-end encrypted: the server accepts ciphertext only."
    )
    retention_s: float | None = Field(default=None, gt=0, le=MAX_RETENTION_S)


class ConversationOut(BaseModel):
    id: str
    kind: str
    title: str | None
    created_by: str
    created_at: float
    encrypted: bool
    retention_s: float | None
    last_seq: int
    purged_through: int
    active: bool = True
    members: list[str] | None = None


class MemberIn(BaseModel):
    user_id: UserId


class RetentionIn(BaseModel):
    retention_s: float | None = Field(default=None, gt=0, le=MAX_RETENTION_S)


class ChatMessageIn(BaseModel):
    client_id: str = Field(pattern=CLIENT_ID)
    body: dict[str, Any]
    device: str | None = Field(default=None, pattern=DEVICE_ID)


class EditIn(BaseModel):
    client_id: str = Field(pattern=CLIENT_ID)
    body: dict[str, Any]
    device: str | None = Field(default=None, pattern=DEVICE_ID)


class ChatMessageOut(BaseModel):
    conv: str
    seq: int
    kind: str
    sender: str
    device: str | None
    client_id: str | None
    body: Any
    ref_seq: int | None
    ts: float
    edited_at: float | None
    deleted: bool


class Accepted(BaseModel):
    conv: str
    seq: int
    client_id: str | None
    duplicate: bool
    ts: float


class Gap(BaseModel):
    conv: str
    from_seq: int
    to_seq: int
    reason: str


class Page(BaseModel):
    messages: list[ChatMessageOut]
    next_after: int = Field(description="Pass as `after` for the next page.")
    last_seq: int
    gap: Gap | None = None


class CursorIn(BaseModel):
    device: str = Field(pattern=DEVICE_ID)
    seq: int = Field(ge=0, le=MAX_SEQ)
    read: bool = False


class ReceiptDevice(BaseModel):
    user_id: str
    device_id: str
    delivered_seq: int
    read_seq: int
    updated_at: float


class ReceiptUser(BaseModel):
    user_id: str
    delivered_seq: int
    read_seq: int


class Receipts(BaseModel):
    devices: list[ReceiptDevice]
    users: list[ReceiptUser]


class DeviceIn(BaseModel):
    public_key: str | None = Field(default=None, max_length=200, pattern=r"^[A-Za-z0-9+/=_-]+$")


class DeviceOut(BaseModel):
    user_id: str
    device_id: str
    public_key: str | None
    created_at: float
    last_seen: float | None


class PresenceOut(BaseModel):
    user_id: str
    online: bool
    last_seen: float | None


class PurgeOut(BaseModel):
    purged: dict[str, int]
