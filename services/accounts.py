"""Account keys: admins issue API keys with roles; anyone can ask who they are."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.auth import USER_ID_PATTERN, USER_ID_RULE
from services.deps import AdminUser, CurrentUser, KeyStoreDep

router = APIRouter(prefix="/auth", tags=["auth"])


class KeyRequest(BaseModel):
    # The rule is checked by the key store (``canonical_user_id``), whose 422 names the
    # canonical form; the schema documents it.
    user_id: str = Field(
        min_length=1,
        max_length=64,
        description=f"A canonical user id: {USER_ID_RULE}.",
        json_schema_extra={"pattern": USER_ID_PATTERN},
    )
    roles: list[str] = Field(default_factory=lambda: ["user"], min_length=1)


class KeyResponse(BaseModel):
    user_id: str
    roles: list[str]
    api_key: str


class Me(BaseModel):
    user_id: str
    roles: list[str]


@router.post("/keys", response_model=KeyResponse, status_code=201, operation_id="create_api_key")
def create_key(body: KeyRequest, admin: AdminUser, keystore: KeyStoreDep) -> KeyResponse:
    key = keystore.create(body.user_id, set(body.roles), issued_by=admin.user_id)
    return KeyResponse(user_id=body.user_id, roles=sorted(body.roles), api_key=key)


@router.get("/me", response_model=Me, operation_id="whoami")
def me(principal: CurrentUser) -> Me:
    return Me(user_id=principal.user_id, roles=sorted(principal.roles))
