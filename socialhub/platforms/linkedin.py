"""LinkedIn: member and organisation posts through the versioned REST Posts API (PLATFORMS.md §4).

A post is: upload each medium (images and documents: ``initializeUpload`` → PUT; videos: ``initializeUpload``
→ PUT every byte range LinkedIn assigns, keeping the ETags → ``finalizeUpload``), wait until LinkedIn says
the medium is ``AVAILABLE``, then ``POST /rest/posts``, which answers 201 with an empty body and the new
URN in ``x-restli-id``. Every ``/rest/*`` call carries ``LinkedIn-Version`` and ``X-Restli-Protocol-Version``.

Commentary is "Little Text" (``linkedin_text``): the text is escaped so that it arrives as written; hashtags
become hashtag templates, and the people or pages chosen in the ``mentions`` option become mentions where their
names appear. Typed mention syntax is text like any other.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

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
)
from socialhub.platforms.linkedin_text import (
    MENTION_SYNTAX,
    Mention,
    missing_mentions,
    parse_mentions,
    text_length,
    to_commentary,
)

TEXT_LIMIT = 3000
DUPLICATE = re.compile(r"Content is a duplicate of (urn:li:(?:share|ugcPost):\d+)")
# A post refused because a medium is still being processed (LinkedIn's code, or its words for it).
NOT_READY = re.compile(r"MEDIA_NOT_READY|not (?:yet )?(?:ready|AVAILABLE)|\b(?:PROCESSING|WAITING_UPLOAD)\b", re.I)

IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif"}
VIDEO_TYPES = {"video/mp4"}
DOCUMENT_TYPES = {
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
MAX_PIXELS = 36_152_320
MAX_ALT_TEXT = 4086
VIDEO_MIN_BYTES, VIDEO_MAX_BYTES = 75 * 1024, 500 * 1024 * 1024
VIDEO_MIN_SECONDS, VIDEO_MAX_SECONDS = 3, 15 * 60  # the API allows 30 min; the help centre's 15 min is stricter
DOCUMENT_MAX_BYTES = 100 * 1024 * 1024
POSTING_ROLES = {"ADMINISTRATOR", "CONTENT_ADMINISTRATOR"}  # other page roles get 403 on POST /rest/posts
VISIBILITY = {"public": "PUBLIC", "connections": "CONNECTIONS"}

# Member analytics: one metric per call (memberCreatorPostAnalytics queryType → our name).
MEMBER_METRICS = {
    "IMPRESSION": "impressions",
    "MEMBERS_REACHED": "reach",
    "RESHARE": "shares",
    "REACTION": "likes",
    "COMMENT": "comments",
}
ORG_METRICS = {
    "impressionCount": "impressions",
    "uniqueImpressionsCount": "reach",
    "clickCount": "clicks",
    "likeCount": "likes",
    "commentCount": "comments",
    "shareCount": "shares",
}
AUTH_REASONS = {
    "65600": "LinkedIn says this account's sign-in token is not valid.",
    "65601": "LinkedIn says this account's sign-in was revoked or has expired.",
    "65602": "LinkedIn says this account's sign-in has expired.",
    "INVALID_ACCESS_TOKEN": "LinkedIn says this account's sign-in token is not valid.",
    "REVOKED_ACCESS_TOKEN": "The member revoked SocialHub's access on LinkedIn.",
    "EXPIRED_ACCESS_TOKEN": "LinkedIn says this account's sign-in has expired.",
}


def next_utc_midnight(now: datetime | None = None) -> datetime:
    """LinkedIn's quotas are daily and reset at midnight UTC; it sends no reset header."""
    now = now or datetime.now(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)


def _restli(urn: str) -> str:
    return quote(urn, safe="")


def _size(item: MediaItem) -> int:
    return item.size_bytes or len(item.data or b"")


class LinkedInClient(PlatformClient):
    identifier = "linkedin"
    title = "LinkedIn"
    capabilities = Capabilities(
        text_limit=TEXT_LIMIT,
        media_kinds=frozenset({"image", "gif", "video", "document"}),
        max_images=20,
        max_videos=1,
        counting_rule="characters as written (emoji count as two); LinkedIn's escaping is not counted",
        max_video_bytes=VIDEO_MAX_BYTES,
        multi_account=True,
    )
    option_fields = (
        OptionField(
            "privacy",
            "Who can see it",
            kind="select",
            choices=(("public", "Anyone"), ("connections", "Connections only")),
        ),
        OptionField("title", "Document title", hint="Shown above an attached PDF."),
        OptionField(
            "mentions",
            "Mentions (Name = urn:li:…; …)",  # the composer shows labels, not hints
            max_length=2048,
            hint=f"People or pages to mention, as {MENTION_SYNTAX}. Each name links where it appears in the text.",
        ),
    )
    # Organisation scopes need LinkedIn's Community Management product; r_member_postAnalytics is a further
    # restricted product, so it is not asked for (member metrics fall back to socialActions without it).
    oauth = OAuthSpec(
        scopes=(
            "openid",
            "profile",
            "email",
            "w_member_social",
            "w_organization_social",
            "r_organization_social",
            "rw_organization_admin",
        ),
        token_auth="client_secret_post",
    )
    default_endpoints = Endpoints(
        authorize_url="https://www.linkedin.com/oauth/v2/authorization",
        token_url="https://www.linkedin.com/oauth/v2/accessToken",
        api_base="https://api.linkedin.com",
        revoke_url="https://www.linkedin.com/oauth/v2/revoke",
        web_base="https://www.linkedin.com",
    )
    default_api_version = "202610"  # LinkedIn sunsets a version about a year after release; keep it recent

    # Media processing has no wait hint from LinkedIn: back off from 1 s to 10 s, within a per-kind budget.
    poll_interval: ClassVar[float] = 1.0
    max_poll_interval: ClassVar[float] = 10.0
    max_wait_seconds: ClassVar[dict[str, float]] = {"image": 120.0, "document": 300.0, "video": 1800.0}

    # -- HTTP ---------------------------------------------------------------------------------------------

    def _rest(self, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
        headers = {"LinkedIn-Version": self.api_version or "", "X-Restli-Protocol-Version": "2.0.0"}
        headers |= kwargs.pop("headers", None) or {}
        return self.request(method, path, access_token=token, headers=headers, **kwargs)

    def read_rate_limit(self, response: httpx.Response) -> None:
        """No rate-limit headers are documented; a 429 means the day's quota is spent (until UTC midnight)."""
        if response.status_code == 429:
            retry_after = response.headers.get("retry-after")
            self.rate_limit.remaining = 0
            self.rate_limit.reset_at = (
                datetime.now(UTC) + timedelta(seconds=int(retry_after))
                if retry_after and retry_after.isdigit()
                else next_utc_midnight()
            )

    # -- identity -------------------------------------------------------------------------------------------

    def identity(self, access_token: str) -> list[AccountIdentity]:
        info = self.request("GET", "/v2/userinfo", access_token=access_token).json()
        member = AccountIdentity(
            id=f"urn:li:person:{info['sub']}",
            display_name=info.get("name") or " ".join(filter(None, [info.get("given_name"), info.get("family_name")])),
            avatar_url=info.get("picture"),
            kind="user",
            extra={key: info[key] for key in ("email", "locale") if info.get(key)},
        )
        return [member, *self._organizations(access_token)]

    def _organizations(self, access_token: str) -> list[AccountIdentity]:
        """Pages the member may post for. Without the organisation scopes LinkedIn answers 403: none, then."""
        found: dict[str, AccountIdentity] = {}
        start, count = 0, 100
        while True:
            path = (
                f"/v2/organizationalEntityAcls?q=roleAssignee&state=APPROVED&start={start}&count={count}"
                "&projection=(paging,elements*(role,state,organizationalTarget~(localizedName,vanityName)))"
            )
            try:
                body = self.request(
                    "GET", path, access_token=access_token, headers={"X-Restli-Protocol-Version": "2.0.0"}
                ).json()
            except PermanentError as exc:
                if exc.status_code == 403:
                    return []
                raise
            elements = body.get("elements") or []
            for element in elements:
                urn = element.get("organizationalTarget", "")
                if element.get("role") not in POSTING_ROLES or not urn.startswith("urn:li:organization:"):
                    continue
                target = element.get("organizationalTarget~") or {}
                found[urn] = AccountIdentity(
                    id=urn,
                    display_name=target.get("localizedName") or urn,
                    username=target.get("vanityName"),
                    kind="organization",
                    extra={"role": element["role"]},
                )
            if len(elements) < count:
                return list(found.values())
            start += count

    # -- validation -----------------------------------------------------------------------------------------

    text_length = staticmethod(text_length)

    def validate(self, draft: Draft) -> list[str]:
        problems: list[str] = []
        length = text_length(draft.text)
        if length > TEXT_LIMIT:
            problems.append(
                f"LinkedIn posts can be at most {TEXT_LIMIT:,} characters; this one has {length:,} "
                "(emoji count as two)."
            )
        if not draft.text.strip() and not draft.media:
            problems.append("Write some text or attach media: LinkedIn has nothing to post.")
        images = [m for m in draft.media if m.kind in ("image", "gif")]
        videos = [m for m in draft.media if m.kind == "video"]
        documents = [m for m in draft.media if m.kind == "document"]
        if sum(bool(group) for group in (images, videos, documents)) > 1:
            problems.append("A LinkedIn post carries images, one video or one document, not a mix; split them up.")
        if len(images) > 20:
            problems.append(f"A LinkedIn post can have at most 20 images; this one has {len(images)}.")
        if len(videos) > 1:
            problems.append(f"A LinkedIn post can have one video; this one has {len(videos)}.")
        if len(documents) > 1:
            problems.append(f"A LinkedIn post can have one document; this one has {len(documents)}.")
        for item in draft.media:
            problems += self._media_problems(item)
        privacy = draft.options.get("privacy")
        if privacy and str(privacy).lower() not in VISIBILITY:
            problems.append("LinkedIn visibility must be “public” or “connections”.")
        mentions, mention_problems = parse_mentions(draft.options.get("mentions"))
        problems += mention_problems
        for mention in missing_mentions(draft.text, mentions):
            problems.append(
                f"“{mention.name}” is chosen as a LinkedIn mention but the text does not contain it: write the name "
                "where it should link (exactly as chosen) or remove it from Mentions."
            )
        return problems

    @staticmethod
    def commentary(draft: Draft) -> str:
        """The draft as LinkedIn's ``commentary`` (Little Text), with the mentions chosen in its options."""
        mentions: list[Mention] = parse_mentions(draft.options.get("mentions"))[0]
        return to_commentary(draft.text, mentions)

    def _media_problems(self, item: MediaItem) -> list[str]:
        name, size = f"“{item.filename}”", _size(item)
        if item.kind not in ("image", "gif", "video", "document"):
            return [f"{name}: LinkedIn cannot post {item.kind} files."]
        problems = [] if item.uploadable else [f"{name}: LinkedIn needs the file itself to upload, not only a link."]
        if item.kind in ("image", "gif"):
            if item.content_type not in IMAGE_TYPES:
                problems.append(f"{name}: LinkedIn takes JPG, PNG or GIF images, not {item.content_type}.")
            if item.width and item.height and item.width * item.height >= MAX_PIXELS:
                problems.append(f"{name}: LinkedIn takes images under 36 megapixels; make it smaller.")
            if len(item.alt_text) > MAX_ALT_TEXT:
                problems.append(f"{name}: LinkedIn alt text can be at most {MAX_ALT_TEXT:,} characters.")
        elif item.kind == "video":
            if item.content_type not in VIDEO_TYPES:
                problems.append(f"{name}: LinkedIn takes MP4 videos, not {item.content_type}.")
            if size and not VIDEO_MIN_BYTES <= size <= VIDEO_MAX_BYTES:
                problems.append(f"{name}: LinkedIn videos must be between 75 KB and 500 MB.")
            seconds = item.duration_seconds
            if seconds is not None and not VIDEO_MIN_SECONDS <= seconds <= VIDEO_MAX_SECONDS:
                problems.append(f"{name}: LinkedIn videos must last between 3 seconds and 15 minutes.")
        else:
            if item.content_type not in DOCUMENT_TYPES:
                problems.append(f"{name}: LinkedIn takes PDF, Word or PowerPoint documents.")
            if size > DOCUMENT_MAX_BYTES:
                problems.append(f"{name}: LinkedIn documents can be at most 100 MB.")
        return problems

    # -- publishing -----------------------------------------------------------------------------------------

    def publish(
        self, access_token: str, account: AccountIdentity, draft: Draft, *, on_handle: HandleCallback | None = None
    ) -> PublishResult:
        problems = self.validate(draft)
        if problems:
            raise PermanentError(self.identifier, " ".join(problems), code="invalid_draft")
        author = self.author_urn(account)
        urns = [self._upload(access_token, author, item) for item in draft.media]
        if urns and on_handle:  # the uploaded media are the only handle LinkedIn gives before the post exists
            on_handle(",".join(urns))
        body: dict[str, Any] = {
            "author": author,
            "commentary": self.commentary(draft),
            "visibility": VISIBILITY[str(draft.options.get("privacy") or "public").lower()],
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if urns:
            body["content"] = self._content(draft, urns)
        response = self._create_post(access_token, body, media_kind=draft.media[0].kind if urns else None)
        post_id = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        if not post_id:  # created, but we cannot tell which post it is: look it up rather than post again
            raise TransientError(
                self.identifier, "LinkedIn accepted the post but did not say its id.", code="no_id", maybe_applied=True
            )
        return PublishResult(post_id, self.permalink(post_id))

    def permalink(self, urn: str) -> str:
        return self.endpoints.web_url(f"/feed/update/{urn}")

    @staticmethod
    def author_urn(account: AccountIdentity) -> str:
        if account.id.startswith("urn:li:"):
            return account.id
        return f"urn:li:{'organization' if account.kind == 'organization' else 'person'}:{account.id}"

    def _content(self, draft: Draft, urns: list[str]) -> dict[str, Any]:
        first = draft.media[0]
        if first.kind in ("image", "gif"):
            images = [
                {"id": urn, **({"altText": item.alt_text} if item.alt_text else {})}
                for urn, item in zip(urns, draft.media, strict=True)
            ]
            return {"media": images[0]} if len(images) == 1 else {"multiImage": {"images": images}}
        title = str(draft.options.get("title") or "")
        if first.kind == "document":  # LinkedIn shows a document's title above it; it is required
            title = title or first.filename
        return {"media": {"id": urns[0], **({"title": title} if title else {})}}

    def _upload(self, token: str, owner: str, item: MediaItem) -> str:
        data = item.data or b""
        if item.kind == "video":
            return self._upload_video(token, owner, data)
        kind = "document" if item.kind == "document" else "image"
        value = self._rest(
            "POST", f"/rest/{kind}s?action=initializeUpload", token, json={"initializeUploadRequest": {"owner": owner}}
        ).json()["value"]
        self.request(
            "PUT",
            value["uploadUrl"],
            access_token=token,
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        self._wait_available(token, kind, value[kind])
        return value[kind]

    def _upload_video(self, token: str, owner: str, data: bytes) -> str:
        request = {"owner": owner, "fileSizeBytes": len(data), "uploadCaptions": False, "uploadThumbnail": False}
        value = self._rest(
            "POST", "/rest/videos?action=initializeUpload", token, json={"initializeUploadRequest": request}
        ).json()["value"]
        etags: list[str] = []
        # LinkedIn decides the part ranges; follow them rather than a fixed part size.
        for number, part in enumerate(value["uploadInstructions"], start=1):
            chunk = data[int(part["firstByte"]) : int(part["lastByte"]) + 1]
            response = self.request(
                "PUT",
                part["uploadUrl"],
                access_token=token,
                content=chunk,
                headers={"Content-Type": "application/octet-stream"},
            )
            etag = response.headers.get("etag")
            if not etag:
                raise TransientError(self.identifier, f"LinkedIn did not confirm video part {number}.", code="no_etag")
            etags.append(etag)
        finalize = {"video": value["video"], "uploadToken": value.get("uploadToken", ""), "uploadedPartIds": etags}
        self._rest("POST", "/rest/videos?action=finalizeUpload", token, json={"finalizeUploadRequest": finalize})
        self._wait_available(token, "video", value["video"])
        return value["video"]

    def _create_post(self, token: str, body: dict[str, Any], *, media_kind: str | None) -> httpx.Response:
        """``POST /rest/posts``; while LinkedIn answers that a medium is not ready yet, wait and ask again.

        Asking again is safe: a refused post was not created. The wait is the medium's own budget.
        """
        if media_kind is None:
            return self._rest("POST", "/rest/posts", token, json=body)
        kind = {"gif": "image"}.get(media_kind, media_kind)
        refusal: PermanentError | None = None
        for _waited in self.poll_waits(
            first=self.poll_interval, ceiling=self.max_poll_interval, budget=self.max_wait_seconds[kind]
        ):
            try:
                return self._rest("POST", "/rest/posts", token, json=body)
            except PermanentError as exc:
                if exc.status_code != 422 or not NOT_READY.search(f"{exc.code} {exc.platform_message}"):
                    raise
                refusal = exc
        assert refusal is not None
        raise TransientError(
            self.identifier,
            f"LinkedIn is still processing the {kind}; the post was not created yet.",
            code=refusal.code,
            platform_message=refusal.platform_message,
        )

    def _wait_available(self, token: str, kind: str, urn: str) -> None:
        """Poll ``GET /rest/{kind}s/{urn}`` until LinkedIn has processed the medium.

        A medium just uploaded may not be found for a moment (404): that is waiting too. An image may be posted
        while LinkedIn still processes it, and a posting-only token may not read images at all (403): then stop
        looking, and let the post's answer say whether the image is ready (``_create_post`` waits on that).
        """
        waited, status = 0.0, None
        for waited in self.poll_waits(  # noqa: B007 - the last value is reported after the loop
            first=self.poll_interval, ceiling=self.max_poll_interval, budget=self.max_wait_seconds[kind]
        ):
            try:
                body = self._rest("GET", f"/rest/{kind}s/{_restli(urn)}", token).json()
            except PermanentError as exc:
                if kind == "image" and exc.status_code == 403:
                    return
                if exc.status_code != 404:
                    raise
                status = "NOT_FOUND_YET"
                continue
            status = body.get("status")
            if status == "AVAILABLE":
                return
            if status == "PROCESSING_FAILED":
                reason = body.get("processingFailureReason") or "PROCESSING_FAILED"
                raise PermanentError(
                    self.identifier,
                    f"LinkedIn could not process the {kind}.",
                    code=str(reason),
                    platform_message=f"{urn}: {reason}",
                    action=f"Check the {kind} plays or opens correctly, or export it again, then retry.",
                )
        raise TransientError(
            self.identifier, f"LinkedIn is still processing the {kind} after {waited:.0f} s.", code=str(status)
        )

    # -- duplicates and metrics -----------------------------------------------------------------------------

    lookup_authority = LookupAuthority(
        authoritative=False,
        window="the author's 20 most recently modified posts",
        reason="Reading a member's own posts needs r_member_social, which LinkedIn grants only to approved partners "
        "(the lookup then gets 403 and sees nothing); an organisation's posts come from the author finder sorted "
        "by LAST_MODIFIED, one page, with parameters PLATFORMS.md §10 marks unverified. Not finding a post there "
        "proves nothing, so a lost attempt stays unconfirmed.",
    )

    def lookup_existing(
        self, access_token: str, account: AccountIdentity, draft: Draft, *, since: datetime
    ) -> PublishResult | None:
        author = self.author_urn(account)
        path = f"/rest/posts?q=author&author={_restli(author)}&count=20&sortBy=LAST_MODIFIED"
        try:
            body = self._rest("GET", path, access_token, headers={"X-RestLi-Method": "FINDER"}).json()
        except PermanentError as exc:
            # Reading member posts needs a restricted scope. Posting again is still safe: LinkedIn answers a
            # repeat with 422 "Content is a duplicate of urn:li:share:…", which becomes DuplicateIsSuccess.
            if exc.status_code == 403:
                return None
            raise
        wanted = {self.commentary(draft), draft.text}
        earliest = (since - timedelta(minutes=2)).timestamp() * 1000  # allow for clock skew
        for post in body.get("elements") or []:
            created = post.get("createdAt") or post.get("publishedAt") or 0
            if (
                post.get("commentary") in wanted
                and created >= earliest
                and bool(post.get("content")) == bool(draft.media)
            ):
                return PublishResult(post["id"], self.permalink(post["id"]))
        return None

    def fetch_metrics(
        self, access_token: str, account: AccountIdentity, post_ids: list[str]
    ) -> dict[str, dict[str, int]]:
        if not post_ids:
            return {}
        if account.kind == "organization":
            return self._organization_metrics(access_token, self.author_urn(account), post_ids)
        try:
            return {urn: self._member_metrics(access_token, urn) for urn in post_ids}
        except PermanentError as exc:
            if exc.status_code != 403:  # no r_member_postAnalytics: the public counts are still readable
                raise
            return {urn: self._social_actions(access_token, urn) for urn in post_ids}

    def _organization_metrics(self, token: str, org: str, post_ids: list[str]) -> dict[str, dict[str, int]]:
        shares = [urn for urn in post_ids if ":share:" in urn]
        ugc = [urn for urn in post_ids if ":ugcPost:" in urn]
        path = f"/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity={_restli(org)}"
        for name, urns in (("shares", shares), ("ugcPosts", ugc)):
            if urns:
                path += f"&{name}=List({','.join(_restli(urn) for urn in urns)})"
        body = self._rest("GET", path, token).json()
        result: dict[str, dict[str, int]] = {}
        for element in body.get("elements") or []:
            urn = element.get("share") or element.get("ugcPost")
            stats = element.get("totalShareStatistics") or {}
            result[urn] = {ours: int(stats[theirs]) for theirs, ours in ORG_METRICS.items() if theirs in stats}
        return result

    def _member_metrics(self, token: str, urn: str) -> dict[str, int]:
        entity = f"({'ugc' if ':ugcPost:' in urn else 'share'}:{_restli(urn)})"
        metrics: dict[str, int] = {}
        for query, ours in MEMBER_METRICS.items():
            path = f"/rest/memberCreatorPostAnalytics?q=entity&entity={entity}&queryType={query}&aggregation=TOTAL"
            elements = self._rest("GET", path, token).json().get("elements") or []
            metrics[ours] = sum(int(e.get("value", e.get("count", 0)) or 0) for e in elements)
        return metrics

    def _social_actions(self, token: str, urn: str) -> dict[str, int]:
        body = self._rest("GET", f"/rest/socialActions/{_restli(urn)}", token).json()
        likes = (body.get("likesSummary") or {}).get("totalLikes", 0)
        comments = body.get("commentsSummary") or {}
        return {"likes": int(likes), "comments": int(comments.get("aggregatedTotalComments", 0) or 0)}

    # -- errors -----------------------------------------------------------------------------------------------

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
        service_code = body.get("serviceErrorCode")
        code = str(body.get("code") or service_code or status)
        said = {"code": code, "platform_message": message, "status_code": status}

        if status == 422 and (duplicate := DUPLICATE.search(message)):
            urn = duplicate.group(1)
            return DuplicateIsSuccess(
                self.identifier, "LinkedIn already has this post.", post_id=urn, permalink=self.permalink(urn), **said
            )
        if status == 401:
            reason = AUTH_REASONS.get(str(service_code)) or AUTH_REASONS.get(code)
            return AuthError(self.identifier, reason or "LinkedIn no longer accepts this account's sign-in.", **said)
        if status == 429:
            return RateLimited(
                self.identifier,
                "LinkedIn's daily limit for posting through apps is used up for this account.",
                reset_at=self.rate_limit.reset_at or next_utc_midnight(),
                **said,
            )
        if status >= 500:
            return TransientError(self.identifier, "LinkedIn had a temporary problem.", **said)
        if code in ("VERSION_MISSING", "NONEXISTENT_VERSION") or status == 426:
            return PermanentError(
                self.identifier,
                f"SocialHub asked for LinkedIn API version {self.api_version}, which LinkedIn does not serve.",
                action="An administrator must set a current LinkedIn version (platform_api_versions, e.g. 202610).",
                **said,
            )
        if status == 403:
            return PermanentError(
                self.identifier,
                "LinkedIn does not let this account do that: a permission is missing, or the member is not an "
                "administrator of the page.",
                action="Reconnect the account granting every permission asked for, or check the member's page role.",
                **said,
            )
        if status == 422:
            details = [
                str(error.get("description") or error.get("code"))
                for error in (body.get("errorDetails") or {}).get("inputErrors") or []
            ]
            if details:
                said["platform_message"] = f"{message} ({'; '.join(details)})"
            return PermanentError(self.identifier, "LinkedIn rejected the post's content.", **said)
        if status == 404:
            return PermanentError(self.identifier, "LinkedIn could not find what the post refers to.", **said)
        return PermanentError(self.identifier, "LinkedIn refused the request.", **said)
