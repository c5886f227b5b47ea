"""Reddit through its OAuth2 Data API (PLATFORMS.md §9, §10, §11).

What makes Reddit different:
* the token endpoint wants HTTP Basic client auth; only ``duration=permanent`` yields a refresh token, and
  refreshing leaves the refresh token as it is (the service keeps the stored one);
* API calls go to oauth.reddit.com and must carry a truthful User-Agent;
* failures of ``/api/submit`` come back as HTTP 200 with ``json.errors = [[CODE, message, field], …]``;
* media goes through an S3 lease (``/api/media/asset.json``), and image/video submits answer with a
  websocket URL but no post id, so the post is found in the account's submitted listing afterwards;
* ``X-Ratelimit-Reset`` is seconds from now, and the per-account spam throttle only says "try again in N
  minutes" in words.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

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
    PublishResult,
)
from socialhub.platforms.errors import (
    AuthError,
    DuplicateIsSuccess,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
    translate_transport_errors,
)

TITLE_LIMIT = 300
TEXT_LIMIT = 40_000  # selftext; widely quoted, not verified (PLATFORMS.md §9)
MAX_GALLERY = 20  # Reddit's composer limit; the sheet only says "≥2" (unverified)
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})
SUBREDDIT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{2,20}")
TRANSIENT_STATUSES = frozenset({408, 500, 502, 503, 504, 520, 522})
DEFAULT_THROTTLE = timedelta(minutes=10)  # when Reddit's RATELIMIT message carries no duration

# json.errors codes → what they mean for a person (the platform's own message is kept alongside).
SUBMIT_ERRORS = {
    "SUBREDDIT_NOEXIST": ("That subreddit doesn't exist.", "Check the subreddit's name."),
    "SUBREDDIT_NOTALLOWED": (
        "This account isn't allowed to post in that subreddit.",
        "Check the subreddit's rules or pick another subreddit.",
    ),
    "NO_SELFS": ("That subreddit doesn't accept text posts.", "Post a link or media there, or pick another."),
    "NO_LINKS": ("That subreddit only accepts text posts.", "Post the content as text, or pick another subreddit."),
    "TOO_LONG": ("Part of the post is longer than Reddit allows.", "Shorten it and try again."),
    "NO_TEXT": ("Reddit needs text in a required field (usually the title).", "Fill it in and try again."),
    "BAD_URL": ("Reddit didn't accept the link or media address.", "Check the link and try again."),
    "SUBMIT_VALIDATION_FLAIR_REQUIRED": (
        "That subreddit requires post flair.",
        "Choose a flair for the post and try again.",
    ),
    "ALREADY_SUB": ("That link was already posted in this subreddit.", "Post it somewhere else, or as text."),
}


class RedditClient(PlatformClient):
    identifier = "reddit"
    title = "Reddit"
    capabilities = Capabilities(
        text_limit=TEXT_LIMIT,
        media_kinds=frozenset({"image", "video", "gif"}),
        max_images=MAX_GALLERY,
        max_videos=1,
        required_fields=("subreddit", "title"),
        counting_rule="characters (title at most 300)",
    )
    option_fields = (
        OptionField("subreddit", "Subreddit", required=True, max_length=21, hint="Without r/, e.g. python"),
        OptionField("title", "Title", required=True, max_length=300),
        OptionField("link", "Link (makes it a link post)", hint="Leave empty for a text or media post."),
        OptionField("nsfw", "Mark as NSFW", kind="flag"),
        OptionField("spoiler", "Mark as spoiler", kind="flag"),
    )
    oauth = OAuthSpec(
        scopes=("identity", "submit", "read", "history"),
        scope_separator=" ",
        token_auth="client_secret_basic",
        extra_authorize_params={"duration": "permanent"},  # only permanent grants carry a refresh token
    )
    default_endpoints = Endpoints(
        authorize_url="https://www.reddit.com/api/v1/authorize",
        token_url="https://www.reddit.com/api/v1/access_token",
        api_base="https://oauth.reddit.com",
        revoke_url="https://www.reddit.com/api/v1/revoke_token",
        web_base="https://www.reddit.com",
    )

    # Image and video posts show up in the submitted listing once Reddit has processed the media.
    poll_interval_seconds: ClassVar[float] = 2.0
    max_listing_polls: ClassVar[int] = 15
    recent_posts_checked: ClassVar[int] = 25
    clock_skew = timedelta(minutes=2)

    # -- identity ----------------------------------------------------------------------------------------------

    def identity(self, access_token: str) -> list[AccountIdentity]:
        me = self.request("GET", "/api/v1/me", access_token=access_token).json()
        icon = html.unescape(me.get("icon_img") or "") or None  # Reddit HTML-escapes URLs in JSON
        return [AccountIdentity(id=str(me["id"]), display_name=me["name"], username=me["name"], avatar_url=icon)]

    # -- validation --------------------------------------------------------------------------------------------

    def validate(self, draft: Draft) -> list[str]:
        problems: list[str] = []
        subreddit = subreddit_name(draft.options.get("subreddit"))
        title = str(draft.options.get("title") or "")
        link = str(draft.options.get("link") or "").strip()
        if not subreddit:
            problems.append("Choose the subreddit to post in.")
        elif not SUBREDDIT_NAME.fullmatch(subreddit):
            problems.append(f"“{subreddit}” isn't a subreddit name (3–21 letters, digits or underscores).")
        if not title.strip():
            problems.append("Reddit posts need a title.")
        elif len(title) > TITLE_LIMIT:
            problems.append(f"Reddit titles can have at most {TITLE_LIMIT} characters; this one has {len(title)}.")
        if len(draft.text) > TEXT_LIMIT:
            problems.append(
                f"Reddit text posts can have at most {TEXT_LIMIT:,} characters; this one has {len(draft.text):,}."
            )
        if link and urlsplit(link).scheme not in ("http", "https"):
            problems.append("The link must be a full web address starting with http:// or https://.")
        if link and draft.media:
            problems.append("A Reddit post is a link or media, not both; put the link in a text post instead.")
        return problems + self._media_problems(draft)

    def _media_problems(self, draft: Draft) -> list[str]:
        problems = []
        images = [item for item in draft.media if item.kind == "image" or _is_gif_image(item)]
        moving = [
            item for item in draft.media if item.kind == "video" or (item.kind == "gif" and not _is_gif_image(item))
        ]
        if any(item.kind not in ("image", "video", "gif") for item in draft.media):
            problems.append("Reddit accepts images, GIFs and videos, not documents.")
        if len(moving) > 1:
            problems.append("A Reddit post can have only one video.")
        if moving and len(images) != 1:
            problems.append("Reddit needs exactly one poster image with a video: add one image next to the video.")
        if not moving and len(images) > MAX_GALLERY:
            problems.append(f"A Reddit gallery can have at most {MAX_GALLERY} images; this post has {len(images)}.")
        single = len(draft.media) == 1 or bool(moving)
        if draft.media and single and draft.text.strip():
            problems.append(
                "Reddit shows no body text on a single image or video post; move the text to the title or a comment."
            )
        for number, item in enumerate(draft.media, start=1):
            if not item.uploadable:
                problems.append(f"Attachment {number} has no file to upload.")
            allowed = IMAGE_TYPES if item in images else VIDEO_TYPES
            if item.kind in ("image", "video", "gif") and item.content_type not in allowed:
                problems.append(f"Reddit can't take attachment {number} as {item.content_type}.")
        return problems

    # -- publishing --------------------------------------------------------------------------------------------

    def publish(
        self, access_token: str, account: AccountIdentity, draft: Draft, *, on_handle: HandleCallback | None = None
    ) -> PublishResult:
        # Reddit has no server-side handle before the submit (§10): duplicates are found by lookup instead.
        since = datetime.now(UTC)
        fields = self._common_fields(draft)
        images = [item for item in draft.media if item.kind == "image" or _is_gif_image(item)]
        moving = [item for item in draft.media if item not in images]
        if moving:
            kind = "video" if moving[0].kind == "video" else "videogif"
            url, _ = self._upload(access_token, moving[0])
            poster, _ = self._upload(access_token, images[0])
            self._submit(access_token, fields | {"kind": kind, "url": url, "video_poster_url": poster})
            return self._await_listing(access_token, account, draft, since)
        if len(images) > 1:
            return self._submit_gallery(access_token, draft, images)
        if images:
            url, _ = self._upload(access_token, images[0])
            self._submit(access_token, fields | {"kind": "image", "url": url})
            return self._await_listing(access_token, account, draft, since)
        if link := str(draft.options.get("link") or ""):
            try:
                data = self._submit(access_token, fields | {"kind": "link", "url": link, "resubmit": "false"})
            except PermanentError as exc:
                if exc.code == "ALREADY_SUB":
                    raise self._already_submitted(access_token, account, draft, link, exc) from exc
                raise
        else:
            data = self._submit(access_token, fields | {"kind": "self", "text": draft.text})
        post_id = str(data["id"])
        return PublishResult(post_id, data.get("url") or self.endpoints.web_url(f"/comments/{post_id}/"))

    def _common_fields(self, draft: Draft) -> dict[str, str]:
        options = draft.options
        fields = {
            "api_type": "json",
            "sr": subreddit_name(options.get("subreddit")),
            "title": str(options.get("title") or ""),
            "sendreplies": "true",
            "validate_on_submit": "true",
        }
        for flag in ("nsfw", "spoiler"):
            if options.get(flag):
                fields[flag] = "true"
        for name in ("flair_id", "flair_text"):
            if options.get(name):
                fields[name] = str(options[name])
        if options.get("link") and draft.text.strip():
            fields["text"] = draft.text  # a link post may carry body text
        return fields

    def _submit(self, token: str, fields: Mapping[str, str]) -> dict[str, Any]:
        body = self.request("POST", "/api/submit", access_token=token, data=dict(fields)).json()
        return (body.get("json") or {}).get("data") or {}

    def _submit_gallery(self, token: str, draft: Draft, images: list[MediaItem]) -> PublishResult:
        """Galleries take a JSON body (booleans as booleans) and answer with the post's fullname."""
        items = []
        for item in images:
            _, asset_id = self._upload(token, item)
            items.append({"media_id": asset_id, "caption": item.alt_text[:180], "outbound_url": ""})
        options = draft.options
        body: dict[str, Any] = {
            "api_type": "json",
            "sr": subreddit_name(options.get("subreddit")),
            "title": str(options.get("title") or ""),
            "items": items,
            "nsfw": bool(options.get("nsfw")),
            "spoiler": bool(options.get("spoiler")),
            "sendreplies": True,
            "validate_on_submit": True,
        }
        body |= {name: str(options[name]) for name in ("flair_id", "flair_text") if options.get(name)}
        if draft.text.strip():
            body["text"] = draft.text
        response = self.request("POST", "/api/submit_gallery_post.json", access_token=token, json=body)
        data = response.json()["json"]["data"]
        post_id = str(data["id"]).removeprefix("t3_")
        return PublishResult(post_id, data.get("url") or self.endpoints.web_url(f"/comments/{post_id}/"))

    def _await_listing(self, token: str, account: AccountIdentity, draft: Draft, since: datetime) -> PublishResult:
        """Image and video submits answer without an id (the id arrives on a websocket we don't hold open):
        the post appears in the account's submitted listing once Reddit has processed the media."""
        for attempt in range(self.max_listing_polls):
            if attempt:
                self.sleep(self.poll_interval_seconds)
            try:
                found = self.lookup_existing(token, account, draft, since=since)
            except (TransientError, RateLimited):
                found = None
            if found is not None:
                return found
        raise TransientError(
            self.identifier,
            "Reddit accepted the post but has not shown it yet.",
            code="not_listed_yet",
            maybe_applied=True,  # it was submitted: look it up later, never submit again blindly
            action="SocialHub will look for it again shortly.",
        )

    def _already_submitted(
        self, token: str, account: AccountIdentity, draft: Draft, link: str, exc: PermanentError
    ) -> PlatformError:
        """ALREADY_SUB: if it was this account that posted the link there, the post is done."""
        subreddit = subreddit_name(draft.options.get("subreddit")).lower()
        try:
            posts = self._submitted(token, account)
        except PlatformError:
            return exc
        for post in posts:
            if post.get("subreddit", "").lower() == subreddit and post.get("url") == link:
                return DuplicateIsSuccess(
                    self.identifier,
                    "This account already posted this link in the subreddit.",
                    post_id=str(post["id"]),
                    permalink=self.endpoints.web_url(post["permalink"]),
                    code=exc.code,
                    platform_message=exc.platform_message,
                    status_code=exc.status_code,
                )
        return exc

    # -- media: the S3 lease -----------------------------------------------------------------------------------

    def _upload(self, token: str, item: MediaItem) -> tuple[str, str]:
        """Lease an upload slot, post the file to the (protocol-relative) S3 target; (media URL, asset id)."""
        lease = self.request(
            "POST",
            "/api/media/asset.json",
            access_token=token,
            data={"filepath": item.filename, "mimetype": item.content_type},
        ).json()
        action = str(lease["args"]["action"])
        target = action if "://" in action else f"{urlsplit(self.endpoints.api_base).scheme}:{action}"
        fields = {field["name"]: field["value"] for field in lease["args"]["fields"]}
        with translate_transport_errors(self.identifier):  # no Authorization header: this is S3, not Reddit
            response = self._http.post(
                target, data=fields, files={"file": (item.filename, item.data or b"", item.content_type)}
            )
        if response.status_code >= 300:
            raise self._s3_error(response)
        location = re.search(r"<Location>(.*?)</Location>", response.text)
        url = unquote(html.unescape(location.group(1))) if location else f"{target}/{fields['key']}"
        return url, str(lease["asset"]["asset_id"])

    def _s3_error(self, response: httpx.Response) -> PlatformError:
        def tag(name: str) -> str:
            found = re.search(rf"<{name}>(.*?)</{name}>", response.text)
            return found.group(1) if found else ""

        code, message = tag("Code") or str(response.status_code), tag("Message") or response.reason_phrase
        if code == "EntityTooLarge":
            size, limit = int(tag("ProposedSize") or 0), int(tag("MaxSizeAllowed") or 0)
            return PermanentError(
                self.identifier,
                f"The file is {size / 1_048_576:.1f} MB; Reddit accepts at most {limit / 1_048_576:.1f} MB.",
                code=code,
                platform_message=message,
                status_code=response.status_code,
                action="Upload a smaller file.",
            )
        if response.status_code >= 500:
            return TransientError(
                self.identifier,
                "Reddit's media storage had a temporary problem.",
                code=code,
                platform_message=message,
                status_code=response.status_code,
            )
        return PermanentError(
            self.identifier,
            "Reddit's media storage refused the file.",
            code=code,
            platform_message=message,
            status_code=response.status_code,
        )

    # -- duplicate lookup --------------------------------------------------------------------------------------

    lookup_authority = LookupAuthority(
        authoritative=False,
        window="the account's 25 newest submissions (/user/{name}/submitted?sort=new)",
        reason="Reddit serves listings from caches that can lag behind a submit, shows image and video posts only "
        "once their media is processed (the id never comes back on the submit), and the lookup reads one page. "
        "Not finding a post proves nothing, so a lost attempt stays unconfirmed.",
    )

    def lookup_existing(
        self, access_token: str, account: AccountIdentity, draft: Draft, *, since: datetime
    ) -> PublishResult | None:
        """The account's newest post in this subreddit with exactly this title, made after ``since``."""
        subreddit = subreddit_name(draft.options.get("subreddit")).lower()
        title = str(draft.options.get("title") or "")
        earliest = (since - self.clock_skew).timestamp()
        for post in self._submitted(access_token, account):
            if (
                post.get("subreddit", "").lower() == subreddit
                and post.get("title") == title
                and float(post.get("created_utc") or 0) >= earliest
            ):
                return PublishResult(str(post["id"]), self.endpoints.web_url(post["permalink"]))
        return None

    def _submitted(self, token: str, account: AccountIdentity) -> list[dict[str, Any]]:
        username = account.username or self.identity(token)[0].username
        listing = self.request(
            "GET",
            f"/user/{username}/submitted",
            access_token=token,
            params={"sort": "new", "limit": str(self.recent_posts_checked), "raw_json": "1"},
        ).json()
        return [child["data"] for child in listing["data"]["children"]]

    # -- metrics -----------------------------------------------------------------------------------------------

    def fetch_metrics(
        self, access_token: str, account: AccountIdentity, post_ids: list[str]
    ) -> dict[str, dict[str, int]]:
        """Scores and comment counts from /api/info (Reddit has no impressions or clicks)."""
        metrics: dict[str, dict[str, int]] = {}
        for start in range(0, len(post_ids), 100):  # /api/info takes up to 100 fullnames
            names = ",".join(f"t3_{post_id.removeprefix('t3_')}" for post_id in post_ids[start : start + 100])
            listing = self.request("GET", "/api/info", access_token=access_token, params={"id": names}).json()
            for child in listing["data"]["children"]:
                post = child["data"]
                numbers = {
                    "score": int(post.get("score") or 0),
                    "likes": int(post.get("ups") or 0),
                    "comments": int(post.get("num_comments") or 0),
                    "crossposts": int(post.get("num_crossposts") or 0),
                    "upvote_ratio_percent": round(float(post.get("upvote_ratio") or 0) * 100),
                }
                if post.get("view_count") is not None:  # usually null
                    numbers["impressions"] = int(post["view_count"])
                metrics[str(post["id"])] = numbers
        return metrics

    # -- rate limits and errors --------------------------------------------------------------------------------

    def read_rate_limit(self, response: httpx.Response) -> None:
        """``X-Ratelimit-Used/-Remaining`` (remaining may be a float) and ``-Reset`` in seconds from now."""
        used, remaining = response.headers.get("x-ratelimit-used"), response.headers.get("x-ratelimit-remaining")
        reset = response.headers.get("x-ratelimit-reset")
        if remaining is not None:
            self.rate_limit.remaining = int(float(remaining))
            if used is not None:
                self.rate_limit.limit = int(float(used) + float(remaining))
        if reset is not None:
            self.rate_limit.reset_at = datetime.now(UTC) + timedelta(seconds=float(reset))

    def classify(self, response: httpx.Response) -> PlatformError | None:
        status = response.status_code
        body = _json(response)
        said = str(body.get("message") or response.reason_phrase) if isinstance(body, dict) else None
        if status == 401:
            return AuthError(
                self.identifier,
                "Reddit no longer accepts this account's sign-in.",
                code="401",
                platform_message=said,
                status_code=status,
            )
        if status == 403:
            return PermanentError(
                self.identifier,
                "Reddit refused access: the account may be banned there, or the subreddit is private.",
                code="403",
                platform_message=said,
                status_code=status,
                action="Check the account's access to the subreddit on Reddit; reconnect it if that doesn't help.",
            )
        if status == 429:
            return RateLimited(
                self.identifier,
                "Reddit is limiting how often this app may call it.",
                code="429",
                platform_message=said,
                status_code=status,
                reset_at=_reset_from_headers(response) or datetime.now(UTC) + timedelta(minutes=1),
                app_wide=True,  # 100 queries a minute per OAuth client id (§9): every account shares it
            )
        if status in TRANSIENT_STATUSES or status >= 500:
            return TransientError(
                self.identifier,
                "Reddit had a temporary problem.",
                code=str(status),
                platform_message=said,
                status_code=status,
            )
        if status >= 400:
            return self.generic_error(response, said)
        errors = ((body.get("json") or {}).get("errors") or []) if isinstance(body, dict) else []
        return self._submit_error(errors[0], status) if errors else None

    def _submit_error(self, error: list[Any], status: int) -> PlatformError:
        """One ``[CODE, message, field]`` entry of ``json.errors`` (sent with HTTP 200)."""
        code, message = str(error[0]), str(error[1]) if len(error) > 1 else ""
        field = str(error[2]) if len(error) > 2 and error[2] else ""
        said = f"{message} (field: {field})" if field else message
        common: dict[str, Any] = {"code": code, "platform_message": said, "status_code": status}
        if code == "RATELIMIT":  # the per-account spam throttle; its wait is only in the words
            return RateLimited(
                self.identifier,
                "Reddit is limiting how often this account may post.",
                reset_at=datetime.now(UTC) + (_wait_in_words(message) or DEFAULT_THROTTLE),
                **common,
            )
        if code == "USER_REQUIRED":
            return AuthError(self.identifier, "Reddit no longer accepts this account's sign-in.", **common)
        explanation, action = SUBMIT_ERRORS.get(code, ("Reddit refused the post.", None))
        return PermanentError(self.identifier, explanation, action=action, **common)


# --- helpers --------------------------------------------------------------------------------------------------


def subreddit_name(value: object) -> str:
    """ "r/python", "/r/python/" and "python" all name the same subreddit."""
    name = str(value or "").strip().strip("/")
    return name[2:] if name.lower().startswith("r/") else name


def _is_gif_image(item: MediaItem) -> bool:
    """An animated GIF file is posted as an image; a GIF-like MP4 is a "videogif"."""
    return item.kind == "gif" and item.content_type == "image/gif"


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _reset_from_headers(response: httpx.Response) -> datetime | None:
    reset = response.headers.get("x-ratelimit-reset")
    return datetime.now(UTC) + timedelta(seconds=float(reset)) if reset is not None else None


def _wait_in_words(message: str) -> timedelta | None:
    """ "… try again in 9 minutes." / "Take a break for 30 seconds …" → the wait (PRAW reads it the same way)."""
    found = re.search(r"(\d+)\s*(millisecond|second|minute|hour)s?", message)
    if not found:
        return None
    number, unit = int(found.group(1)), found.group(2)
    return timedelta(**{f"{unit}s": number}) if unit != "millisecond" else timedelta(milliseconds=number)
