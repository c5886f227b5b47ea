"""X (API v2): OAuth 2.0 with PKCE, text posts, up to four images, one chunked video or GIF, duplicate recovery.

PLATFORMS.md §3 is the contract. What is X-specific here:

* OAuth 2.0 authorization code with PKCE (S256); SocialHub is a confidential client, so the token endpoint wants
  HTTP Basic. Access tokens live 2 h; refresh tokens exist only with ``offline.access`` and ROTATE: every refresh
  returns a new one and the old one stops working (``TokenSet.merged_with`` keeps the newest).
* Text is counted by twitter-text v3 weights (``x_text.weighted_length``): URLs 23, emoji and CJK 2.
* Images go up in one multipart call each; a video or animated GIF goes through initialize → append (chunks) →
  finalize → STATUS polling, sleeping the ``check_after_secs`` X asks for between polls.
* X has no idempotency key. A re-sent identical post fails with 403 "duplicate content" without naming the
  original, so publish looks the original up in the account's recent posts and reports it as a success.
"""

from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

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
    PlatformClient,
    PublishResult,
    reset_time,
)
from socialhub.platforms.errors import (
    AuthError,
    DuplicateIsSuccess,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
)
from socialhub.platforms.x_text import (
    MAX_WEIGHTED_LENGTH,
    InvalidCharacter,
    invalid_characters,
    strip_urls,
    weighted_length,
)

MB = 1024 * 1024
IMAGE_MAX_BYTES = 5 * MB
GIF_MAX_BYTES = 15 * MB
VIDEO_MAX_BYTES = 512 * MB
VIDEO_MIN_SECONDS, VIDEO_MAX_SECONDS = 0.5, 140.0
ALT_TEXT_MAX = 1000  # CreateMediaMetadataRequest.metadata.alt_text.text maxLength (OpenAPI)
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})
MAX_SEGMENTS = 1000  # append's segment_index is 0–999

# The 403 detail X sends for a re-post: "You are not allowed to create a Tweet with duplicate content." It carries no
# problem type of its own (type is about:blank), so this text IS the signal.
DUPLICATE_SIGNAL = "duplicate content"
DUPLICATE_CODE = "duplicate-content"
# Looking a post up among the account's own (after a lost answer): X's largest page, and at most this many
# pages inside the time window (each page is one GET /2/users/:id/tweets, 900 per 15 minutes per user). The
# timeline reaches the account's 3,200 most recent posts, far more than these pages.
LOOKUP_PAGE_SIZE = 100
LOOKUP_MAX_PAGES = 5


class XClient(PlatformClient):
    identifier = "x"
    title = "X"
    capabilities = Capabilities(
        text_limit=MAX_WEIGHTED_LENGTH,
        media_kinds=frozenset({"image", "gif", "video"}),
        max_images=4,
        max_videos=1,
        text_only_allowed=True,
        counting_rule="weighted: links count 23, emoji and CJK characters 2, Latin letters and punctuation 1",
        max_image_bytes=IMAGE_MAX_BYTES,
        max_video_bytes=VIDEO_MAX_BYTES,
    )
    oauth = OAuthSpec(
        scopes=("tweet.read", "tweet.write", "users.read", "media.write", "offline.access"),
        pkce=True,
        token_auth="client_secret_basic",
    )
    default_endpoints = Endpoints(
        authorize_url="https://x.com/i/oauth2/authorize",
        token_url="https://api.x.com/2/oauth2/token",
        api_base="https://api.x.com",
        revoke_url="https://api.x.com/2/oauth2/revoke",
        web_base="https://x.com",
    )

    lookup_authority = LookupAuthority(
        authoritative=True,
        settle_seconds=30.0,
        window="the account's posts since the attempt (start_time), newest first, every page up to "
        f"{LOOKUP_PAGE_SIZE * LOOKUP_MAX_PAGES} posts; more than that is an incomplete lookup, never a 'not found'",
        reason="GET /2/users/:id/tweets lists every post of the account in reverse chronological order (its 3,200 "
        "most recent) with start_time and next_token paging, and a post keeps its text (links become t.co, which "
        "the comparison ignores), so a post with words in it is recognisable. X answers the create only after "
        "the post exists; 30 s is a wide margin over the seconds a new post takes to show in the timeline. "
        "Media alone is not recognisable (any media-only post would match), so those drafts stay unconfirmed.",
    )

    # Tunables, overridable per instance (tests shrink chunks and replace sleep so nothing waits for real).
    chunk_size: int = 1 * MB  # postiz uses 1 MB; X accepts up to 1000 segments
    max_status_polls: int = 60

    # -- identity -------------------------------------------------------------------------------------------

    def identity(self, access_token: str) -> list[AccountIdentity]:
        response = self.request(
            "GET",
            "/2/users/me",
            access_token=access_token,
            params={"user.fields": "id,name,username,profile_image_url,verified"},
        )
        user = response.json()["data"]
        return [
            AccountIdentity(
                id=str(user["id"]),
                display_name=user.get("name") or user["username"],
                username=user["username"],
                avatar_url=user.get("profile_image_url"),
                extra={"verified": bool(user.get("verified", False))},
            )
        ]

    # -- validation -----------------------------------------------------------------------------------------

    text_length = staticmethod(weighted_length)

    def validate(self, draft: Draft) -> list[str]:
        problems: list[str] = []
        length = weighted_length(draft.text)
        if length > MAX_WEIGHTED_LENGTH:
            problems.append(
                f"The text is {length} characters as X counts them (every link counts 23, each emoji and CJK "
                f"character 2); X allows {MAX_WEIGHTED_LENGTH}. Remove {length - MAX_WEIGHTED_LENGTH}."
            )
        if not draft.text.strip() and not draft.media:
            problems.append("An X post needs text or at least one image, GIF or video.")
        if invalid := invalid_characters(draft.text):
            problems.append(_invalid_characters_problem(invalid))

        by_kind: dict[str, list[MediaItem]] = {}
        for item in draft.media:
            by_kind.setdefault(item.kind, []).append(item)
        images, gifs, videos = by_kind.get("image", []), by_kind.get("gif", []), by_kind.get("video", [])
        for kind in sorted(set(by_kind) - {"image", "gif", "video"}):
            problems.append(f"X cannot attach a {kind}; a post takes images, one GIF or one video.")
        if sum(1 for group in (images, gifs, videos) if group) > 1:
            problems.append("X cannot mix media in one post: attach up to 4 images, or one GIF, or one video.")
        if len(images) > 4:
            problems.append(f"X allows at most 4 images per post; this one has {len(images)}.")
        if len(gifs) > 1:
            problems.append(f"X allows one GIF per post; this one has {len(gifs)}.")
        if len(videos) > 1:
            problems.append(f"X allows one video per post; this one has {len(videos)}.")

        for item in images:
            problems += self._file_problems(item, "image", IMAGE_MAX_BYTES, IMAGE_TYPES, "JPG, PNG, GIF or WEBP")
        for item in gifs:
            problems += self._file_problems(item, "GIF", GIF_MAX_BYTES, frozenset({"image/gif"}), "GIF")
        for item in videos:
            problems += self._file_problems(item, "video", VIDEO_MAX_BYTES, VIDEO_TYPES, "MP4 or MOV")
            duration = item.duration_seconds
            if duration is not None and not VIDEO_MIN_SECONDS <= duration <= VIDEO_MAX_SECONDS:
                problems.append(
                    f"The video “{item.filename}” runs {duration:g} seconds; X accepts videos from "
                    f"{VIDEO_MIN_SECONDS:g} to {VIDEO_MAX_SECONDS:g} seconds (2 minutes 20)."
                )
        for item, alt in zip(draft.media, self._alt_texts(draft), strict=True):
            if alt and item.kind == "video":
                problems.append(f"X keeps alt text for images and GIFs only, not for the video “{item.filename}”.")
            elif len(alt) > ALT_TEXT_MAX:
                problems.append(f"The alt text of “{item.filename}” is {len(alt)} characters; X allows {ALT_TEXT_MAX}.")
        return problems

    @staticmethod
    def _file_problems(item: MediaItem, noun: str, limit: int, types: frozenset[str], names: str) -> list[str]:
        problems = []
        size = item.size_bytes or len(item.data or b"")
        if size > limit:
            problems.append(
                f"The {noun} “{item.filename}” is {size / MB:.1f} MB; X accepts {noun}s up to {limit // MB} MB."
            )
        if item.content_type.lower() not in types:
            problems.append(f"The {noun} “{item.filename}” is {item.content_type}; X accepts {names}.")
        if not item.uploadable:
            problems.append(f"The file for “{item.filename}” is missing; X needs the file itself to upload it.")
        return problems

    @staticmethod
    def _alt_texts(draft: Draft) -> list[str]:
        """Alt text per media item: the item's own, else draft.options["alt_text"] (one string, or a list)."""
        option = draft.options.get("alt_text")
        texts = []
        for index, item in enumerate(draft.media):
            alt = item.alt_text
            if not alt and isinstance(option, str) and len(draft.media) == 1:
                alt = option
            elif not alt and isinstance(option, list | tuple) and index < len(option):
                alt = str(option[index] or "")
            texts.append(alt or "")
        return texts

    # -- publishing -----------------------------------------------------------------------------------------

    def publish(
        self, access_token: str, account: AccountIdentity, draft: Draft, *, on_handle: HandleCallback | None = None
    ) -> PublishResult:
        media_ids = [
            self._upload(access_token, item, alt) for item, alt in zip(draft.media, self._alt_texts(draft), strict=True)
        ]
        if media_ids and on_handle:
            # The uploaded media ids are X's only server-side handle: harmless to repeat, and what a retry reuses.
            on_handle(",".join(media_ids))
        body: dict[str, Any] = {}
        if draft.text:
            body["text"] = draft.text
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        try:
            response = self.request("POST", "/2/tweets", access_token=access_token, json=body)
        except PermanentError as exc:
            if exc.code != DUPLICATE_CODE:
                raise
            raise self._duplicate_outcome(access_token, account, draft, exc) from exc
        post_id = str(response.json()["data"]["id"])
        return PublishResult(post_id, self.permalink(account, post_id))

    def permalink(self, account: AccountIdentity, post_id: str) -> str:
        # x.com/i/web/status/{id} resolves without the handle, for accounts stored before we knew it.
        return self.endpoints.web_url(f"/{account.username or 'i/web'}/status/{post_id}")

    def _duplicate_outcome(
        self, access_token: str, account: AccountIdentity, draft: Draft, refusal: PlatformError
    ) -> PlatformError:
        """X refused an identical re-post without naming the original: find it among the recent posts."""
        existing = self._find_recent(access_token, account, draft, since=None, complete=False)
        if existing is not None:
            return DuplicateIsSuccess(
                self.identifier,
                "X already has this post (an earlier attempt went through), so there is nothing to publish again.",
                post_id=existing.post_id,
                permalink=existing.permalink,
                code=DUPLICATE_CODE,
                platform_message=refusal.platform_message,
                status_code=refusal.status_code,
            )
        return PermanentError(
            self.identifier,
            "X refused the post as identical to one of this account's recent posts, and that post is not among "
            "the latest ones we can see.",
            code=DUPLICATE_CODE,
            platform_message=refusal.platform_message,
            status_code=refusal.status_code,
            action="Change the wording a little and publish again.",
        )

    # -- media ----------------------------------------------------------------------------------------------

    def _upload(self, access_token: str, item: MediaItem, alt_text: str) -> str:
        if item.data is None:
            raise PermanentError(
                self.identifier,
                f"The file for “{item.filename}” is missing, and X only accepts uploaded files.",
                code="missing-media",
                action="Attach the file again and retry.",
            )
        if item.kind == "image":
            response = self.request(
                "POST",
                "/2/media/upload",
                access_token=access_token,
                files={"media": (item.filename, item.data, item.content_type)},
                data={"media_category": "tweet_image"},
            )
            media_id = str(response.json()["data"]["id"])
        else:
            media_id = self._upload_chunked(access_token, item)
        if alt_text and item.kind in ("image", "gif"):
            self.request(
                "POST",
                "/2/media/metadata",
                access_token=access_token,
                json={"id": media_id, "metadata": {"alt_text": {"text": alt_text}}},
            )
        return media_id

    def _upload_chunked(self, access_token: str, item: MediaItem) -> str:
        data = item.data or b""
        category = "tweet_gif" if item.kind == "gif" else "tweet_video"
        init = self.request(
            "POST",
            "/2/media/upload/initialize",
            access_token=access_token,
            json={"media_type": item.content_type, "total_bytes": len(data), "media_category": category},
        )
        media_id = str(init.json()["data"]["id"])
        # Never more than 1000 segments: a very large file gets proportionally larger chunks.
        size = max(self.chunk_size, math.ceil(len(data) / MAX_SEGMENTS))
        for index, chunk in enumerate(_chunks(data, size)):
            self.request(
                "POST",
                f"/2/media/upload/{media_id}/append",
                access_token=access_token,
                files={"media": ("chunk", chunk, "application/octet-stream")},
                data={"segment_index": str(index)},
            )
        final = self.request("POST", f"/2/media/upload/{media_id}/finalize", access_token=access_token)
        self._await_processing(access_token, media_id, final.json().get("data", {}).get("processing_info"))
        return media_id

    def _await_processing(self, access_token: str, media_id: str, info: dict[str, Any] | None) -> None:
        """Poll STATUS until X has processed the media; no processing_info means it is ready already."""
        for _ in range(self.max_status_polls):
            state = (info or {}).get("state", "succeeded")
            if state == "succeeded":
                return
            if state == "failed":
                error = (info or {}).get("error") or {}
                raise PermanentError(
                    self.identifier,
                    "X could not process the video or GIF.",
                    code=str(error.get("name") or error.get("code") or "processing-failed"),
                    platform_message=error.get("message"),
                    action="Check the file against X's rules (MP4 with H.264 and AAC, up to 140 seconds) and retry.",
                )
            self.sleep(float((info or {}).get("check_after_secs", 1)))
            response = self.request(
                "GET",
                "/2/media/upload",
                access_token=access_token,
                params={"command": "STATUS", "media_id": media_id},
            )
            info = response.json().get("data", {}).get("processing_info")
        raise TransientError(
            self.identifier,
            "X is still processing the video after the usual wait.",
            code="processing-timeout",
            action="SocialHub will try again shortly; the uploaded file is simply sent again.",
        )

    # -- duplicate lookup -----------------------------------------------------------------------------------

    def lookup_existing(
        self, access_token: str, account: AccountIdentity, draft: Draft, *, since: datetime
    ) -> PublishResult | None:
        return self._find_recent(access_token, account, draft, since=since, complete=True)

    @classmethod
    def proves_absence(cls, draft: Draft) -> bool:
        return cls.lookup_authority.authoritative and bool(_comparable(draft.text))  # only words are recognisable

    def _find_recent(
        self, access_token: str, account: AccountIdentity, draft: Draft, *, since: datetime | None, complete: bool
    ) -> PublishResult | None:
        """This draft among the account's posts since ``since``, newest first, following X's pages.

        A busy account can post hundreds of times around a lost attempt (a burst of scheduled posts), so one
        page of the latest few would often miss it and leave the row "check the platform" for nothing.
        ``complete``: "not found" must cover the whole window, so pages left unread raise instead.
        """
        params: dict[str, Any] = {"max_results": LOOKUP_PAGE_SIZE, "tweet.fields": "created_at,text,attachments"}
        if since is not None:
            # A little slack: the clocks of SocialHub and X are not the same clock.
            params["start_time"] = _iso(since - timedelta(minutes=1))
        wanted = _comparable(draft.text)
        for _ in range(LOOKUP_MAX_PAGES):
            response = self.request("GET", f"/2/users/{account.id}/tweets", access_token=access_token, params=params)
            body = response.json()
            for post in body.get("data") or []:
                has_media = bool((post.get("attachments") or {}).get("media_keys"))
                if _comparable(post.get("text", "")) == wanted and (wanted or has_media == bool(draft.media)):
                    post_id = str(post["id"])
                    return PublishResult(post_id, self.permalink(account, post_id))
            next_token = (body.get("meta") or {}).get("next_token")
            if not next_token:
                return None
            params["pagination_token"] = next_token
        if complete:
            raise TransientError(
                self.identifier,
                f"X lists more than {LOOKUP_PAGE_SIZE * LOOKUP_MAX_PAGES} posts of this account since the attempt, "
                "so SocialHub could not read them all.",
                code="lookup_incomplete",
            )
        return None

    # -- metrics --------------------------------------------------------------------------------------------

    def fetch_metrics(
        self, access_token: str, account: AccountIdentity, post_ids: list[str]
    ) -> dict[str, dict[str, int]]:
        metrics: dict[str, dict[str, int]] = {}
        for start in range(0, len(post_ids), 100):  # GET /2/tweets takes up to 100 ids
            batch = post_ids[start : start + 100]
            response = self.request(
                "GET",
                "/2/tweets",
                access_token=access_token,
                params={"ids": ",".join(batch), "tweet.fields": "public_metrics"},
            )
            # Deleted or hidden posts come back in "errors" next to the rest; they simply have no numbers.
            for post in response.json().get("data") or []:
                metrics[str(post["id"])] = _public_metrics(post.get("public_metrics") or {})
        return metrics

    # -- errors ---------------------------------------------------------------------------------------------

    def classify(self, response: httpx.Response) -> PlatformError | None:
        status = response.status_code
        if status < 400:
            return None  # 200 with partial "errors" (a deleted post among ids) is still a success
        body = _json_object(response)
        kind = str(body.get("type") or "").rstrip("/").rsplit("/", 1)[-1]  # ".../problems/usage-capped"
        kind = "" if kind in ("", "about:blank") else kind
        title = str(body.get("title") or "")
        said = _problem_text(body) or response.reason_phrase
        code = kind or title or str(status)
        common: dict[str, Any] = {"code": code, "platform_message": said, "status_code": status}

        if status == 401 or kind == "unsupported-authentication":
            return AuthError(
                self.identifier,
                "X no longer accepts this account's sign-in: the access token expired or was revoked.",
                action="SocialHub refreshes the token once; if that fails, reconnect the X account on the "
                "Accounts page.",
                **common,
            )
        if kind == "usage-capped":
            period = str(body.get("period") or "").lower()
            return RateLimited(
                self.identifier,
                f"SocialHub's X developer app has used up its {period or 'current'} usage cap.",
                reset_at=self._reset_at(response, period),
                app_wide=True,  # the cap is the developer app's, shared by every account
                action="SocialHub will try again when the cap resets; an administrator can raise it in the X "
                "developer portal.",
                **common,
            )
        if status == 429 or kind == "rate-limit-exceeded":
            return RateLimited(
                self.identifier,
                "X is limiting how often this account may make this request.",
                reset_at=self._reset_at(response, ""),
                **common,
            )
        if status >= 500:
            return TransientError(self.identifier, "X had a temporary problem on its side.", **common)
        if status == 403 and DUPLICATE_SIGNAL in said.lower():
            common["code"] = DUPLICATE_CODE
            return PermanentError(
                self.identifier,
                "X refused the post because it is identical to one of this account's recent posts.",
                action="Change the wording a little and publish again.",
                **common,
            )
        if kind in ("client-forbidden", "client-not-enrolled"):
            return PermanentError(
                self.identifier,
                "SocialHub's X app is not allowed to use this part of the X API.",
                action="An administrator must attach the app to a Project with the needed X API access.",
                **common,
            )
        if status == 403:
            return PermanentError(
                self.identifier,
                "X does not allow this account to do this (the account may be restricted, or the content "
                "breaks X's rules).",
                action="Check the account on x.com and the post's content, then try again.",
                **common,
            )
        if status == 400 or kind == "invalid-request":
            return PermanentError(self.identifier, "X rejected the post as invalid.", **common)
        if status == 404 or kind == "resource-not-found":
            return PermanentError(
                self.identifier,
                "X could not find what was asked for (the post or media may have been deleted or expired).",
                **common,
            )
        return self.generic_error(response, said, code)

    def _reset_at(self, response: httpx.Response, period: str) -> datetime:
        """When to try again: x-rate-limit-reset (epoch seconds), else the end of the cap's period."""
        header = response.headers.get("x-rate-limit-reset")
        if header:
            return reset_time(header)
        now = datetime.now(UTC)
        if period == "monthly":
            first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            return (first + timedelta(days=32)).replace(day=1)
        if period == "daily":
            return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        return now + timedelta(minutes=15)  # X's rate-limit windows are 15 minutes


# --- helpers ---------------------------------------------------------------------------------------------------


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _comparable(text: str) -> str:
    """Text as it survives X's rewriting: links become t.co (and media adds one), & < > come back as entities."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    return " ".join(strip_urls(text).split())


def _invalid_characters_problem(invalid: list[InvalidCharacter]) -> str:
    """Where the characters X refuses are: they are invisible, and come from pasted text (a byte-order mark…)."""
    places: dict[str, list[int]] = {}
    for found in invalid:
        places.setdefault(found.label, []).append(found.index + 1)
    where = "; ".join(
        f"{label} at character{'s' if len(at) > 1 else ''} {', '.join(map(str, at[:5]))}"
        + (f" and {len(at) - 5} more" if len(at) > 5 else "")
        for label, at in places.items()
    )
    if len(invalid) == 1:
        return f"X refuses posts containing the invisible character {where}. Remove it and try again."
    return f"X refuses posts containing invisible characters: {where}. Remove them and try again."


def _public_metrics(raw: dict[str, Any]) -> dict[str, int]:
    # The 2026 OpenAPI renamed retweet_count to repost_count; accept either.
    names = {
        "impressions": ("impression_count",),
        "likes": ("like_count",),
        "comments": ("reply_count",),
        "shares": ("repost_count", "retweet_count"),
        "quotes": ("quote_count",),
        "bookmarks": ("bookmark_count",),
        "views": ("view_count",),
    }
    out: dict[str, int] = {}
    for name, keys in names.items():
        for key in keys:
            if raw.get(key) is not None:
                out[name] = int(raw[key])
                break
    return out


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _problem_text(body: dict[str, Any]) -> str:
    """X's own words: the parameter messages of an invalid-request, else the problem's detail, else its title."""
    messages = [str(e.get("message") or e.get("detail")) for e in body.get("errors") or [] if isinstance(e, dict)]
    messages = [m for m in messages if m and m != "None"]
    if messages:
        return " ".join(messages)
    return str(body.get("detail") or body.get("title") or "")


__all__ = ["XClient"]
