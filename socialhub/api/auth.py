"""/auth: sign-up, sign-in, refresh, sign-out, and who am I."""

from __future__ import annotations

from fastapi import APIRouter, status

from socialhub.api.deps import ClientIp, CurrentIdentity, UserAgent
from socialhub.api.errors import error_responses
from socialhub.api.schemas import (
    LoginRequest,
    MeResponse,
    PasswordChange,
    RefreshRequest,
    RegisterRequest,
    SessionResponse,
    TenantSummary,
    UserPublic,
)
from socialhub.models import utcnow
from socialhub.security.permissions import ROLE_PERMISSIONS
from socialhub.services import auth
from socialhub.services.auth import SessionTokens

router = APIRouter(prefix="/auth", tags=["auth"])


def session_response(tokens: SessionTokens) -> SessionResponse:
    return SessionResponse(
        access_token=tokens.access_token,
        expires_in=max(0, int((tokens.access_expires_at - utcnow()).total_seconds())),
        refresh_token=tokens.refresh_token,
        refresh_expires_at=tokens.refresh_expires_at,
        user=UserPublic.model_validate(tokens.user, from_attributes=True),
    )


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionResponse,
    responses=error_responses(409),
    summary="Create a team and its owner, signed in.",
)
def register(body: RegisterRequest, ip: ClientIp, agent: UserAgent) -> SessionResponse:
    return session_response(
        auth.register(
            team_name=body.team_name,
            email=body.email,
            password=body.password,
            full_name=body.full_name,
            timezone=body.timezone,
            ip=ip,
            user_agent=agent,
        )
    )


@router.post(
    "/login",
    response_model=SessionResponse,
    responses=error_responses(401, 403),
    summary="Sign in with email and password.",
)
def login(body: LoginRequest, ip: ClientIp, agent: UserAgent) -> SessionResponse:
    return session_response(auth.login(email=body.email, password=body.password, ip=ip, user_agent=agent))


@router.post(
    "/refresh",
    response_model=SessionResponse,
    responses=error_responses(401, 403),
    summary="Trade a refresh token for new tokens (the old refresh token is used up).",
)
def refresh(body: RefreshRequest, ip: ClientIp, agent: UserAgent) -> SessionResponse:
    return session_response(auth.refresh(body.refresh_token, ip=ip, user_agent=agent))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="End the session of a refresh token.")
def logout(body: RefreshRequest) -> None:
    auth.logout(body.refresh_token)


@router.get("/me", response_model=MeResponse, summary="The signed-in user, their team and what they may do.")
def me(identity: CurrentIdentity) -> MeResponse:
    user, tenant = auth.me(identity)
    return MeResponse(
        user=UserPublic.model_validate(user, from_attributes=True),
        tenant=TenantSummary.model_validate(tenant, from_attributes=True),
        permissions=sorted(p.value for p in ROLE_PERMISSIONS[user.role]),
    )


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT, summary="Change your own password.")
def change_password(body: PasswordChange, identity: CurrentIdentity) -> None:
    auth.change_password(identity, current=body.current_password, new=body.new_password)
