"""The composer: write once, adjust per target, check against every platform as you type, then save or send.

Everything is checked by the services (``posts.check_draft`` runs each platform's own ``validate``), so the
messages here are exactly the ones scheduling would give. Saving is never lost to a refusal: the draft is
stored first, then scheduled; a refused schedule leaves a saved draft and shows what to fix.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from socialhub.media.sizes import in_words
from socialhub.platforms.errors import PLATFORM_TITLES, PlatformError
from socialhub.security.permissions import Permission
from socialhub.services import media, posts, social_accounts
from socialhub.services.errors import SocialHubError
from socialhub.ui import routes
from socialhub.ui.states.accounts import off_loop
from socialhub.ui.states.auth import AuthState
from socialhub.ui.views.composer_tabs import (
    AccountChoice,
    Choice,
    MediaChip,
    TargetTab,
    client_class,
    media_chip,
    target_options,
    target_tab,
)

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class ComposerState(AuthState):
    draft_id: str = ""
    post_status: str = ""
    content: str = ""
    title: str = ""
    accounts: list[AccountChoice] = []
    selected: list[str] = []
    customized: list[str] = []
    custom_text: dict[str, str] = {}
    option_values: dict[str, dict[str, str]] = {}
    option_choices: dict[str, list[Choice]] = {}  # "<account id>:<field>" → choices from the account
    active_tab: str = "all"
    schedule_mode: str = "now"
    schedule_at: str = ""
    timezone: str = "UTC"
    approval_needed: bool = False
    problems: dict[str, list[str]] = {}
    error: str = ""
    busy: bool = False
    attached: list[MediaChip] = []
    library: list[MediaChip] = []
    library_note: str = ""
    upload_percent: int = -1  # -1: no upload running

    # -- what the page shows ----------------------------------------------------------------------------

    @rx.var
    def can_write(self) -> bool:
        return Permission.POSTS_WRITE.value in self.permissions

    @rx.var
    def editing(self) -> bool:
        return bool(self.draft_id)

    @rx.var
    def tabs(self) -> list[TargetTab]:
        by_id = {a.id: a for a in self.accounts}
        return [
            target_tab(
                by_id[account_id],
                text=self.custom_text.get(account_id, "") if account_id in self.customized else self.content,
                customized=account_id in self.customized,
                values=self.option_values.get(account_id, {}),
                account_choices={
                    key.split(":", 1)[1]: found
                    for key, found in self.option_choices.items()
                    if key.startswith(account_id + ":")
                },
                problems=self.problems.get(account_id, []),
            )
            for account_id in self.selected
            if account_id in by_id
        ]

    @rx.var
    def attached_ids(self) -> list[str]:
        return [m.id for m in self.attached]

    @rx.var
    def problem_count(self) -> int:
        return sum(len(found) for account_id, found in self.problems.items() if account_id in self.selected)

    @rx.var
    def primary_label(self) -> str:
        if self.approval_needed:
            return "Submit for approval"
        return "Schedule" if self.schedule_mode == "later" else "Publish now"

    @rx.var
    def selected_platforms(self) -> list[str]:
        by_id = {a.id: a.platform_title for a in self.accounts}
        return [by_id[a] for a in self.selected if a in by_id]

    # -- loading ----------------------------------------------------------------------------------------

    @rx.event
    def load(self) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        ctx = self.context()
        assert ctx is not None
        if Permission.POSTS_WRITE.value not in self.permissions:
            return [rx.redirect(routes.POSTS), rx.toast.info("Your role can read posts but not write them.")]
        self._reset_form()
        self.timezone = self.tenant_timezone
        self.approval_needed = posts.needs_approval(ctx)
        self.accounts = [
            AccountChoice(
                id=str(a.id),
                platform=a.platform.value,
                platform_title=PLATFORM_TITLES.get(a.platform.value, a.platform.value),
                name=a.display_name,
                username=f"@{a.username}" if a.username else "",
            )
            for a in social_accounts.list_accounts(ctx)
            if a.status.value == "active"
        ]
        params = self.router.url.query_parameters
        if params.get("post"):
            return self._load_post(params["post"])
        if day := params.get("day"):
            try:
                self.schedule_at = datetime.strptime(day, "%Y-%m-%d").replace(hour=9).strftime(DATETIME_LOCAL)
                self.schedule_mode = "later"
            except ValueError:
                pass
        return None

    def _reset_form(self) -> None:
        self.draft_id = self.post_status = self.content = self.title = self.error = self.schedule_at = ""
        self.selected, self.customized, self.custom_text = [], [], {}
        self.option_values, self.option_choices, self.problems = {}, {}, {}
        self.active_tab, self.schedule_mode, self.busy = "all", "now", False
        self.attached, self.library, self.upload_percent = [], [], -1

    def _load_post(self, post_id: str) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        ctx = self.context()
        assert ctx is not None
        try:
            detail = posts.get_post(ctx, uuid.UUID(post_id))
        except (ValueError, SocialHubError):
            return [rx.redirect(routes.POSTS), rx.toast.error("There is no such post.")]
        post = detail.post
        if post.status not in posts.EDITABLE:
            return [
                rx.redirect(routes.post(post_id)),
                rx.toast.info("Only drafts can be edited. Move a scheduled post back to drafts first."),
            ]
        self.draft_id, self.post_status = str(post.id), post.status.value
        self.content, self.title, self.timezone = post.content, post.title or "", post.timezone
        self.selected = [str(t.social_account_id) for t in detail.targets]
        self.attached = []
        for media_id in post.media_urls:
            try:
                self.attached.append(media_chip(media.get_media(ctx, uuid.UUID(str(media_id)))))
            except SocialHubError:
                continue  # deleted since: the checks below say so
        for t in detail.targets:
            account_id = str(t.social_account_id)
            if t.custom_content is not None:
                self.customized.append(account_id)
                self.custom_text[account_id] = t.custom_content
            self.option_values[account_id] = {k: "true" if v is True else str(v) for k, v in t.options.items()}
        if post.scheduled_at:
            self.schedule_mode = "later"
            self.schedule_at = self._local(post.scheduled_at, post.timezone)
        self._check()
        return [ComposerState.load_choices(a) for a in self.selected]

    @staticmethod
    def _local(moment: datetime, zone: str) -> str:
        return moment.astimezone(ZoneInfo(zone)).strftime(DATETIME_LOCAL)

    @rx.event
    async def load_choices(self, account_id: str) -> rx.event.EventSpec | None:
        """Fill "account_choice" fields (a Pinterest account's boards) from the platform, once per account."""
        account = next((a for a in self.accounts if a.id == account_id), None)
        cls = client_class(account.platform) if account else None
        ctx = self.context()
        if cls is None or ctx is None:
            return None
        for spec in cls.option_fields:
            key = f"{account_id}:{spec.name}"
            if spec.kind != "account_choice" or key in self.option_choices:
                continue
            try:
                found = await off_loop(social_accounts.option_choices, ctx, uuid.UUID(account_id), spec.name)
            except (SocialHubError, PlatformError) as exc:
                return rx.toast.error(f"Could not load the {spec.label.lower()} list: {exc}")
            self.option_choices[key] = [Choice(value, label) for value, label in found]
            values = self.option_values.setdefault(account_id, {})
            if len(found) == 1 and not values.get(spec.name):
                values[spec.name] = found[0][0]  # the only board: nothing to choose
        self._check()
        return None

    # -- editing ----------------------------------------------------------------------------------------

    def _specs(self) -> list[posts.TargetSpec]:
        specs = []
        for account_id in self.selected:
            options = target_options(self.option_values.get(account_id, {}))
            custom = self.custom_text.get(account_id, "") if account_id in self.customized else None
            specs.append(posts.TargetSpec(uuid.UUID(account_id), custom_content=custom, options=options))
        return specs

    def _media_ids(self) -> list[uuid.UUID]:
        return [uuid.UUID(m.id) for m in self.attached]

    def _check(self) -> None:
        ctx = self.context()
        if ctx is None or not self.selected:
            self.problems = {}
            return
        self.problems = posts.check_draft(
            ctx, content=self.content, title=self.title or None, targets=self._specs(), media_ids=self._media_ids()
        )

    @rx.event
    def set_content(self, value: str) -> None:
        self.content = value
        self._check()

    @rx.event
    def set_title(self, value: str) -> None:
        self.title = value
        self._check()

    @rx.event
    def toggle_account(self, account_id: str, checked: bool) -> rx.event.EventSpec | None:
        self.selected = [a for a in self.selected if a != account_id] + ([account_id] if checked else [])
        if not checked and self.active_tab == account_id:
            self.active_tab = "all"
        self._check()
        return ComposerState.load_choices(account_id) if checked else None

    @rx.event
    def set_active_tab(self, value: str) -> None:
        self.active_tab = value

    @rx.event
    def set_customized(self, account_id: str, on: bool) -> None:
        self.customized = [a for a in self.customized if a != account_id] + ([account_id] if on else [])
        if on and not self.custom_text.get(account_id):
            self.custom_text[account_id] = self.content  # start from the shared text, not from nothing
        self._check()

    @rx.event
    def set_custom_text(self, account_id: str, value: str) -> None:
        self.custom_text[account_id] = value
        self._check()

    @rx.event
    def set_option(self, account_id: str, name: str, value: str) -> None:
        self.option_values.setdefault(account_id, {})[name] = value
        self._check()

    @rx.event
    def set_flag(self, account_id: str, name: str, on: bool) -> None:
        self.set_option(account_id, name, "true" if on else "")

    @rx.event
    def set_schedule_mode(self, value: str) -> None:
        self.schedule_mode = value
        if value == "later" and not self.schedule_at:
            # The next full hour, in the zone the post is scheduled in: a sensible start to adjust from.
            soon = datetime.now(ZoneInfo(self.timezone)).replace(minute=0, second=0, microsecond=0)
            self.schedule_at = (soon + timedelta(hours=1)).strftime(DATETIME_LOCAL)

    @rx.event
    def set_schedule_at(self, value: str) -> None:
        self.schedule_at = value

    @rx.event
    def set_timezone(self, value: str) -> None:
        self.timezone = value

    # -- media ------------------------------------------------------------------------------------------

    @rx.event
    def upload_progress(self, progress: dict[str, Any]) -> None:
        done = float(progress.get("progress", 0))
        # The last progress report can arrive after the upload handler finished: a full bar means "done".
        self.upload_percent = -1 if done >= 1 else int(done * 100)

    @rx.event
    async def upload(self, files: list[rx.UploadFile]) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        """Each file is checked from its bytes and stored (services.media); a refused one says why, the rest stay."""
        ctx = self.context()
        if ctx is None:
            return rx.redirect(routes.login(routes.COMPOSE))
        refusals = []
        for file in files:
            name = file.filename or "upload"
            try:
                row = await off_loop(media.upload_file, ctx, file.file, filename=name)
            except SocialHubError as exc:
                refusals.append(rx.toast.error(exc.message if name in exc.message else f"{name}: {exc.message}"))
                continue
            self.attached.append(media_chip(row))
        self.upload_percent = -1
        self._check()
        return refusals or None

    @rx.event
    def open_library(self) -> None:
        ctx = self.context()
        if ctx is None:
            return
        found = media.list_media(ctx, limit=60)
        self.library = [media_chip(row) for row in found.items]
        self.library_note = f"{in_words(found.used_bytes)} of {in_words(found.quota_bytes)} used"

    @rx.event
    def toggle_attached(self, media_id: str) -> None:
        if any(m.id == media_id for m in self.attached):
            self.attached = [m for m in self.attached if m.id != media_id]
        else:
            self.attached = self.attached + [m for m in self.library if m.id == media_id]
        self._check()

    @rx.event
    def move_attached(self, media_id: str, step: int) -> None:
        """Order matters to platforms (the first image is the cover): move one file earlier or later."""
        ids = [m.id for m in self.attached]
        if media_id not in ids:
            return
        i = ids.index(media_id)
        j = min(max(i + step, 0), len(ids) - 1)
        items = list(self.attached)
        items[i], items[j] = items[j], items[i]
        self.attached = items

    @rx.event
    def set_alt_text(self, media_id: str, value: str) -> None:
        for m in self.attached:
            if m.id == media_id:
                m.alt_text = value
        self.attached = list(self.attached)

    @rx.event
    def save_alt_text(self, media_id: str) -> rx.event.EventSpec | None:
        ctx = self.context()
        chip = next((m for m in self.attached if m.id == media_id), None)
        if ctx is None or chip is None:
            return None
        try:
            media.set_alt_text(ctx, uuid.UUID(media_id), chip.alt_text)
        except SocialHubError as exc:
            return rx.toast.error(exc.message)
        self._check()
        return None

    # -- saving and sending -----------------------------------------------------------------------------

    def _save(self) -> uuid.UUID:
        ctx = self.context()
        assert ctx is not None
        title = self.title.strip()
        if self.draft_id:
            detail = posts.update_post(
                ctx,
                uuid.UUID(self.draft_id),
                content=self.content,
                title=title,
                targets=self._specs(),
                media_ids=self._media_ids(),
            )
        else:
            detail = posts.create_post(
                ctx,
                content=self.content,
                title=title or None,
                targets=self._specs(),
                timezone=self.timezone,
                media_ids=self._media_ids(),
            )
        self.draft_id, self.post_status = str(detail.post.id), detail.post.status.value
        return detail.post.id

    def _refused(self, exc: SocialHubError) -> rx.event.EventSpec:
        found = (exc.details or {}).get("problems")
        if isinstance(found, dict):
            self.problems = {str(k): list(v) for k, v in found.items()}
        self.error = exc.message
        return rx.toast.error(exc.message)

    @rx.event
    def save_draft(self) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        if self.context() is None:
            return rx.redirect(routes.login(routes.COMPOSE))
        self.error = ""
        try:
            post_id = self._save()
        except SocialHubError as exc:
            return self._refused(exc)
        # The address now names the draft, so a reload (or a shared link) comes back to it.
        return [
            rx.call_script(f"window.history.replaceState(null, '', '{routes.compose(str(post_id))}')"),
            rx.toast.success("Draft saved."),
        ]

    @rx.event
    def send(self) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        """Publish now, schedule, or submit for approval: whatever the primary button says."""
        ctx = self.context()
        if ctx is None:
            return rx.redirect(routes.login(routes.COMPOSE))
        self.error = ""
        at: datetime | None = None
        if self.schedule_mode == "later":
            try:
                at = datetime.strptime(self.schedule_at, DATETIME_LOCAL)
            except ValueError:
                self.error = "Pick the date and time to publish at."
                return rx.toast.error(self.error)
        try:
            post_id = self._save()
            detail = posts.schedule_post(ctx, post_id, at=at, timezone=self.timezone)
        except SocialHubError as exc:
            return self._refused(exc)
        status = detail.post.status.value
        if status == "pending_approval":
            message = "Submitted for approval: an editor will review it."
        elif at is None:
            message = "Publishing now."
        else:
            message = f"Scheduled for {at:%a %d %b %Y, %H:%M} ({self.timezone})."
        return [rx.redirect(routes.post(str(post_id))), rx.toast.success(message)]
