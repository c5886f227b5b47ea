"""Pinterest: pins on a board through API v5 (PLATFORMS.md §7).

A pin always has media and a board (``board_id``, digits only). Images travel inline (``image_base64`` or,
for 2–5 images, ``multiple_image_base64``), or as URLs when only a URL is known. A video is registered with
``POST /v5/media``, sent to the S3-style ``upload_url`` as a multipart form carrying every
``upload_parameters`` field, polled at ``GET /v5/media/{id}`` until ``succeeded``, then pinned by
``video_id`` with a cover. Refresh tokens are continuous and rotate: every refresh returns a new one and the
old one stops working, so the caller must store what ``refresh`` returns.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

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
    TokenSet,
    reset_time,
)
from socialhub.platforms.errors import (
    AuthError,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
    translate_transport_errors,
)

TITLE_LIMIT, DESCRIPTION_LIMIT, LINK_LIMIT, ALT_TEXT_LIMIT = 100, 800, 2048, 500
IMAGE_TYPES = {"image/jpeg", "image/png"}
VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/x-m4v"}
IMAGE_MAX_BYTES, VIDEO_MAX_BYTES = 20 * 1024 * 1024, 2 * 1024 * 1024 * 1024
VIDEO_MIN_SECONDS, VIDEO_MAX_SECONDS = 4, 15 * 60
# Pin analytics metric → our name. TOTAL_* are lifetime counts; the rest are summed over the window.
METRICS = {
    "IMPRESSION": "impressions",
    "OUTBOUND_CLICK": "clicks",
    "PIN_CLICK": "pin_clicks",
    "SAVE": "saves",
    "TOTAL_COMMENTS": "comments",
    "TOTAL_REACTIONS": "likes",
    "USER_FOLLOW": "follows",
    "PROFILE_VISIT": "profile_visits",
}
ANALYTICS_DAYS = 89  # the start date may be at most 90 days back


def parse_pin_analytics(body: dict[str, Any]) -> dict[str, int]:
    """``{"all": {lifetime_metrics, summary_metrics?, daily_metrics}}`` as counts per metric.

    Lifetime values win; then the period summary; without one, the days whose data is ready are summed.
    """
    section = body.get("all") or {}
    totals: dict[str, float] = {}
    for day in section.get("daily_metrics") or []:
        if day.get("data_status", "READY") != "READY":
            continue
        for name, value in (day.get("metrics") or {}).items():
            totals[name] = totals.get(name, 0) + float(value or 0)
    totals |= {name: float(v) for name, v in (section.get("summary_metrics") or {}).items() if v is not None}
    totals |= {name: float(v) for name, v in (section.get("lifetime_metrics") or {}).items() if v is not None}
    return {ours: int(totals[theirs]) for theirs, ours in METRICS.items() if theirs in totals}


class PinterestClient(PlatformClient):
    identifier = "pinterest"
    title = "Pinterest"
    capabilities = Capabilities(
        text_limit=DESCRIPTION_LIMIT,
        media_kinds=frozenset({"image", "video"}),
        max_images=5,
        max_videos=1,
        text_only_allowed=False,
        required_fields=("board_id",),
        counting_rule="characters; description 800, title 100, link 2,048",
        max_image_bytes=IMAGE_MAX_BYTES,
        max_video_bytes=VIDEO_MAX_BYTES,
    )
    option_fields = (
        OptionField("board_id", "Board", kind="account_choice", required=True),
        OptionField("title", "Pin title", max_length=100),
        OptionField("link", "Destination link", max_length=2048),
    )
    oauth = OAuthSpec(
        scopes=("boards:read", "boards:write", "pins:read", "pins:write", "user_accounts:read"),
        scope_separator=",",
        token_auth="client_secret_basic",
    )
    default_endpoints = Endpoints(
        authorize_url="https://www.pinterest.com/oauth/",
        token_url="https://api.pinterest.com/v5/oauth/token",
        api_base="https://api.pinterest.com",
        revoke_url=None,  # Pinterest documents no revocation endpoint
        web_base="https://www.pinterest.com",
    )

    # Pinterest gives no wait hint for video processing: back off from 1 s to 10 s, for at most 15 minutes.
    poll_interval: ClassVar[float] = 1.0
    max_poll_interval: ClassVar[float] = 10.0
    max_processing_seconds: ClassVar[float] = 900.0

    # -- OAuth ----------------------------------------------------------------------------------------------

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str | None) -> TokenSet:
        # Apps created before 2025-09-25 get the continuous (rotating, 60-day) refresh token only when asking.
        with self._oauth_call(), self._oauth_client(redirect_uri=redirect_uri) as client:
            token = client.fetch_token(
                self.endpoints.token_url,
                grant_type="authorization_code",
                code=code,
                redirect_uri=redirect_uri,
                continuous_refresh="true",
            )
        return self.parse_token(dict(token))

    def parse_token(self, token: Mapping[str, Any]) -> TokenSet:
        tokens = super().parse_token(token)
        if token.get("refresh_token_expires_at"):
            tokens = TokenSet(
                tokens.access_token,
                tokens.refresh_token,
                tokens.expires_at,
                datetime.fromtimestamp(int(token["refresh_token_expires_at"]), UTC),
                tokens.scopes,
            )
        return tokens

    # -- HTTP -----------------------------------------------------------------------------------------------

    def read_rate_limit(self, response: httpx.Response) -> None:
        """``x-ratelimit-*`` may carry policies ("100, 100;w=60"): the first number is the one in force."""
        headers = response.headers
        for name, attribute in (("x-ratelimit-limit", "limit"), ("x-ratelimit-remaining", "remaining")):
            if (found := re.match(r"\s*(\d+)", headers.get(name, ""))) is not None:
                setattr(self.rate_limit, attribute, int(found.group(1)))
        if (reset := re.match(r"\s*(\d+(?:\.\d+)?)", headers.get("x-ratelimit-reset", ""))) is not None:
            self.rate_limit.reset_at = reset_time(reset.group(1))

    # -- identity and boards --------------------------------------------------------------------------------

    def identity(self, access_token: str) -> list[AccountIdentity]:
        body = self.request("GET", "/v5/user_account", access_token=access_token).json()
        username = body.get("username") or ""
        return [
            AccountIdentity(
                id=str(body.get("id") or username),
                display_name=body.get("business_name") or username,
                username=username,
                avatar_url=body.get("profile_image"),
                extra={
                    key: body[key]
                    for key in ("account_type", "website_url", "board_count", "pin_count", "follower_count")
                    if body.get(key) is not None
                },
            )
        ]

    def option_choices(self, access_token: str, account: AccountIdentity, name: str) -> list[tuple[str, str]]:
        if name != "board_id":
            return []
        boards = self.boards(access_token)
        return [(b["id"], b["name"] + (" (secret)" if b["privacy"] == "SECRET" else "")) for b in boards]

    def boards(self, access_token: str) -> list[dict[str, Any]]:
        """Every board the account can pin to, for the composer's board picker."""
        found: list[dict[str, Any]] = []
        bookmark: str | None = None
        while True:
            params = {"page_size": 250, **({"bookmark": bookmark} if bookmark else {})}
            body = self.request("GET", "/v5/boards", access_token=access_token, params=params).json()
            found += [
                {
                    "id": str(b["id"]),
                    "name": b.get("name", ""),
                    "privacy": b.get("privacy", "PUBLIC"),
                    "description": b.get("description") or "",
                }
                for b in body.get("items") or []
            ]
            bookmark = body.get("bookmark")
            if not bookmark:
                return found

    # -- validation -----------------------------------------------------------------------------------------

    def validate(self, draft: Draft) -> list[str]:
        problems: list[str] = []
        options = draft.options
        board = str(options.get("board_id") or "")
        if not board:
            problems.append("Choose the Pinterest board to pin to.")
        elif not board.isascii() or not board.isdigit():
            problems.append("The Pinterest board id must be digits only; pick the board from the list.")
        title, link = str(options.get("title") or ""), str(options.get("link") or "")
        if len(title) > TITLE_LIMIT:
            problems.append(f"Pinterest titles can be at most {TITLE_LIMIT} characters; this one has {len(title)}.")
        if len(draft.text) > DESCRIPTION_LIMIT:
            problems.append(
                f"Pinterest descriptions can be at most {DESCRIPTION_LIMIT} characters; this one has {len(draft.text)}."
            )
        if len(link) > LINK_LIMIT:
            problems.append(f"Pinterest links can be at most {LINK_LIMIT:,} characters; this one has {len(link):,}.")
        elif link and not re.match(r"https?://[^\s/]+\.[^\s]+$", link):
            problems.append("The Pinterest link must be a full web address starting with http:// or https://.")
        if len(self._alt_text(draft)) > ALT_TEXT_LIMIT:
            problems.append(f"Pinterest alt text can be at most {ALT_TEXT_LIMIT} characters.")

        images = [m for m in draft.media if m.kind == "image"]
        videos = [m for m in draft.media if m.kind == "video"]
        if not draft.media:
            problems.append("Pinterest pins need an image or a video.")
        if any(m.kind not in ("image", "video") for m in draft.media):
            problems.append("Pinterest takes images (JPEG or PNG) and videos only.")
        if len(videos) > 1:
            problems.append(f"A pin can have one video; this one has {len(videos)}.")
        elif videos and len(images) > 1:
            problems.append("A video pin can have one image besides the video, used as its cover.")
        elif len(images) > 5:
            problems.append(f"A Pinterest carousel can have at most 5 images; this one has {len(images)}.")
        if len(images) > 1 and not (all(m.uploadable for m in images) or all(m.url for m in images)):
            problems.append("A Pinterest carousel needs every image as a file or every image as a link, not a mix.")
        for item in draft.media:
            problems += self._media_problems(item)
        return problems

    def _media_problems(self, item: MediaItem) -> list[str]:
        name, size = f"“{item.filename}”", item.size_bytes or len(item.data or b"")
        problems = [] if item.uploadable or item.url else [f"{name} has no file to send."]
        if item.kind == "image":
            if item.content_type not in IMAGE_TYPES:
                problems.append(f"{name}: Pinterest takes JPEG or PNG images, not {item.content_type}.")
            if size > IMAGE_MAX_BYTES:
                problems.append(f"{name}: Pinterest images can be at most 20 MB.")
        elif item.kind == "video":
            if not item.uploadable:
                problems.append(f"{name}: Pinterest needs the video file itself; it cannot fetch videos by link.")
            if item.content_type not in VIDEO_TYPES:
                problems.append(f"{name}: Pinterest takes MP4, MOV or M4V videos, not {item.content_type}.")
            if size > VIDEO_MAX_BYTES:
                problems.append(f"{name}: Pinterest videos can be at most 2 GB.")
            seconds = item.duration_seconds
            if seconds is not None and not VIDEO_MIN_SECONDS <= seconds <= VIDEO_MAX_SECONDS:
                problems.append(f"{name}: Pinterest videos must last between 4 seconds and 15 minutes.")
            if item.width and item.height and not 0.5 <= item.width / item.height <= 1.91:
                problems.append(f"{name}: Pinterest videos must be between 1:2 (tall) and 1.91:1 (wide).")
        return problems

    @staticmethod
    def _alt_text(draft: Draft) -> str:
        first_image = next((m for m in draft.media if m.kind == "image"), None)
        return str(draft.options.get("alt_text") or (first_image.alt_text if first_image else ""))

    # -- publishing -----------------------------------------------------------------------------------------

    def publish(
        self, access_token: str, account: AccountIdentity, draft: Draft, *, on_handle: HandleCallback | None = None
    ) -> PublishResult:
        problems = self.validate(draft)
        if problems:
            raise PermanentError(self.identifier, " ".join(problems), code="invalid_draft")
        video = next((m for m in draft.media if m.kind == "video"), None)
        if video is not None:
            media_id = self._upload_video(access_token, video)
            if on_handle:  # the processed upload is the handle to keep before the pin exists
                on_handle(media_id)
            cover = next((m for m in draft.media if m.kind == "image"), None)
            source = self._video_source(media_id, cover, draft)
        else:
            source = self._image_source([m for m in draft.media if m.kind == "image"])
        body: dict[str, Any] = {"board_id": str(draft.options["board_id"]), "media_source": source}
        body |= {k: v for k, v in self._fields(draft).items() if v}
        pin = self.request("POST", "/v5/pins", access_token=access_token, json=body).json()
        return PublishResult(str(pin["id"]), self.permalink(str(pin["id"])))

    def permalink(self, pin_id: str) -> str:
        return self.endpoints.web_url(f"/pin/{pin_id}/")

    def _fields(self, draft: Draft) -> dict[str, str]:
        return {
            "title": str(draft.options.get("title") or ""),
            "description": draft.text,
            "link": str(draft.options.get("link") or ""),
            "alt_text": self._alt_text(draft),
        }

    @staticmethod
    def _image_source(images: list[MediaItem]) -> dict[str, Any]:
        # Bytes when we have them; URLs (Pinterest fetches them) only when that is all there is.
        if len(images) == 1:
            image = images[0]
            if image.data:
                data = base64.b64encode(image.data).decode()
                return {"source_type": "image_base64", "content_type": image.content_type, "data": data}
            return {"source_type": "image_url", "url": image.url}
        if all(m.data for m in images):
            items = [{"content_type": m.content_type, "data": base64.b64encode(m.data or b"").decode()} for m in images]
            return {"source_type": "multiple_image_base64", "items": items}
        return {"source_type": "multiple_image_urls", "items": [{"url": m.url} for m in images]}

    @staticmethod
    def _video_source(media_id: str, cover: MediaItem | None, draft: Draft) -> dict[str, Any]:
        source: dict[str, Any] = {"source_type": "video_id", "media_id": media_id}
        if cover is not None and cover.data:
            source |= {
                "cover_image_data": base64.b64encode(cover.data).decode(),
                "cover_image_content_type": cover.content_type,
            }
        elif cover is not None and cover.url:
            source["cover_image_url"] = cover.url
        else:  # no cover image given: Pinterest takes a frame of the video instead
            source["cover_image_key_frame_time"] = int(draft.options.get("cover_frame_seconds") or 0)
        return source

    def _upload_video(self, token: str, video: MediaItem) -> str:
        upload = self.request("POST", "/v5/media", access_token=token, json={"media_type": "video"}).json()
        media_id = str(upload["media_id"])
        fields = {str(k): str(v) for k, v in (upload.get("upload_parameters") or {}).items()}
        # An S3 form POST: every parameter, then the file last; no Pinterest token (S3 signs by policy).
        with translate_transport_errors(self.identifier):
            stored = self._http.post(
                upload["upload_url"],
                data=fields,
                files={"file": (video.filename, video.data or b"", video.content_type)},
            )
        if stored.status_code >= 300:
            s3_code = re.search(r"<Code>([^<]+)</Code>", stored.text)
            error = TransientError if stored.status_code >= 500 else PermanentError
            raise error(
                self.identifier,
                "Pinterest's upload storage did not accept the video.",
                code=s3_code.group(1) if s3_code else str(stored.status_code),
                platform_message=stored.text[:300],
                status_code=stored.status_code,
            )
        self._wait_processed(token, media_id)
        return media_id

    def _wait_processed(self, token: str, media_id: str) -> None:
        waited, status = 0.0, None
        for waited in self.poll_waits(  # noqa: B007 - the last value is reported after the loop
            first=self.poll_interval, ceiling=self.max_poll_interval, budget=self.max_processing_seconds
        ):
            status = self.request("GET", f"/v5/media/{media_id}", access_token=token).json().get("status")
            if status == "succeeded":
                return
            if status == "failed":
                raise PermanentError(
                    self.identifier,
                    "Pinterest could not process the video.",
                    code="media_failed",
                    platform_message=f"media {media_id}: status failed",
                    action="Check the video plays (MP4/MOV, H.264 or H.265, 4 s to 15 min), then try again.",
                )
        raise TransientError(
            self.identifier, f"Pinterest is still processing the video after {waited:.0f} s.", code=str(status)
        )

    # -- duplicates and metrics -----------------------------------------------------------------------------

    lookup_authority = LookupAuthority(
        authoritative=False,
        window="the first 100 pins of the board, in the board's own order",
        reason="A board lists its pins in the order the board shows them, which a person can rearrange, not by "
        "creation time, and the lookup reads four pages; Pinterest documents no read-after-write guarantee for "
        "the listing. Not finding a pin proves nothing, so a lost attempt stays unconfirmed.",
    )

    def lookup_existing(
        self, access_token: str, account: AccountIdentity, draft: Draft, *, since: datetime
    ) -> PublishResult | None:
        """Pinterest has no idempotency key: look through the board's pins for this title, link and text."""
        board = str(draft.options.get("board_id") or "")
        if not board.isdigit():
            return None
        wanted = self._fields(draft)
        earliest = since - timedelta(minutes=2)  # allow for clock skew
        bookmark: str | None = None
        for _page in range(4):  # the newest 100 pins are plenty for a lost response
            params = {"page_size": 25, **({"bookmark": bookmark} if bookmark else {})}
            body = self.request("GET", f"/v5/boards/{board}/pins", access_token=access_token, params=params).json()
            for pin in body.get("items") or []:
                created = datetime.fromisoformat(str(pin.get("created_at") or "1970-01-01T00:00:00+00:00"))
                created = created if created.tzinfo else created.replace(tzinfo=UTC)
                same = all((pin.get(key) or "") == wanted[key] for key in ("title", "description", "link"))
                if same and created >= earliest:
                    return PublishResult(str(pin["id"]), self.permalink(str(pin["id"])))
            bookmark = body.get("bookmark")
            if not bookmark:
                break
        return None

    def fetch_metrics(
        self, access_token: str, account: AccountIdentity, post_ids: list[str]
    ) -> dict[str, dict[str, int]]:
        today = date.today()
        params = {
            "start_date": (today - timedelta(days=ANALYTICS_DAYS)).isoformat(),
            "end_date": today.isoformat(),
            "metric_types": ",".join(METRICS),
            "app_types": "ALL",
            "split_field": "NO_SPLIT",
        }
        return {
            pin: parse_pin_analytics(
                self.request("GET", f"/v5/pins/{pin}/analytics", access_token=access_token, params=params).json()
            )
            for pin in post_ids
        }

    # -- errors ---------------------------------------------------------------------------------------------

    def classify(self, response: httpx.Response) -> PlatformError | None:
        status = response.status_code
        if status < 400:
            return None
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        message = str(body.get("message") or response.reason_phrase)
        said: dict[str, Any] = {
            "code": str(body.get("code", status)),
            "platform_message": message,
            "status_code": status,
        }
        if status == 401:
            return AuthError(self.identifier, "Pinterest no longer accepts this account's sign-in.", **said)
        if status == 429:
            return RateLimited(
                self.identifier,
                "Pinterest is limiting how often this account may call it.",
                reset_at=self.rate_limit.reset_at or datetime.now(UTC) + timedelta(seconds=60),
                **said,
            )
        if status >= 500:
            return TransientError(self.identifier, "Pinterest had a temporary problem.", **said)
        if status == 400 and message.startswith("Unable to reach the URL"):
            # Pinterest fetches image URLs itself; a host that was briefly down is worth another try.
            return TransientError(self.identifier, "Pinterest could not fetch the image from its link.", **said)
        if status == 404:
            return PermanentError(
                self.identifier,
                "Pinterest could not find the board or pin (it may have been deleted).",
                action="Pick the board again in the composer, then retry.",
                **said,
            )
        if status == 403:
            return PermanentError(
                self.identifier,
                "Pinterest does not let this app do that for this account.",
                action="Reconnect the account granting every permission, or check the account type and board.",
                **said,
            )
        return PermanentError(self.identifier, "Pinterest refused the pin.", **said)
