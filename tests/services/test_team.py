"""Members, roles, invitations, tenant settings and the AI budget: who may do what, and the audit trail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import ApprovalPolicy, AuditLog, Invitation, Role, Tenant, User, utcnow
from socialhub.services import auth, team, tenants
from socialhub.services.errors import Conflict, Invalid, NotFound, NotPermitted
from tests.factories import make_post, make_tenant, make_user, random_email

PASSWORD = "correct horse battery"


def ctx_of(user: User, request_id: str | None = None) -> Context:
    return Context(user.tenant_id, user.id, user.role, request_id)


@pytest.fixture
def org(database: dict[str, str]) -> dict[Role, User]:
    tenant = make_tenant()
    return {role: make_user(tenant, role=role, password=PASSWORD) for role in Role}


class TestInvitations:
    def test_invite_accept_signs_the_new_member_in_with_the_invited_role(self, org: dict[Role, User]) -> None:
        email = random_email()
        new = team.invite(ctx_of(org[Role.ADMIN]), email=email, role=Role.CONTRIBUTOR)
        preview = team.preview_invitation(new.token)
        assert (preview.email, preview.role) == (email, Role.CONTRIBUTOR)
        tokens = team.accept_invitation(new.token, password=PASSWORD, full_name="Cora")
        identity = auth.authenticate(tokens.access_token)
        assert identity.context.tenant_id == org[Role.ADMIN].tenant_id
        assert identity.user.role is Role.CONTRIBUTOR

    def test_an_invitation_works_once(self, org: dict[Role, User]) -> None:
        new = team.invite(ctx_of(org[Role.OWNER]), email=random_email(), role=Role.VIEWER)
        team.accept_invitation(new.token, password=PASSWORD)
        with pytest.raises(Conflict, match="already accepted"):
            team.accept_invitation(new.token, password=PASSWORD)

    def test_expired_and_revoked_invitations_are_refused(self, org: dict[Role, User]) -> None:
        ctx = ctx_of(org[Role.OWNER])
        expired, revoked = (team.invite(ctx, email=random_email(), role=Role.VIEWER) for _ in range(2))
        with tenant_session(ctx) as session:
            row = session.get(Invitation, expired.invitation.id)
            assert row is not None
            row.expires_at = utcnow()
            session.commit()
        team.revoke_invitation(ctx, revoked.invitation.id)
        with pytest.raises(Invalid, match="expired"):
            team.accept_invitation(expired.token, password=PASSWORD)
        with pytest.raises(NotFound):
            team.accept_invitation(revoked.token, password=PASSWORD)

    def test_inviting_again_replaces_the_earlier_link(self, org: dict[Role, User]) -> None:
        email = random_email()
        first = team.invite(ctx_of(org[Role.OWNER]), email=email, role=Role.VIEWER)
        team.invite(ctx_of(org[Role.OWNER]), email=email, role=Role.EDITOR)
        with pytest.raises(NotFound):
            team.preview_invitation(first.token)

    def test_only_an_owner_can_invite_an_owner(self, org: dict[Role, User]) -> None:
        with pytest.raises(NotPermitted, match="owner"):
            team.invite(ctx_of(org[Role.ADMIN]), email=random_email(), role=Role.OWNER)
        team.invite(ctx_of(org[Role.OWNER]), email=random_email(), role=Role.OWNER)

    @pytest.mark.parametrize("role", [Role.EDITOR, Role.CONTRIBUTOR, Role.VIEWER])
    def test_roles_without_team_management_cannot_invite(self, org: dict[Role, User], role: Role) -> None:
        with pytest.raises(NotPermitted):
            team.invite(ctx_of(org[role]), email=random_email(), role=Role.VIEWER)

    def test_an_email_with_an_account_cannot_be_invited(self, org: dict[Role, User]) -> None:
        with pytest.raises(Conflict, match="already has a SocialHub account"):
            team.invite(ctx_of(org[Role.OWNER]), email=org[Role.VIEWER].email, role=Role.VIEWER)


class TestMembers:
    def test_admin_cannot_demote_deactivate_or_remove_an_owner(self, org: dict[Role, User]) -> None:
        admin, owner = ctx_of(org[Role.ADMIN]), org[Role.OWNER]
        for change in (
            lambda: team.update_member(admin, owner.id, role=Role.VIEWER),
            lambda: team.update_member(admin, owner.id, is_active=False),
            lambda: team.remove_member(admin, owner.id),
            lambda: team.update_member(admin, org[Role.EDITOR].id, role=Role.OWNER),
        ):
            with pytest.raises(NotPermitted):
                change()

    def test_the_last_owner_stays(self, org: dict[Role, User]) -> None:
        owner = org[Role.OWNER]
        second = make_user(_tenant_of(owner), role=Role.ADMIN)
        with pytest.raises(Conflict, match="at least one active owner"):
            team.update_member(ctx_of(owner), owner.id, role=Role.ADMIN)
        team.update_member(ctx_of(owner), second.id, role=Role.OWNER)  # with two owners, one may step down
        team.update_member(ctx_of(owner), owner.id, role=Role.ADMIN)

    def test_deactivation_ends_the_members_sessions(self, org: dict[Role, User]) -> None:
        editor = org[Role.EDITOR]
        tokens = auth.login(email=editor.email, password=PASSWORD)
        team.update_member(ctx_of(org[Role.ADMIN]), editor.id, is_active=False)
        with pytest.raises(auth.AccountInactive):
            auth.authenticate(tokens.access_token)
        with pytest.raises(auth.SessionEnded):
            auth.refresh(tokens.refresh_token)

    def test_removal_frees_the_email_and_keeps_their_posts(self, org: dict[Role, User]) -> None:
        editor = org[Role.EDITOR]
        post = make_post(_tenant_of(editor), editor, content="still here")
        team.remove_member(ctx_of(org[Role.ADMIN]), editor.id)
        assert editor.id not in {u.id for u in team.list_members(ctx_of(org[Role.ADMIN]))}
        team.invite(ctx_of(org[Role.ADMIN]), email=editor.email, role=Role.VIEWER)  # the address is free again
        with tenant_session(ctx_of(org[Role.ADMIN])) as session:
            assert session.get(type(post), post.id) is not None

    def test_nobody_removes_themselves(self, org: dict[Role, User]) -> None:
        with pytest.raises(Conflict, match="yourself"):
            team.remove_member(ctx_of(org[Role.ADMIN]), org[Role.ADMIN].id)

    def test_another_teams_member_is_not_found(self, org: dict[Role, User], database: dict[str, str]) -> None:
        stranger = make_user(make_tenant(), role=Role.EDITOR)
        for change in (
            lambda: team.update_member(ctx_of(org[Role.OWNER]), stranger.id, role=Role.VIEWER),
            lambda: team.remove_member(ctx_of(org[Role.OWNER]), stranger.id),
        ):
            with pytest.raises(NotFound):
                change()
        with tenant_session(Context.system(stranger.tenant_id)) as session:
            assert session.get(User, stranger.id).role is Role.EDITOR  # type: ignore[union-attr]

    def test_changes_are_audited_with_before_after_and_request_id(self, org: dict[Role, User]) -> None:
        team.update_member(ctx_of(org[Role.ADMIN], "req-42"), org[Role.VIEWER].id, role=Role.EDITOR)
        with tenant_session(ctx_of(org[Role.ADMIN])) as session:
            entry = session.exec(select(AuditLog).where(AuditLog.action == "member.updated")).one()
        assert entry.actor_user_id == org[Role.ADMIN].id and entry.request_id == "req-42"
        assert (entry.before["role"], entry.after["role"]) == ("viewer", "editor")  # type: ignore[index]


class TestTenantSettings:
    def test_admin_changes_settings_and_they_are_audited(self, org: dict[Role, User]) -> None:
        ctx = ctx_of(org[Role.ADMIN])
        tenant = tenants.update_tenant(ctx, name="Renamed", timezone="Asia/Tokyo", approval=ApprovalPolicy.EVERYONE)
        assert (tenant.name, tenant.timezone, tenants.approval_policy(tenant)) == (
            "Renamed",
            "Asia/Tokyo",
            ApprovalPolicy.EVERYONE,
        )
        with tenant_session(ctx) as session:
            assert (
                session.exec(select(AuditLog).where(AuditLog.action == "tenant.updated"))
                .one()
                .after[  # type: ignore[index]
                    "approval_policy"
                ]
                == "everyone"
            )

    def test_unknown_time_zone_is_refused(self, org: dict[Role, User]) -> None:
        with pytest.raises(Invalid, match="time zone"):
            tenants.update_tenant(ctx_of(org[Role.OWNER]), timezone="Mars/Olympus")

    @pytest.mark.parametrize("role", [Role.EDITOR, Role.CONTRIBUTOR, Role.VIEWER])
    def test_only_admins_and_owners_change_settings_or_budget(self, org: dict[Role, User], role: Role) -> None:
        with pytest.raises(NotPermitted):
            tenants.update_tenant(ctx_of(org[role]), name="Nope")
        with pytest.raises(NotPermitted):
            tenants.set_ai_budget(ctx_of(org[role]), Decimal("1"))

    def test_budget_shows_limit_usage_and_what_remains(self, org: dict[Role, User]) -> None:
        ctx = ctx_of(org[Role.OWNER])
        with tenant_session(ctx) as session:
            tenant = session.get(Tenant, ctx.tenant_id)
            assert tenant is not None
            tenant.ai_usage_current, tenant.ai_usage_reserved = Decimal("3.5"), Decimal("0.5")
            session.commit()
        budget = tenants.set_ai_budget(ctx, Decimal("10"))
        assert (budget.limit_usd, budget.used_usd, budget.remaining_usd) == (
            Decimal("10"),
            Decimal("3.5"),
            Decimal("6"),
        )
        with pytest.raises(Invalid):
            tenants.set_ai_budget(ctx, Decimal("-1"))


def _tenant_of(user: User):  # type: ignore[no-untyped-def]
    return tenants.get_tenant(Context.system(user.tenant_id))
