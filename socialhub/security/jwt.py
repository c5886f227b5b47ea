"""Access tokens: short-lived JWTs (HS256, joserfc) naming the user, tenant, role and a token id."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from functools import lru_cache

from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import OctKey

ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"
_CLAIMS = jwt.JWTClaimsRegistry(
    leeway=5,
    exp={"essential": True},
    iat={"essential": True},
    sub={"essential": True},
    jti={"essential": True},
    tid={"essential": True},
    sid={"essential": True},
    role={"essential": True},
    typ={"essential": True, "value": ACCESS_TOKEN_TYPE},
)


class InvalidToken(Exception):
    """Malformed, forged, of the wrong type, or missing a claim."""


class ExpiredToken(InvalidToken):
    pass


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: str
    session_id: uuid.UUID  # the refresh-token family: revoking it ends this access token too
    token_id: str
    expires_at: int


@lru_cache(maxsize=4)
def _key(secret: str) -> OctKey:
    return OctKey.import_key(secret.encode())


def issue_access_token(
    *,
    secret: str,
    user_id: uuid.UUID,
    tenant_id: uuid.UUID,
    role: str,
    session_id: uuid.UUID,
    ttl_seconds: int,
    now: float | None = None,
) -> tuple[str, AccessClaims]:
    issued = int(now if now is not None else time.time())
    claims = AccessClaims(user_id, tenant_id, role, session_id, uuid.uuid4().hex, issued + ttl_seconds)
    payload = {
        "sub": str(user_id),
        "tid": str(tenant_id),
        "sid": str(session_id),
        "role": role,
        "jti": claims.token_id,
        "iat": issued,
        "exp": claims.expires_at,
        "typ": ACCESS_TOKEN_TYPE,
    }
    return jwt.encode({"alg": ALGORITHM}, payload, _key(secret)), claims


def decode_access_token(token: str, *, secret: str) -> AccessClaims:
    try:
        claims = jwt.decode(token, _key(secret), algorithms=[ALGORITHM]).claims
        _CLAIMS.validate(claims)
        return AccessClaims(
            user_id=uuid.UUID(claims["sub"]),
            tenant_id=uuid.UUID(claims["tid"]),
            role=str(claims["role"]),
            session_id=uuid.UUID(claims["sid"]),
            token_id=str(claims["jti"]),
            expires_at=int(claims["exp"]),
        )
    except ExpiredTokenError as exc:
        raise ExpiredToken("the access token has expired") from exc
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise InvalidToken("the access token is not valid") from exc
