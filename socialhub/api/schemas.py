"""Request and response bodies of the identity, team and tenant routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from socialhub.models import ApprovalPolicy, PlanTier, Role
from socialhub.services.tenants import PLAN_SET_BY


def _printable(value: str) -> str:
    # C0 controls in a name or a text are never intended. (What the database cannot store at all, NUL and lone
    # surrogates, every request is checked for before any schema: socialhub.api.deps.refuse_unstorable_text.)
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValueError("must not contain control characters")
    return value


Text = Annotated[str, AfterValidator(_printable)]
Email = Annotated[str, Field(min_length=3, max_length=320, examples=["ada@example.com"]), AfterValidator(_printable)]
Password = Annotated[str, Field(min_length=1, max_length=1024, examples=["correct horse battery staple"])]
Name = Annotated[Text, Field(max_length=200, examples=["Ada Lovelace"])]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- auth ---------------------------------------------------------------------------------------------------


class RegisterRequest(Body):
    team_name: Annotated[Text, Field(min_length=1, max_length=200, examples=["Acme Coffee"])]
    email: Email
    password: Password
    full_name: Name = ""
    timezone: Annotated[Text, Field(max_length=64, examples=["Europe/Berlin"])] = "UTC"


class LoginRequest(Body):
    email: Email
    password: Password


class RefreshRequest(Body):
    refresh_token: Annotated[str, Field(min_length=1, max_length=200, examples=["q1Zb3kR7…"])]


class PasswordChange(Body):
    current_password: Password
    new_password: Password


class UserPublic(BaseModel):
    id: uuid.UUID
    email: str
    full_name: str
    role: Role
    is_active: bool
    last_login_at: datetime | None
    created_at: datetime


class SessionResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str
    refresh_expires_at: datetime
    user: UserPublic


class TenantSummary(BaseModel):
    id: uuid.UUID
    name: str
    plan_tier: PlanTier = Field(description=f"Sets the media quota; chosen by {PLAN_SET_BY}, not by the team.")
    timezone: str


class MeResponse(BaseModel):
    user: UserPublic
    tenant: TenantSummary
    permissions: list[str]


# --- team ---------------------------------------------------------------------------------------------------


class MembersPublic(BaseModel):
    data: list[UserPublic]
    count: int


class MemberUpdate(Body):
    role: Annotated[Role | None, Field(examples=["editor"])] = None
    is_active: Annotated[bool | None, Field(examples=[False])] = None


class InvitationCreate(Body):
    email: Email
    role: Annotated[Role, Field(examples=["contributor"])] = Role.EDITOR


class InvitationPublic(BaseModel):
    id: uuid.UUID
    email: str
    role: Role
    expires_at: datetime
    created_at: datetime


class InvitationCreated(InvitationPublic):
    accept_url: str = Field(description="Send this link to the person invited; it is shown only once.")


class InvitationsPublic(BaseModel):
    data: list[InvitationPublic]
    count: int


class InvitationPreview(BaseModel):
    team_name: str
    email: str
    role: Role


class InvitationAccept(Body):
    password: Password
    full_name: Name = ""


class RolePublic(BaseModel):
    role: Role
    description: str
    permissions: list[str]


# --- tenant -------------------------------------------------------------------------------------------------


class TenantPublic(TenantSummary):
    approval_policy: ApprovalPolicy
    created_at: datetime


class TenantUpdate(Body):
    name: Annotated[Text, Field(min_length=1, max_length=200)] | None = Field(default=None, examples=["Acme Coffee"])
    timezone: Annotated[Text, Field(max_length=64)] | None = Field(default=None, examples=["America/New_York"])
    approval_policy: Annotated[ApprovalPolicy | None, Field(examples=["contributors"])] = None
    # Not a team setting: accepted by name only to refuse it in words (extra="forbid" would just say "not allowed").
    plan_tier: SkipJsonSchema[object] = None

    @field_validator("plan_tier")
    @classmethod
    def _plan_is_the_operators(cls, value: object) -> None:
        raise PydanticCustomError("read_only", f"the plan is set by {PLAN_SET_BY}, not by the team")


class AIBudgetPublic(BaseModel):
    limit_usd: Decimal
    used_usd: Decimal
    reserved_usd: Decimal
    remaining_usd: Decimal


class AIBudgetUpdate(Body):
    limit_usd: Annotated[Decimal, Field(ge=0, lt=1_000_000, max_digits=12, decimal_places=2, examples=["25.00"])]


class AuditEntryPublic(BaseModel):
    id: uuid.UUID
    actor_user_id: uuid.UUID | None
    action: str
    entity_type: str
    entity_id: str | None
    before: dict[str, object] | None
    after: dict[str, object] | None
    request_id: str | None
    created_at: datetime


class AuditPublic(BaseModel):
    data: list[AuditEntryPublic]
    count: int
