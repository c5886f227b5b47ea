"""/social-accounts: connect (OAuth), list, refresh and disconnect accounts. Tokens never leave the server."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from socialhub.api.deps import CurrentIdentity, ServedAt, needs
from socialhub.api.errors import error_responses
from socialhub.models import AccountStatus, Platform, SocialAccount
from socialhub.security.permissions import Permission
from socialhub.services import account_connect, social_accounts

router = APIRouter(prefix="/social-accounts", tags=["social accounts"])


class AccountPublic(BaseModel):
    id: uuid.UUID
    platform: Platform
    account_identifier: str
    display_name: str
    username: str | None
    avatar_url: str | None
    kind: str
    status: AccountStatus
    status_reason: str | None = Field(description="Why the account needs attention, in plain words.")
    token_expires_at: datetime | None
    scopes: list[str]
    created_at: datetime

    @classmethod
    def of(cls, account: SocialAccount) -> AccountPublic:
        return cls(
            id=account.id,
            platform=account.platform,
            account_identifier=account.account_identifier,
            display_name=account.display_name,
            username=account.username,
            avatar_url=account.avatar_url,
            kind=str(account.account_metadata.get("kind", "user")),
            status=account.status,
            status_reason=account.status_reason,
            token_expires_at=account.token_expires_at,
            scopes=account.scopes,
            created_at=account.created_at,
        )


class AccountsPublic(BaseModel):
    data: list[AccountPublic]
    count: int


class PlatformPublic(BaseModel):
    platform: str
    title: str
    text_limit: int
    counting_rule: str
    media_kinds: list[str]
    max_images: int
    required_fields: list[str]
    multi_account: bool


class AuthUrl(BaseModel):
    url: str = Field(description="Send the browser here; the platform returns to redirect_uri with code and state.")
    state: str


class ConnectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    platform: Platform = Field(examples=["x"])
    code: Annotated[str, Field(min_length=1, max_length=2048, examples=["sandbox-code"])]
    state: Annotated[str, Field(min_length=1, max_length=4096, examples=["eyJhbGciOi…"])]
    redirect_uri: Annotated[
        str,
        Field(
            alias="redirectUri",
            min_length=1,
            max_length=2048,
            examples=["https://app.example.com/accounts/callback"],
            description="The same return address the connection started with.",
        ),
    ]


class CandidatePublic(BaseModel):
    id: str
    display_name: str
    kind: str
    username: str | None


class ConnectResponse(BaseModel):
    accounts: list[AccountPublic]
    selection_required: bool = Field(description="True for multi-account logins: pick from candidates next.")
    candidates: list[CandidatePublic]
    state: str | None = Field(description="Send back with the chosen ids to /social-accounts/connect/select.")


class SelectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Annotated[str, Field(min_length=1, max_length=4096, examples=["eyJhbGciOi…"])]
    account_ids: Annotated[
        list[Annotated[str, Field(max_length=255)]], Field(min_length=1, max_length=100, examples=[["1234567890"]])
    ]


@router.get(
    "/platforms",
    response_model=list[PlatformPublic],
    summary="Platforms you can connect, and their rules.",
    **needs(Permission.ACCOUNTS_READ),
)
def platforms(identity: CurrentIdentity) -> list[PlatformPublic]:
    return [
        PlatformPublic(
            platform=cls.identifier,
            title=cls.title,
            text_limit=cls.capabilities.text_limit,
            counting_rule=cls.capabilities.counting_rule,
            media_kinds=sorted(cls.capabilities.media_kinds),
            max_images=cls.capabilities.max_images,
            required_fields=list(cls.capabilities.required_fields),
            multi_account=cls.capabilities.multi_account,
        )
        for cls in account_connect.available_platforms()
    ]


@router.get(
    "/auth-url/{platform}",
    response_model=AuthUrl,
    summary="Start connecting an account.",
    **needs(Permission.ACCOUNTS_MANAGE),
)
def auth_url(
    platform: Platform,
    identity: CurrentIdentity,
    origin: ServedAt,
    redirect_uri: Annotated[
        str,
        Query(
            alias="redirectUri",
            min_length=1,
            max_length=2048,
            examples=["https://app.example.com/accounts/callback"],
            description="Where the platform sends the browser back: this app's callback page, APP_URL + "
            f"{account_connect.CALLBACK_PATH} (in development also on the origin the app is reached at).",
        ),
    ],
) -> AuthUrl:
    url, state = account_connect.start_connect(
        identity.context, platform.value, redirect_uri=redirect_uri, served_at=origin
    )
    return AuthUrl(url=url, state=state)


@router.post(
    "/connect",
    response_model=ConnectResponse,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": ConnectResponse, "description": "Pick which accounts to connect."},
        **error_responses(400, 502),
    },
    summary="Finish connecting: exchange the code the platform returned.",
    **needs(Permission.ACCOUNTS_MANAGE),
)
def connect(body: ConnectRequest, identity: CurrentIdentity, origin: ServedAt) -> JSONResponse:
    result = account_connect.complete_connect(
        identity.context,
        state=body.state,
        code=body.code,
        redirect_uri=body.redirect_uri,
        platform=body.platform.value,
        served_at=origin,
    )
    response = ConnectResponse(
        accounts=[AccountPublic.of(a) for a in result.accounts],
        selection_required=bool(result.candidates),
        candidates=[CandidatePublic(**vars(c)) for c in result.candidates],
        state=result.state,
    )
    return JSONResponse(response.model_dump(mode="json"), status_code=200 if result.candidates else 201)


@router.post(
    "/connect/select",
    response_model=AccountsPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400),
    summary="Connect the accounts picked from a multi-account login.",
    **needs(Permission.ACCOUNTS_MANAGE),
)
def choose_accounts(body: SelectRequest, identity: CurrentIdentity) -> AccountsPublic:
    accounts = account_connect.select_accounts(identity.context, state=body.state, account_ids=body.account_ids)
    return AccountsPublic(data=[AccountPublic.of(a) for a in accounts], count=len(accounts))


@router.get("", response_model=AccountsPublic, summary="Connected accounts.", **needs(Permission.ACCOUNTS_READ))
def list_accounts(identity: CurrentIdentity) -> AccountsPublic:
    accounts = social_accounts.list_accounts(identity.context)
    return AccountsPublic(data=[AccountPublic.of(a) for a in accounts], count=len(accounts))


@router.post(
    "/{account_id}/refresh",
    response_model=AccountPublic,
    responses=error_responses(502),
    summary="Refresh an account's sign-in now.",
    **needs(Permission.ACCOUNTS_MANAGE),
)
def refresh(account_id: uuid.UUID, identity: CurrentIdentity) -> AccountPublic:
    return AccountPublic.of(social_accounts.refresh_account(identity.context, account_id))


@router.delete(
    "/{account_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Disconnect an account (revoked at the platform where it allows).",
    **needs(Permission.ACCOUNTS_MANAGE),
)
def disconnect(account_id: uuid.UUID, identity: CurrentIdentity) -> None:
    social_accounts.disconnect(identity.context, account_id)
