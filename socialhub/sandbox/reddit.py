"""Reddit on loopback: the Data API's contract per PLATFORMS.md §9, §10, §11 and §13.

Reproduced: Basic-auth token endpoint with 1-hour tokens, refresh tokens only for ``duration=permanent``
and never rotated, revocation that takes a refresh token's access tokens with it; a User-Agent check
(generic agents are throttled); ``X-Ratelimit-Used/-Remaining/-Reset`` counted per token over a
10-minute window with 429 when spent; ``/api/submit`` answering HTTP 200 with ``json.errors`` for every
refusal (unknown or restricted subreddits, post-type rules, flair, title length, ``ALREADY_SUB``, the
``RATELIMIT`` spam throttle); the ``media/asset.json`` lease with a protocol-relative S3 ``action`` that
points back into the sandbox and answers S3-style XML; image/video submits that return a websocket URL
and no id, their posts appearing in ``/user/{name}/submitted`` only after processing (a few listing
polls); galleries; ``/api/info`` listings for metrics; ``/comments/{id}`` (how PRAW reads a submission: the post's
listing, then its comments'); ``{"message", "error"}`` JSON for unknown paths and wrong methods; and the post's
reddit.com page (``/r/{sr}/comments/{id}/{slug}/``) as the Sandbox's web view, which answers JSON to an API client.

Knobs for tests (in ``state.objects``): ``window_limit`` (requests per token per window) and
``throttle_minutes`` (the account is spam-throttled for that long).
"""

from __future__ import annotations

import json
import re
import secrets
import string
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from socialhub.sandbox.common import (
    Fault,
    OAuthRules,
    SandboxState,
    SandboxUser,
    Token,
    TokenError,
    sandbox_app,
    sandbox_url,
)
from socialhub.sandbox.oauth import authorize_handler, read_form, token_handler
from socialhub.sandbox.web import Medium, missing_page, post_page, size

WINDOW_SECONDS = 600
WINDOW_LIMIT = 1000  # 100 queries per minute, averaged over 10 minutes
GENERIC_AGENTS = re.compile(r"^(python-httpx|python-requests|curl|wget|okhttp|go-http-client|java)\b|^$", re.I)
BUCKET = "reddit-uploaded-media"
MAX_BYTES = {"image": 20 * 1024 * 1024, "video": 1024 * 1024 * 1024}  # the lease's caps (unverified figures)
TITLE_LIMIT = 300
PROCESSING_POLLS = {"image": 1, "video": 2, "videogif": 2}  # listing polls before a media post shows
# name → its rule: any post, text only, links/media only, flair required, or closed to this account.
SUBREDDITS = {
    "sandbox": "any",
    "textonly": "self",
    "linksonly": "link",
    "flairrequired": "flair",
    "private": "closed",
}
ALPHABET = string.digits + string.ascii_lowercase


class SubmitError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.entry = [code, message, field]


def _errors(*entries: list[Any]) -> JSONResponse:
    return JSONResponse({"json": {"errors": list(entries)}})  # HTTP 200, as Reddit does


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"message": message, "error": status}, status_code=status, headers=headers)


def _base36() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(7))


class Reddit:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._authorize = authorize_handler(state)
        self._token = token_handler(state)

    def objects(self, name: str) -> dict[str, Any]:
        with self.state.lock:
            return self.state.objects.setdefault(name, {})

    # -- OAuth -------------------------------------------------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        response = await self._authorize(request)
        location = response.headers.get("location")
        if location:  # remember the grant's duration: only "permanent" gets a refresh token
            code = parse_qs(urlsplit(location).query)["code"][0]
            self.objects("durations")[code] = request.query_params.get("duration", "temporary")
        return response

    async def token(self, request: Request) -> Response:
        if GENERIC_AGENTS.search(request.headers.get("user-agent", "")):
            return _plain(429, "Too Many Requests")
        form = await read_form(request)
        response = await self._token(request)
        if response.status_code != 200:
            return response
        body = json.loads(bytes(response.body))
        if form.get("grant_type") == "authorization_code":
            if self.objects("durations").pop(form.get("code", ""), "temporary") != "permanent":
                with self.state.lock:
                    self.state.refresh_tokens.pop(body.pop("refresh_token", ""), None)
        else:  # a refresh: the new access token belongs to the refresh token's family
            self.objects("family")[body["access_token"]] = form.get("refresh_token", "")
        return JSONResponse(body)

    async def revoke(self, request: Request) -> Response:
        if not request.headers.get("authorization", "").lower().startswith("basic "):
            return _plain(401, "Unauthorized")
        value = (await read_form(request)).get("token", "")
        family = self.objects("family")
        with self.state.lock:
            for token in self.state.tokens.values():
                if value in (token.access_token, token.refresh_token) or family.get(token.access_token) == value:
                    token.revoked = True
            self.state.refresh_tokens.pop(value, None)
        self.state.count("revoke")
        return Response(status_code=200)

    # -- the API host: auth, User-Agent, rate-limit window -----------------------------------------------------

    def guard(self, request: Request) -> tuple[Token | None, Response | None, dict[str, str]]:
        if GENERIC_AGENTS.search(request.headers.get("user-agent", "")):
            return None, _plain(429, "Too Many Requests"), {}  # Reddit throttles generic User-Agents hard
        try:
            token = self.state.authenticate(request)
        except TokenError:
            headers = {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'}
            return None, _plain(401, "Unauthorized", headers), {}
        headers = self.window(token.access_token)
        if float(headers["x-ratelimit-remaining"]) < 0:
            headers["x-ratelimit-remaining"] = "0.0"
            return None, _plain(429, "Too Many Requests", headers), headers
        return token, None, headers

    def window(self, key: str) -> dict[str, str]:
        windows = self.objects("windows")
        now = time.time()
        with self.state.lock:
            start, used = windows.get(key, (now, 0))
            if now - start >= WINDOW_SECONDS:
                start, used = now, 0
            windows[key] = (start, used + 1)
        limit = int(self.state.objects.get("window_limit", WINDOW_LIMIT))
        return {
            "x-ratelimit-used": str(used + 1),
            "x-ratelimit-remaining": f"{limit - used - 1:.1f}",
            "x-ratelimit-reset": str(int(WINDOW_SECONDS - (now - start))),
        }

    def api(self, handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            token, refused, headers = self.guard(request)
            if refused is not None or token is None:
                return refused or _plain(401, "Unauthorized")
            try:
                response = await handler(request, token)
            except SubmitError as exc:
                response = _errors(exc.entry)
            response.headers.update(headers)
            return response

        return endpoint

    # -- identity ----------------------------------------------------------------------------------------------

    async def me(self, request: Request, token: Token) -> Response:
        user = self.state.user
        return JSONResponse(
            {"id": user.id, "name": user.username, "icon_img": user.avatar_url, "created_utc": 1_600_000_000.0}
        )

    # -- media lease and the S3 target -------------------------------------------------------------------------

    async def asset(self, request: Request, token: Token) -> Response:
        form = await read_form(request)
        mimetype, filepath = form.get("mimetype", ""), form.get("filepath", "")
        if not filepath or not re.fullmatch(r"(image|video)/[\w.+-]+", mimetype):
            return _plain(400, "Bad Request")
        asset_id = _base36() + _base36()
        key = f"rte_images/{asset_id}" if mimetype.startswith("image/") else f"rte_videos/{asset_id}"
        self.objects("assets")[asset_id] = {"key": key, "mimetype": mimetype, "uploaded": False}
        host = f"{request.url.netloc}{request.scope.get('root_path', '')}"
        fields = [
            ("acl", "private"),
            ("key", key),
            ("Content-Type", mimetype),
            ("success_action_status", "201"),
            ("x-amz-storage-class", "STANDARD"),
            ("policy", secrets.token_urlsafe(24)),
            ("x-amz-signature", secrets.token_hex(16)),
        ]
        return JSONResponse(
            {
                "args": {"action": f"//{host}/{BUCKET}", "fields": [{"name": n, "value": v} for n, v in fields]},
                "asset": {
                    "asset_id": asset_id,
                    "processing_state": "incomplete",
                    "payload": {"filepath": filepath},
                    "websocket_url": f"wss://ws-{_base36()}.wss.redditmedia.com/rte_images/{asset_id}",
                },
            }
        )

    async def s3_upload(self, request: Request) -> Response:
        form = await request.form()
        key, upload = str(form.get("key") or ""), form.get("file")
        asset = next((a for a in self.objects("assets").values() if a["key"] == key), None)
        if asset is None or not form.get("policy") or not isinstance(upload, UploadFile):
            return _s3_error(403, "AccessDenied", "Invalid according to Policy: Policy Condition failed")
        if form.get("Content-Type") != asset["mimetype"]:
            return _s3_error(403, "AccessDenied", "Invalid according to Policy: Policy Condition failed")
        data = await upload.read()
        cap = MAX_BYTES[asset["mimetype"].split("/")[0]]
        if len(data) > cap:
            extra = f"<ProposedSize>{len(data)}</ProposedSize><MaxSizeAllowed>{cap}</MaxSizeAllowed>"
            return _s3_error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", extra)
        asset |= {"uploaded": True, "bytes": len(data)}
        location = f"https://{BUCKET}.s3-accelerate.amazonaws.com/{quote(key, safe='')}"
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
            f"<Location>{location}</Location><Bucket>{BUCKET}</Bucket><Key>{key}</Key>"
            f'<ETag>"{secrets.token_hex(16)}"</ETag></PostResponse>'
        )
        return Response(xml, status_code=201, media_type="application/xml")

    def uploaded(self, url: str, field: str) -> dict[str, Any]:
        """The asset a media URL names (``https://<bucket>…/rte_images/<id>``), if it was uploaded."""
        asset = self.objects("assets").get(url.rstrip("/").rsplit("/", 1)[-1])
        if asset is None or not asset["uploaded"] or not url.rstrip("/").endswith(asset["key"]):
            raise SubmitError("BAD_URL", "you should check that url", field)
        return asset

    # -- submitting --------------------------------------------------------------------------------------------

    def check_common(self, sr: str, title: str, kind: str, flair: str) -> None:
        if not title.strip():
            raise SubmitError("NO_TEXT", "we need something here", "title")
        if len(title) > TITLE_LIMIT:
            raise SubmitError("TOO_LONG", f"this is too long (max: {TITLE_LIMIT})", "title")
        rule = SUBREDDITS.get(sr.lower())
        if rule is None:
            raise SubmitError("SUBREDDIT_NOEXIST", "that subreddit doesn't exist", "sr")
        if rule == "closed":
            raise SubmitError("SUBREDDIT_NOTALLOWED", "you aren't allowed to post there.", "sr")
        if rule == "self" and kind != "self":
            raise SubmitError("NO_LINKS", "that subreddit only allows text posts", "sr")
        if rule == "link" and kind == "self":
            raise SubmitError("NO_SELFS", "that subreddit doesn't allow text posts", "sr")
        if rule == "flair" and not flair:
            raise SubmitError("SUBMIT_VALIDATION_FLAIR_REQUIRED", "Your post must contain post flair.", "flair")
        minutes = self.state.objects.get("throttle_minutes")
        if minutes:
            raise SubmitError("RATELIMIT", f"you are doing that too much. try again in {minutes} minutes.", "ratelimit")

    async def submit(self, request: Request, token: Token) -> Response:
        form = await read_form(request)
        if form.get("api_type") != "json":
            return _plain(400, "Bad Request")
        sr, title, kind = form.get("sr", ""), form.get("title", ""), form.get("kind", "")
        if kind not in ("self", "link", "image", "video", "videogif"):
            raise SubmitError("INVALID_OPTION", "that option is not valid", "kind")
        self.check_common(sr, title, kind, form.get("flair_id", ""))
        url = form.get("url", "")
        if kind == "link":
            if not re.match(r"https?://[^\s/]+\.[^\s]+", url):
                raise SubmitError("BAD_URL", "you should check that url", "url")
            if form.get("resubmit") == "false" and any(
                p["subreddit"].lower() == sr.lower() and p["url"] == url for p in self.objects("posts").values()
            ):
                raise SubmitError("ALREADY_SUB", "that link has already been submitted", "url")
        if kind in ("image", "video", "videogif"):
            self.uploaded(url, "url")
            if kind != "image":
                self.uploaded(form.get("video_poster_url", ""), "video_poster_url")
            post = self.create(sr, title, kind, url=url, text="")
            return JSONResponse(
                {
                    "json": {
                        "errors": [],
                        "data": {
                            "user_submitted_page": f"https://www.reddit.com/user/{self.state.user.username}/submitted/",
                            "websocket_url": f"wss://ws-{_base36()}.wss.redditmedia.com/rte_images/{post['id']}",
                        },
                    }
                }
            )
        post = self.create(sr, title, kind, url=url, text=form.get("text", ""))
        data = {"url": sandbox_url(request, post["permalink"]), "drafts_count": 0, "id": post["id"]}
        return JSONResponse({"json": {"errors": [], "data": data | {"name": f"t3_{post['id']}"}}})

    async def gallery(self, request: Request, token: Token) -> Response:
        body = await request.json()
        sr, title = str(body.get("sr") or ""), str(body.get("title") or "")
        self.check_common(sr, title, "gallery", str(body.get("flair_id") or ""))
        items = body.get("items") or []
        if len(items) < 2:
            raise SubmitError("BAD_GALLERY", "a gallery needs at least 2 items", "items")
        assets = self.objects("assets")
        for item in items:
            asset = assets.get(str(item.get("media_id")))
            if asset is None or not asset["uploaded"] or not asset["mimetype"].startswith("image/"):
                raise SubmitError("MEDIA_UPLOAD_FAILED", "media upload failed", "items")
        post = self.create(sr, title, "gallery", url="", text=str(body.get("text") or ""), items=items)
        return JSONResponse(
            {
                "json": {
                    "errors": [],
                    "data": {"id": f"t3_{post['id']}", "url": sandbox_url(request, f"/gallery/{post['id']}")},
                }
            }
        )

    def create(self, sr: str, title: str, kind: str, **extra: Any) -> dict[str, Any]:
        post_id = _base36()
        slug = "_".join(re.findall(r"[a-z0-9]+", title.lower()))[:50]
        post = {
            "id": post_id,
            "name": f"t3_{post_id}",
            "subreddit": sr,
            "title": title,
            "author": self.state.user.username,
            "created_utc": time.time(),
            "permalink": f"/r/{sr}/comments/{post_id}/{slug}/",
            "kind": kind,
            "pending_polls": PROCESSING_POLLS.get(kind, 0),  # media is processed before the post shows
            **extra,
        }
        if kind in ("self", "link", "gallery"):
            post["url"] = post["url"] or f"https://www.reddit.com{post['permalink']}"
        self.objects("posts")[post_id] = post
        self.state.publish(kind, {k: v for k, v in post.items() if k != "pending_polls"}, self.state.user.id, post_id)
        return post

    # -- listings ----------------------------------------------------------------------------------------------

    async def submitted(self, request: Request, token: Token) -> Response:
        name = request.path_params["name"]
        limit = min(100, int(request.query_params.get("limit") or 25))
        shown = []
        with self.state.lock:
            for post in self.objects("posts").values():
                if post["author"].lower() != name.lower():
                    continue
                if post["pending_polls"] > 0:  # still processing: each listing poll moves it along
                    post["pending_polls"] -= 1
                    continue
                shown.append(post)
        shown.sort(key=lambda p: p["created_utc"], reverse=True)
        return JSONResponse(_listing([_public(p) for p in shown[:limit]]))

    async def info(self, request: Request, token: Token) -> Response:
        posts = self.objects("posts")
        ids = [i.removeprefix("t3_") for i in request.query_params.get("id", "").split(",") if i.startswith("t3_")]
        return JSONResponse(_listing([_public(posts[i]) for i in ids if i in posts]))

    async def comments(self, request: Request, token: Token) -> Response:
        """A submission and its comments: two listings, as ``/comments/{id}`` answers (PRAW's ``Submission``)."""
        post = self.objects("posts").get(request.path_params["id"].removeprefix("t3_"))
        if post is None:
            return _plain(404, "Not Found")
        return JSONResponse([_listing([_public(post)]), _listing([])])

    # -- reddit.com: the Sandbox's view of a post (an API client asking the same path gets JSON) ----------------

    async def web_post(self, request: Request) -> Response:
        """One host here plays both: oauth.reddit.com answers an authorised client with JSON, www.reddit.com a
        browser with the page."""
        if request.headers.get("authorization"):
            return await self.api(self.comments)(request)
        post = self.objects("posts").get(request.path_params["id"])
        if post is None:
            return missing_page("Reddit", "post")
        return post_page(
            platform="Reddit",
            author=f"u/{post['author']}",
            handle=f"r/{post['subreddit']}",
            created_at=post["created_utc"],
            title=post["title"],
            text=post.get("text") or "",
            media=self.media_of(post),
            details=[("Post id", post["name"]), ("Kind", post["kind"])],
        )

    def media_of(self, post: dict[str, Any]) -> list[Medium]:
        if post["kind"] == "link":
            return [Medium("link", url=post["url"])]
        if post["kind"] == "gallery":
            return [Medium("image", item.get("caption") or "") for item in post.get("items") or []]
        if post["kind"] in ("image", "video", "videogif"):
            asset = self.objects("assets").get(str(post.get("url", "")).rstrip("/").rsplit("/", 1)[-1]) or {}
            described = ", ".join(filter(None, [asset.get("mimetype"), size(int(asset.get("bytes") or 0))]))
            return [Medium("image" if post["kind"] == "image" else "video", described)]
        return []

    # -- faults and routing errors, in Reddit's shapes ---------------------------------------------------------

    def render_error(self, _request: Request, status: int) -> Response:
        return _plain(status, {404: "Not Found", 405: "Method Not Allowed"}.get(status, "Bad Request"))

    def render_fault(self, fault: Fault, request: Request) -> Response:
        if fault.kind == "401":
            return _plain(401, "Unauthorized", {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'})
        if fault.kind == "429":
            headers = {
                "x-ratelimit-used": "1000",
                "x-ratelimit-remaining": "0.0",
                "x-ratelimit-reset": str(fault.reset_in),
            }
            return _plain(429, "Too Many Requests", headers)
        if fault.kind == "duplicate":
            return _errors(["ALREADY_SUB", "that link has already been submitted", "url"])
        status = int(fault.kind) if fault.kind.isdigit() else 500
        return _plain(status, {503: "Service Unavailable", 502: "Bad Gateway"}.get(status, "Internal Server Error"))


def _s3_error(status: int, code: str, message: str, extra: str = "") -> Response:
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>{extra}'
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
    )
    return Response(xml, status_code=status, media_type="application/xml")


def _public(post: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "t3",
        "data": {
            **{k: post[k] for k in ("id", "name", "subreddit", "title", "author", "created_utc", "permalink", "url")},
            "selftext": post.get("text", ""),
            "is_self": post["kind"] == "self",
            "score": 42,
            "ups": 42,
            "upvote_ratio": 0.97,
            "num_comments": 5,
            "num_crossposts": 1,
            "view_count": None,
        },
    }


def _listing(children: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"after": None, "dist": len(children), "children": children, "before": None}}


def build() -> tuple[Any, SandboxState]:
    rules = OAuthRules(token_auth="client_secret_basic", access_ttl=3600, issue_refresh=True, rotate_refresh=False)
    user = SandboxUser(
        "1a2b3c4d", "sandbox_writer", "sandbox_writer", "https://styles.redditmedia.com/a.png?w=256&amp;s=1"
    )
    state = SandboxState("reddit", rules, user)
    reddit = Reddit(state)
    routes = [
        Route("/api/v1/authorize", reddit.authorize, methods=["GET"]),
        Route("/api/v1/access_token", reddit.token, methods=["POST"]),
        Route("/api/v1/revoke_token", reddit.revoke, methods=["POST"]),
        Route("/api/v1/me", reddit.api(reddit.me), methods=["GET"]),
        Route("/api/media/asset.json", reddit.api(reddit.asset), methods=["POST"]),
        Route(f"/{BUCKET}", reddit.s3_upload, methods=["POST"]),
        Route("/api/submit", reddit.api(reddit.submit), methods=["POST"]),
        Route("/api/submit_gallery_post.json", reddit.api(reddit.gallery), methods=["POST"]),
        Route("/user/{name}/submitted", reddit.api(reddit.submitted), methods=["GET"]),
        Route("/api/info", reddit.api(reddit.info), methods=["GET"]),
        Route("/comments/{id}", reddit.web_post, methods=["GET"]),
        Route("/comments/{id}/{slug}", reddit.web_post, methods=["GET"]),
        Route("/gallery/{id}", reddit.web_post, methods=["GET"]),
        Route("/r/{sr}/comments/{id}", reddit.web_post, methods=["GET"]),
        Route("/r/{sr}/comments/{id}/{slug}", reddit.web_post, methods=["GET"]),
    ]
    return sandbox_app(state, routes, reddit.render_fault, reddit.render_error), state
