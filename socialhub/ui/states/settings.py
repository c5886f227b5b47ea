"""The team settings page: name, time zone, approval policy and the AI budget; the plan, read-only."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import reflex as rx

from socialhub.models import ApprovalPolicy
from socialhub.services import tenants
from socialhub.services.errors import SocialHubError
from socialhub.ui import routes
from socialhub.ui.states.auth import AuthState

APPROVAL_LABELS = {
    ApprovalPolicy.NONE.value: "No approvals",
    ApprovalPolicy.CONTRIBUTORS.value: "Contributors' posts need approval",
    ApprovalPolicy.EVERYONE.value: "Every post needs approval",
}


class SettingsState(AuthState):
    name: str = ""
    timezone: str = ""
    plan_tier: str = ""
    approval_policy: str = ""
    budget_limit: str = "0.00"
    budget_used: str = "0.00"
    budget_reserved: str = "0.00"
    budget_remaining: str = "0.00"
    budget_percent: int = 0

    def _reload(self) -> None:
        ctx = self.context()
        if ctx is None:
            return
        tenant = tenants.get_tenant(ctx)
        self.name, self.timezone, self.plan_tier = tenant.name, tenant.timezone, tenant.plan_tier.value
        self.approval_policy = tenants.approval_policy(tenant).value
        budget = tenants.get_ai_budget(ctx)
        self.budget_limit = f"{budget.limit_usd:.2f}"
        self.budget_used = f"{budget.used_usd:.2f}"
        self.budget_reserved = f"{budget.reserved_usd:.2f}"
        self.budget_remaining = f"{budget.remaining_usd:.2f}"
        spent = budget.used_usd + budget.reserved_usd
        self.budget_percent = min(100, int(spent * 100 / budget.limit_usd)) if budget.limit_usd else 100

    @rx.event
    def set_approval_policy(self, value: str) -> None:
        self.approval_policy = value

    @rx.var
    def approval_label(self) -> str:
        return APPROVAL_LABELS.get(self.approval_policy, self.approval_policy)

    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        redirect = self.require_session()
        if redirect is None:
            self._reload()
        return redirect

    @rx.event
    def save(self, form: dict[str, str]) -> rx.event.EventSpec:
        ctx = self.context()
        if ctx is None:
            return rx.redirect(routes.login(routes.SETTINGS))
        try:
            tenants.update_tenant(
                ctx,
                name=form.get("name"),
                timezone=form.get("timezone"),
                approval=ApprovalPolicy(form["approval_policy"]) if form.get("approval_policy") else None,
            )
        except SocialHubError as exc:
            return rx.toast.error(exc.message)
        self.require_session()
        self._reload()
        return rx.toast.success("Settings saved.")

    @rx.event
    def save_budget(self, form: dict[str, str]) -> rx.event.EventSpec:
        ctx = self.context()
        if ctx is None:
            return rx.redirect(routes.login(routes.SETTINGS))
        try:
            limit = Decimal(form.get("limit_usd", "").strip().lstrip("$") or "x")
        except InvalidOperation:
            return rx.toast.error("The budget must be a number of US dollars, like 25 or 25.50.")
        try:
            tenants.set_ai_budget(ctx, limit)
        except SocialHubError as exc:
            return rx.toast.error(exc.message)
        self._reload()
        return rx.toast.success(f"AI budget set to ${self.budget_limit}.")
