"""Facebook Pages through the versioned Graph API (PLATFORMS.md §2, §10, §11).

Facebook differs from the OAuth textbook in three ways that shape this module:
* the code exchange is a GET with the client secret in the query, followed by a second exchange for a
  ~60-day user token; there are no refresh tokens, so the account is reconnected instead;
* one login manages several Pages, each with its own Page token (no fixed expiry), and posts go out with
  the Page token, never the user's;
* errors are a Graph envelope ``{"error": {message, type, code, error_subcode, fbtrace_id}}`` whose
  numeric codes, not HTTP statuses, say what happened; usage comes as JSON percentages in headers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from socialhub.platforms.base import (
    AccountIdentity,
    Capabilities,
    Draft,
    Endpoints,
    HandleCallback,
    LookupAuthority,
    MediaItem,
    OAuthSpec,
    OptionField,
    PlatformClient,
    PlatformConfig,
    PublishResult,
    TokenSet,
)
from socialhub.platforms.errors import (
    AuthError,
    DuplicateIsSuccess,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
)

TEXT_LIMIT = 63_206  # widely quoted and used by postiz; Meta publishes no figure (unverified)
MAX_PHOTOS = 10  # Meta publishes no maximum for attached_media; mixpost's default
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff"})
PAGE_FIELDS = "id,name,username,access_token,tasks,picture"

# Graph error codes (PLATFORMS.md §2 "Rate limits & errors" and §11).
TOKEN_DEAD_SUBCODES = {
    458: "Facebook says the app was removed from this Facebook account.",
    460: "Facebook ended the sign-in because the account's password changed.",
    463: "The Facebook sign-in for this account has expired.",
    467: "Facebook no longer accepts this sign-in (the person logged out or the session was invalidated).",
}
RATE_CODES = frozenset({4, 17, 32, 341, 613, 80001})
RATE_SUBCODES = frozenset({1390008})  # "posting too fast" (postiz)
FLAGGED_SUBCODES = frozenset({1346003, 1404102})
PUBLISHING_AUTHORIZATION_SUBCODE = 1404078
# Used when Facebook signals a limit but gives no time to regain access (mixpost's policy).
DEFAULT_RATE_WAIT = timedelta(hours=1)

# Post insights (PLATFORMS.md §2 "Metrics"): the post_impressions* family is gone; post_media_view has
# been reported to fail on newer versions, so a narrower set is tried when Facebook rejects a metric.
METRIC_SETS: tuple[tuple[str, ...], ...] = (
    ("post_media_view", "post_total_media_view_unique", "post_clicks", "post_reactions_by_type_total"),
    ("post_clicks", "post_reactions_by_type_total"),
)
METRIC_NAMES = {
    "post_media_view": "impressions",
    "post_total_media_view_unique": "reach",
    "post_clicks": "clicks",
    "post_reactions_by_type_total": "reactions",
    "post_video_views": "video_views",
}


def graph_codes(error: PlatformError) -> tuple[int, int | None]:
    """Our ``code`` string ("190" or "190/463") back into Graph's code and subcode."""
    code, _, sub = (error.code or "0").partition("/")
    return (int(code) if code.isdigit() else 0), (int(sub) if sub.isdigit() else None)


class FacebookClient(PlatformClient):
    identifier = "facebook"
    title = "Facebook"
    capabilities = Capabilities(
        text_limit=TEXT_LIMIT,
        media_kinds=frozenset({"image", "video"}),
        max_images=MAX_PHOTOS,
        max_videos=1,
        counting_rule="characters",
        max_image_bytes=MAX_PHOTO_BYTES,
        multi_account=True,
        refreshable=False,
    )
    option_fields = (OptionField("link", "Link to share", hint="Facebook shows a preview card for it."),)
    oauth = OAuthSpec(
        scopes=(
            "pages_show_list",
            "pages_manage_posts",
            "pages_read_engagement",
            "business_management",
            "read_insights",
        ),
        scope_separator=",",
        token_auth="client_secret_post",
    )
    default_endpoints = Endpoints(
        authorize_url="https://www.facebook.com/v23.0/dialog/oauth",
        token_url="https://graph.facebook.com/v23.0/oauth/access_token",
        api_base="https://graph.facebook.com",
        web_base="https://www.facebook.com",
    )
    default_api_version = "v23.0"

    # Chunked video: Facebook gives no wait hint while a video processes, so poll at a modest pace.
    poll_interval_seconds: ClassVar[float] = 3.0
    max_status_polls: ClassVar[int] = 40
    recent_posts_checked: ClassVar[int] = 25
    clock_skew = timedelta(minutes=2)  # between our clock and Facebook's created_time

    def __init__(self, config: PlatformConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(config, transport=transport)
        # The version lives in the dialog and token paths too; keep all of them on the configured one.
        self.endpoints = replace(
            self.endpoints,
            authorize_url=self._with_version(self.endpoints.authorize_url),
            token_url=self._with_version(self.endpoints.token_url),
        )

    def _with_version(self, url: str) -> str:
        return re.sub(r"/v\d+\.\d+/", f"/{self.api_version}/", url, count=1)

    def _path(self, *parts: str) -> str:
        return "/" + "/".join((str(self.api_version), *parts))

    # -- OAuth: GET exchanges, a long-lived token, no refresh --------------------------------------------------

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str | None) -> TokenSet:
        """Code → short-lived user token (~1 h) → long-lived user token (~60 days)."""
        short = self._token_request({"redirect_uri": redirect_uri, "code": code})
        long = self._token_request({"grant_type": "fb_exchange_token", "fb_exchange_token": short["access_token"]})
        token = self.parse_token(long)
        # People can untick permissions in the dialog: record what was granted, not what was asked for.
        granted = self.request("GET", self._path("me", "permissions"), access_token=token.access_token).json()
        scopes = tuple(p["permission"] for p in granted.get("data", []) if p.get("status") == "granted")
        return replace(token, scopes=scopes or token.scopes)

    def _token_request(self, params: dict[str, str]) -> dict[str, Any]:
        credentials = {"client_id": self.config.client_id, "client_secret": self.config.client_secret}
        try:
            return self.request("GET", self.endpoints.token_url, params=credentials | params).json()
        except PermanentError as exc:  # a used or expired code, a redirect mismatch: the sign-in failed
            raise AuthError(
                self.identifier,
                "Facebook did not accept the sign-in; connect the account again.",
                code=exc.code,
                platform_message=exc.platform_message,
                status_code=exc.status_code,
            ) from exc

    def refresh(self, refresh_token: str) -> TokenSet:
        raise AuthError(
            self.identifier,
            "Facebook has no refresh tokens: its sign-in lasts about 60 days, then the account must be reconnected.",
            code="no_refresh",
        )

    def revoke(self, token: str) -> bool:
        """``DELETE /{user-id}/permissions`` removes the app and every Page token derived from the login."""
        try:
            user_id = self.request("GET", self._path("me"), access_token=token, params={"fields": "id"}).json()["id"]
            self.request("DELETE", self._path(str(user_id), "permissions"), access_token=token)
        except AuthError:
            return True  # the token is already dead: Facebook holds no access to revoke
        return True

    # -- identity: the person, then every Page they manage -----------------------------------------------------

    def identity(self, access_token: str) -> list[AccountIdentity]:
        me = self.request("GET", self._path("me"), access_token=access_token, params={"fields": "id,name"}).json()
        pages: dict[str, dict[str, Any]] = {}
        params = {"fields": PAGE_FIELDS, "limit": "100"}
        for page in self._paged(self._path("me", "accounts"), access_token, params):
            pages.setdefault(str(page["id"]), page)
        for page in self._business_pages(access_token, params):
            pages.setdefault(str(page["id"]), page)
        if not pages:
            raise PermanentError(
                self.identifier,
                "This Facebook login manages no Pages SocialHub may post to.",
                code="no_pages",
                action="Connect again and tick every Page SocialHub should post to (a Page role is required).",
            )
        return [
            AccountIdentity(
                id=str(page["id"]),
                display_name=page.get("name") or str(page["id"]),
                username=page.get("username"),
                avatar_url=((page.get("picture") or {}).get("data") or {}).get("url"),
                access_token=page.get("access_token"),
                kind="page",
                extra={"user_id": str(me["id"]), "user_name": me.get("name"), "tasks": page.get("tasks", [])},
            )
            for page in pages.values()
        ]

    def _business_pages(self, token: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        """Business-owned Pages can be missing from /me/accounts (postiz); without business_management
        Facebook refuses the listing, which only means there is nothing more to add."""
        try:
            businesses = list(self._paged(self._path("me", "businesses"), token, {"fields": "id,name"}))
            for business in businesses:
                for edge in ("owned_pages", "client_pages"):
                    yield from self._paged(self._path(str(business["id"]), edge), token, params)
        except PermanentError:
            return

    def _paged(self, path: str, token: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        """Every item of a Graph list, following ``paging.next`` (an absolute URL) on the API's own host."""
        url: str | None = path
        query: dict[str, str] | None = params
        origin = self.endpoints.api_base.rstrip("/") + "/"
        for _ in range(100):  # a bound against a paging loop
            body = self.request("GET", url or "", access_token=token, params=query).json()
            yield from body.get("data", [])
            url = (body.get("paging") or {}).get("next")
            query = None  # the next URL carries the whole query
            if not url or not url.startswith(origin):  # never send the token anywhere else
                return

    # -- validation --------------------------------------------------------------------------------------------

    def validate(self, draft: Draft) -> list[str]:
        problems: list[str] = []
        link = str(draft.options.get("link") or "").strip()
        if len(draft.text) > TEXT_LIMIT:
            problems.append(
                f"Facebook posts can have at most {TEXT_LIMIT:,} characters; this one has {len(draft.text):,}."
            )
        if not draft.text.strip() and not draft.media and not link:
            problems.append("A Facebook post needs text, a link, a photo or a video.")
        if link and urlsplit(link).scheme not in ("http", "https"):
            problems.append("The link must be a full web address starting with http:// or https://.")
        kinds = [item.kind for item in draft.media]
        for kind in sorted(set(kinds) - {"image", "video"}):
            reason = "animated GIFs aren't played as photos" if kind == "gif" else "only photos and videos are accepted"
            problems.append(f"Facebook can't post a {kind} here: {reason}.")
        images, videos = kinds.count("image"), kinds.count("video")
        if videos > 1:
            problems.append("A Facebook post can have only one video.")
        if videos and images:
            problems.append("A Facebook post can have photos or one video, not both.")
        if images > MAX_PHOTOS:
            problems.append(f"SocialHub posts at most {MAX_PHOTOS} photos to Facebook at once; this post has {images}.")
        if link and draft.media:
            problems.append("Facebook can't show a link preview on a photo or video post; put the link in the text.")
        for number, item in enumerate(draft.media, start=1):
            problems.extend(self._media_problems(number, item))
        return problems

    def _media_problems(self, number: int, item: MediaItem) -> list[str]:
        problems = []
        if not item.uploadable and not item.url:
            problems.append(f"Attachment {number} has no file.")
        if item.kind == "image":
            if item.content_type not in PHOTO_TYPES:
                problems.append(f"Photo {number} must be JPEG, PNG, GIF, BMP or TIFF, not {item.content_type}.")
            size = item.size_bytes or len(item.data or b"")
            if size > MAX_PHOTO_BYTES:
                problems.append(f"Photo {number} is {size / 1_048_576:.1f} MB; Facebook accepts photos up to 10 MB.")
        return problems

    # -- publishing (always with the Page token) ---------------------------------------------------------------

    def publish(
        self, access_token: str, account: AccountIdentity, draft: Draft, *, on_handle: HandleCallback | None = None
    ) -> PublishResult:
        token = account.access_token or access_token
        images = [item for item in draft.media if item.kind == "image"]
        videos = [item for item in draft.media if item.kind == "video"]
        if videos:
            return self._publish_video(token, account.id, draft, videos[0], on_handle)
        if len(images) == 1:
            return self._publish_photo(token, account.id, draft, images[0])
        media_ids = [self._upload_unpublished_photo(token, account.id, item) for item in images]
        if media_ids and on_handle:
            on_handle(",".join(media_ids))  # unpublished photos live ~24 h and may be attached again
        return self._publish_feed(token, account, draft, media_ids)

    def _publish_feed(self, token: str, account: AccountIdentity, draft: Draft, media_ids: list[str]) -> PublishResult:
        body: dict[str, Any] = {"message": draft.text, "published": True}
        if link := draft.options.get("link"):
            body["link"] = link
        if media_ids:
            body["attached_media"] = [{"media_fbid": media_id} for media_id in media_ids]
        try:
            post = self.request(
                "POST",
                self._path(account.id, "feed"),
                access_token=token,
                params={"fields": "id,permalink_url"},
                json=body,
            ).json()
        except PermanentError as exc:
            if graph_codes(exc)[0] == 506:  # Facebook already has this status: find it and call it done
                raise self._duplicate(token, account, draft, exc) from exc
            raise
        post_id = str(post["id"])
        return PublishResult(post_id, self._absolute(post.get("permalink_url")) or self._permalink(token, post_id))

    def _duplicate(self, token: str, account: AccountIdentity, draft: Draft, exc: PermanentError) -> PlatformError:
        try:
            existing = self._find_recent(token, account.id, draft, since=None)
        except PlatformError:
            existing = None
        if existing is None:
            return exc
        return DuplicateIsSuccess(
            self.identifier,
            "Facebook already has this post on the Page.",
            post_id=existing.post_id,
            permalink=existing.permalink,
            code=exc.code,
            platform_message=exc.platform_message,
            status_code=exc.status_code,
        )

    def _publish_photo(self, token: str, page_id: str, draft: Draft, item: MediaItem) -> PublishResult:
        photo = self._post_photo(token, page_id, item, {"caption": draft.text, "published": "true"})
        post_id = str(photo.get("post_id") or photo["id"])
        return PublishResult(post_id, self._permalink(token, post_id))

    def _upload_unpublished_photo(self, token: str, page_id: str, item: MediaItem) -> str:
        return str(self._post_photo(token, page_id, item, {"published": "false"})["id"])

    def _post_photo(self, token: str, page_id: str, item: MediaItem, fields: dict[str, str]) -> dict[str, Any]:
        if item.data is None:  # pull-based: Facebook fetches the file itself
            return self.request(
                "POST", self._path(page_id, "photos"), access_token=token, data=fields | {"url": item.url or ""}
            ).json()
        files = {"source": (item.filename, item.data, item.content_type)}
        return self.request("POST", self._path(page_id, "photos"), access_token=token, data=fields, files=files).json()

    def _publish_video(
        self, token: str, page_id: str, draft: Draft, item: MediaItem, on_handle: HandleCallback | None
    ) -> PublishResult:
        path = self._path(page_id, "videos")
        details = {"description": draft.text, "published": "true"}
        if title := draft.options.get("title"):
            details["title"] = str(title)
        if item.data is None:  # pull-based simple upload: one call creates the video
            video = self.request("POST", path, access_token=token, data=details | {"file_url": item.url or ""}).json()
            return self._await_video(token, str(video["id"]))
        start = self.request(
            "POST", path, access_token=token, data={"upload_phase": "start", "file_size": str(len(item.data))}
        ).json()
        session, video_id = str(start["upload_session_id"]), str(start["video_id"])
        offset, end = int(start["start_offset"]), int(start["end_offset"])
        while offset < end:  # Facebook chooses each chunk's size through the offsets it returns
            chunk = item.data[offset:end]
            step = self.request(
                "POST",
                path,
                access_token=token,
                data={"upload_phase": "transfer", "upload_session_id": session, "start_offset": str(offset)},
                files={"video_file_chunk": (item.filename, chunk, "application/octet-stream")},
            ).json()
            offset, end = int(step["start_offset"]), int(step["end_offset"])
        if on_handle:
            on_handle(video_id)  # before finish, which publishes
        self.request(
            "POST",
            path,
            access_token=token,
            data={"upload_phase": "finish", "upload_session_id": session} | details,
        )
        return self._await_video(token, video_id)

    def _await_video(self, token: str, video_id: str) -> PublishResult:
        """Poll ``status.video_status`` until ready. The video is already committed: a failed poll must not
        turn into a retry (that would post twice), so only a reported processing error fails the post."""
        fallback = PublishResult(video_id, self.endpoints.web_url(video_id))
        for attempt in range(self.max_status_polls):
            if attempt:
                self.sleep(self.poll_interval_seconds)
            try:
                video = self.request(
                    "GET", self._path(video_id), access_token=token, params={"fields": "status,permalink_url"}
                ).json()
            except (TransientError, RateLimited):
                return fallback
            status = video.get("status") or {}
            state = status.get("video_status")
            if state in ("ready", "upload_complete"):  # postiz's "done" states
                return PublishResult(video_id, self._absolute(video.get("permalink_url")) or fallback.permalink)
            if state == "error":
                errors = (status.get("processing_phase") or {}).get("errors") or [{}]
                raise PermanentError(
                    self.identifier,
                    "Facebook could not process the video.",
                    code=str(errors[0].get("code") or "video_error"),
                    platform_message=errors[0].get("message"),
                    action="Check the video's format and length, then upload it again.",
                )
        return fallback  # still processing: Facebook will finish on its own; the video id is the post

    def _permalink(self, token: str, object_id: str) -> str:
        try:
            body = self.request(
                "GET", self._path(object_id), access_token=token, params={"fields": "permalink_url"}
            ).json()
        except PlatformError:  # the post exists; a missing link must not fail (and so repeat) the publish
            return self.endpoints.web_url(object_id)
        return self._absolute(body.get("permalink_url")) or self.endpoints.web_url(object_id)

    def _absolute(self, permalink: str | None) -> str | None:
        """Video permalinks come relative ("/page/videos/1/"), on facebook.com; post permalinks are absolute."""
        if not permalink:
            return None
        return self.endpoints.web_url(permalink) if permalink.startswith("/") else permalink

    # -- duplicate lookup --------------------------------------------------------------------------------------

    lookup_authority = LookupAuthority(
        authoritative=False,
        window="the Page's 25 newest published posts (one page of /published_posts)",
        reason="The lookup reads one page and does not follow paging.next; a video appears only once Facebook has "
        "processed it, and a single photo's file travels in the irreversible request itself, so arming does not "
        "date the moment it reached Facebook. Not finding a post proves nothing, so a lost attempt stays "
        "unconfirmed (a text re-sent by hand is caught by Facebook's 506 duplicate check).",
    )

    def lookup_existing(
        self, access_token: str, account: AccountIdentity, draft: Draft, *, since: datetime
    ) -> PublishResult | None:
        return self._find_recent(account.access_token or access_token, account.id, draft, since=since)

    def _find_recent(self, token: str, page_id: str, draft: Draft, *, since: datetime | None) -> PublishResult | None:
        """The Page's newest post with this draft's text (and after ``since``), from /published_posts."""
        body = self.request(
            "GET",
            self._path(page_id, "published_posts"),
            access_token=token,
            params={"fields": "id,message,created_time,permalink_url", "limit": str(self.recent_posts_checked)},
        ).json()
        for post in body.get("data", []):
            created = _graph_time(post.get("created_time"))
            if since is not None and (created is None or created < since - self.clock_skew):
                continue
            if (post.get("message") or "").strip() == draft.text.strip():
                post_id = str(post["id"])
                permalink = self._absolute(post.get("permalink_url")) or self.endpoints.web_url(post_id)
                return PublishResult(post_id, permalink)
        return None

    # -- metrics -----------------------------------------------------------------------------------------------

    def fetch_metrics(
        self, access_token: str, account: AccountIdentity, post_ids: list[str]
    ) -> dict[str, dict[str, int]]:
        token = account.access_token or access_token
        return {post_id: self._post_metrics(token, post_id) for post_id in post_ids}

    def _post_metrics(self, token: str, post_id: str) -> dict[str, int]:
        counts = self.request(
            "GET",
            self._path(post_id),
            access_token=token,
            params={"fields": "shares,reactions.limit(0).summary(true),comments.limit(0).summary(true)"},
        ).json()
        metrics = {
            "shares": int((counts.get("shares") or {}).get("count", 0)),
            "reactions": int(((counts.get("reactions") or {}).get("summary") or {}).get("total_count", 0)),
            "comments": int(((counts.get("comments") or {}).get("summary") or {}).get("total_count", 0)),
        }
        video = "_" not in post_id  # page posts are "{page}_{post}"; a bare id is a video
        for metric_set in METRIC_SETS:
            names = (*metric_set, "post_video_views") if video else metric_set
            try:
                insights = self.request(
                    "GET", self._path(post_id, "insights"), access_token=token, params={"metric": ",".join(names)}
                ).json()
            except PermanentError as exc:
                # Facebook retires metrics between versions; "must be a valid insights metric" is its signal.
                if graph_codes(exc)[0] == 100 and "valid insights metric" in (exc.platform_message or ""):
                    continue
                raise
            for entry in insights.get("data", []):
                value = ((entry.get("values") or [{}])[0]).get("value", 0)
                if isinstance(value, dict):  # *_by_type*: one number per type
                    if entry.get("name") == "post_reactions_by_type_total":
                        metrics["likes"] = int(value.get("like", 0))
                    value = sum(int(v) for v in value.values())
                metrics[METRIC_NAMES.get(entry.get("name", ""), entry.get("name", ""))] = int(value or 0)
            break
        return metrics

    # -- rate limits and errors --------------------------------------------------------------------------------

    def read_rate_limit(self, response: httpx.Response) -> None:
        """Graph reports usage as percentages of the limit (``X-App-Usage`` for user tokens,
        ``X-Business-Use-Case-Usage`` for Page tokens); the latter also says when access returns."""
        usage = _usage(response)
        if usage is None:
            return
        percent, regain_minutes = usage
        self.rate_limit.limit = 100
        self.rate_limit.remaining = max(0, 100 - percent)
        if regain_minutes:
            self.rate_limit.reset_at = datetime.now(UTC) + timedelta(minutes=regain_minutes)
        elif percent >= 100:
            self.rate_limit.reset_at = datetime.now(UTC) + DEFAULT_RATE_WAIT
        else:
            self.rate_limit.reset_at = None

    def classify(self, response: httpx.Response) -> PlatformError | None:
        if response.status_code < 400:
            return None
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            error = None
        if not isinstance(error, dict):
            return self.generic_error(response)
        code, sub = int(error.get("code") or 0), int(error.get("error_subcode") or 0)
        said = str(error.get("message") or response.reason_phrase)
        if error.get("error_user_msg"):
            said = f"{said} {error['error_user_msg']}"
        common: dict[str, Any] = {
            "code": f"{code}/{sub}" if sub else str(code),
            "platform_message": said,
            "status_code": response.status_code,
        }
        if code in (190, 102):
            explanation = TOKEN_DEAD_SUBCODES.get(sub, "Facebook no longer accepts this account's sign-in.")
            return AuthError(self.identifier, explanation, **common)
        if code == 492:
            return AuthError(
                self.identifier,
                "You no longer have a role on this Facebook Page that allows posting.",
                action="Check your Page role in the Page's settings on Facebook, then reconnect the account.",
                **common,
            )
        if sub == PUBLISHING_AUTHORIZATION_SUBCODE:
            return AuthError(
                self.identifier,
                "Facebook requires Page Publishing Authorization before anything can be posted to this Page.",
                action="Complete Page Publishing Authorization in the Page's settings on Facebook, then try again.",
                **common,
            )
        if code in RATE_CODES or sub in RATE_SUBCODES:
            return RateLimited(
                self.identifier,
                "Facebook is limiting how often this app may call it for this Page or account.",
                reset_at=_rate_reset(response),
                app_wide=code == 4,  # "Application request limit reached": the app's own limit (§2)
                **common,
            )
        if code in (1, 2) or error.get("is_transient"):
            return TransientError(self.identifier, "Facebook had a temporary problem.", **common)
        return self._permanent(code, sub, common) or self.generic_error(response, said, common["code"])

    def _permanent(self, code: int, sub: int, common: dict[str, Any]) -> PlatformError | None:
        if code == 506:
            return PermanentError(
                self.identifier,
                "Facebook refused this as a duplicate of a post already on the Page.",
                action="Change the text if you meant to post it again.",
                **common,
            )
        if code == 10 or 200 <= code <= 299:
            return PermanentError(
                self.identifier,
                "SocialHub is missing a Facebook permission this needs.",
                action="Reconnect the account and approve every permission SocialHub asks for.",
                **common,
            )
        if code == 368:
            return PermanentError(
                self.identifier,
                "Facebook blocked this action for now because it may break its policies.",
                action="Wait before posting again, and check the post against Facebook's Community Standards.",
                **common,
            )
        if sub == 1609005:
            return PermanentError(
                self.identifier, "Facebook could not read the linked page to build a preview.", **common
            )
        if sub in FLAGGED_SUBCODES:
            return PermanentError(self.identifier, "Facebook flagged the content of this post.", **common)
        if sub == 1366046:
            return PermanentError(
                self.identifier,
                "Facebook could not accept the photo.",
                action="Use a JPG or PNG photo under 4 MB and try again.",
                **common,
            )
        if code == 100:
            return PermanentError(self.identifier, "Facebook rejected a value in the post.", **common)
        return None


# --- helpers --------------------------------------------------------------------------------------------------


def _graph_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def _usage(response: httpx.Response) -> tuple[int, int] | None:
    """(highest usage percentage, minutes until access returns) from the usage headers, if any."""
    entries: list[dict[str, Any]] = []
    for header in ("x-app-usage", "x-business-use-case-usage"):
        raw = response.headers.get(header)
        if not raw:
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        if header == "x-app-usage" and isinstance(value, dict):
            entries.append(value)
        elif isinstance(value, dict):  # {"<page id>": [{type, call_count, …, estimated_time_to_regain_access}]}
            entries.extend(item for items in value.values() if isinstance(items, list) for item in items)
    if not entries:
        return None
    percent = max(
        int(entry.get(key) or 0) for entry in entries for key in ("call_count", "total_cputime", "total_time")
    )
    regain = max(int(entry.get("estimated_time_to_regain_access") or 0) for entry in entries)
    return percent, regain


def _rate_reset(response: httpx.Response) -> datetime:
    usage = _usage(response)
    if usage and usage[1]:
        return datetime.now(UTC) + timedelta(minutes=usage[1])
    return datetime.now(UTC) + DEFAULT_RATE_WAIT
