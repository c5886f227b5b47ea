"""The sandbox's OAuth 2.0 endpoints, shared by every platform: a consent step that approves at once, the
token endpoint (code exchange with PKCE, refresh with optional rotation, client authentication by Basic or
form), and revocation. Each platform states its own rules in ``OAuthRules``."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from socialhub.sandbox.common import SandboxState, Token


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            return user, password
        except ValueError:
            return None, None
    return form.get("client_id"), form.get("client_secret")


def oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def authorize_handler(state: SandboxState, *, scope_separator: str = " ") -> Callable[[Request], Awaitable[Response]]:
    """The consent page: it approves at once and sends the browser back with a code."""

    async def authorize(request: Request) -> Response:
        q = request.query_params
        if not q.get("client_id"):
            return oauth_error("invalid_request", "client_id is required")
        if q.get("response_type") != "code":
            return oauth_error("unsupported_response_type", "response_type must be code")
        redirect_uri, oauth_state = q.get("redirect_uri"), q.get("state")
        if not redirect_uri or not oauth_state:
            return oauth_error("invalid_request", "redirect_uri and state are required")
        challenge = q.get("code_challenge")
        if state.rules.pkce_required and (not challenge or q.get("code_challenge_method") != "S256"):
            return oauth_error("invalid_request", "code_challenge with code_challenge_method=S256 is required")
        scopes = [s for s in re.split(r"[ ,+]", q.get("scope", "")) if s]
        code = state.issue_code(q["client_id"], redirect_uri, scopes, challenge)
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{separator}{urlencode({'code': code, 'state': oauth_state})}", 302)

    return authorize


def token_response(token: Token, scope_separator: str = " ") -> dict[str, Any]:
    body: dict[str, Any] = {
        "access_token": token.access_token,
        "token_type": "bearer",
        "expires_in": max(0, int(token.expires_at - time.time())),
        "scope": scope_separator.join(token.scopes),
    }
    if token.refresh_token:
        body["refresh_token"] = token.refresh_token
    return body


async def read_form(request: Request) -> dict[str, str]:
    if request.method == "GET":
        return dict(request.query_params)
    return {k: str(v) for k, v in (await request.form()).items()}


def token_handler(
    state: SandboxState, *, scope_separator: str = " ", render: Callable[[Token], dict[str, Any]] | None = None
) -> Callable[[Request], Awaitable[Response]]:
    """The token endpoint: authorization_code (with PKCE verification) and refresh_token grants."""

    async def token(request: Request) -> Response:
        form = await read_form(request)
        client_id, client_secret = _client_credentials(request, form)
        rules = state.rules
        if rules.token_auth == "client_secret_basic" and not request.headers.get(
            "authorization", ""
        ).lower().startswith("basic "):
            return oauth_error("invalid_client", "Client authentication must use HTTP Basic", 401)
        if not client_id or (rules.token_auth != "none" and not client_secret):
            return oauth_error("invalid_client", "Missing client credentials", 401)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            with state.lock:
                issued = state.codes.pop(form.get("code", ""), None)
            if issued is None or issued["expires_at"] < time.time():
                return oauth_error("invalid_grant", "Value passed for the authorization code was invalid.")
            if issued["redirect_uri"] != form.get("redirect_uri"):
                return oauth_error("invalid_grant", "redirect_uri does not match the authorization request.")
            if issued["challenge"]:
                verifier = form.get("code_verifier", "")
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if digest != issued["challenge"]:
                    return oauth_error("invalid_grant", "code_verifier does not match the code_challenge.")
            elif rules.pkce_required:
                return oauth_error("invalid_request", "PKCE is required.")
            issued_token = state.issue_token(issued["scopes"])
        elif grant == "refresh_token":
            with state.lock:
                old = state.refresh_tokens.get(form.get("refresh_token", ""))
                if old is None or old.revoked:
                    return oauth_error("invalid_grant", "Value passed for the refresh token was invalid.")
                if rules.rotate_refresh:
                    del state.refresh_tokens[old.refresh_token or ""]
            issued_token = state.issue_token(old.scopes, refresh=None if rules.rotate_refresh else old.refresh_token)
            if not rules.rotate_refresh:
                # Not sent back: the client keeps the one it has. A copy, so the stored token keeps its link.
                issued_token = dataclasses.replace(issued_token, refresh_token=None)
        else:
            return oauth_error("unsupported_grant_type", f"grant_type {grant!r} is not supported")
        state.count("token")
        return JSONResponse((render or (lambda t: token_response(t, scope_separator)))(issued_token))

    return token


def revoke_handler(state: SandboxState) -> Callable[[Request], Awaitable[Response]]:
    async def revoke(request: Request) -> Response:
        form = await read_form(request)
        value = form.get("token", "")
        with state.lock:
            for token in list(state.tokens.values()):
                if value in (token.access_token, token.refresh_token):
                    token.revoked = True
                    state.refresh_tokens.pop(token.refresh_token or "", None)
        state.count("revoke")
        return JSONResponse({})

    return revoke
