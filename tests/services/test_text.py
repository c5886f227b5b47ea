"""The one rule for text on its way to the database, and the services that apply it for callers that are not the
API (the web UI calls them directly): a clear refusal naming the field instead of a driver error."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from socialhub.context import Context
from socialhub.models import Role
from socialhub.services import account_connect, auth, media, posts, team, tenants
from socialhub.services.posts import TargetSpec
from socialhub.services.text import UnstorableText, find_unstorable, problem, require_storable
from tests.factories import make_account, make_tenant, make_user, random_email

HALF = "\ud83d"  # the first half of 😀 on its own
_HALF_ESCAPED = "(a lone UTF-16 surrogate, \\ud83d), which text cannot hold; type or paste the whole character again"
PASSWORD = "correct horse battery"


class TestTheRule:
    @pytest.mark.parametrize("value", ["\x00", "a\ud800", "\udfff", f"x{HALF}"])
    def test_unstorable(self, value: str) -> None:
        assert problem(value)

    @pytest.mark.parametrize(
        "value", ["", "plain", "tab\tnew\nline", "😀 👩‍👩‍👧‍👦 e\u0301", "\ud7ff\ue000\uffff", "\x01"]
    )
    def test_storable(self, value: str) -> None:
        assert problem(value) is None
        value.encode("utf-8")  # what the rule promises: PostgreSQL's encoding takes it

    def test_paths_name_where_it_is(self) -> None:
        @dataclass
        class Spec:
            text: str
            options: dict[str, object]

        value = {"targets": [Spec("fine", {"ok": 1}), Spec("fine", {"title": ["", "a\x00"]})]}
        assert find_unstorable(value) == (
            ("targets", 1, "options", "title", 1),
            "contains a NUL character (\\u0000, invisible), which text cannot hold; remove it",
        )
        assert find_unstorable({"a\ud800b": 1}) is not None
        assert find_unstorable({"fine": [1, 2.5, None, True, b"\x00"]}) is None  # bytes are not text

    def test_require_storable_names_the_argument(self) -> None:
        with pytest.raises(UnstorableText) as caught:
            require_storable(team_name="ok", full_name=f"Olive {HALF}")
        assert caught.value.status == 422 and caught.value.details == {"field": "full_name"}
        assert caught.value.message.startswith("The full name contains half of a character")
        with pytest.raises(UnstorableText) as caught:
            require_storable(targets=[{"options": {"title": "\x00"}}])
        assert caught.value.details == {"field": "targets[0].options.title"}
        assert caught.value.message.startswith("The field 'targets[0].options.title' contains a NUL character")


class TestTheServicesTheWebUICalls:
    """Each form of the web UI reaches one of these; each refuses in words instead of failing in the driver."""

    def test_sign_up_and_sign_in(self, database: dict[str, str]) -> None:
        with pytest.raises(UnstorableText, match="team name"):
            auth.register(team_name=f"Bakery {HALF}", email=random_email(), password=PASSWORD)
        with pytest.raises(UnstorableText, match="email"):
            auth.login(email="ada\x00@example.com", password=PASSWORD)
        with pytest.raises(UnstorableText, match="password"):
            auth.login(email=random_email(), password=f"pass{HALF}word")

    def test_team_settings(self, database: dict[str, str]) -> None:
        tenant = make_tenant()
        owner = make_user(tenant, role=Role.OWNER)
        ctx = Context(tenant.id, owner.id, Role.OWNER)
        with pytest.raises(UnstorableText, match="name"):
            tenants.update_tenant(ctx, name=f"Renamed {HALF}")
        with pytest.raises(UnstorableText, match="timezone"):
            tenants.update_tenant(ctx, timezone="Europe/Berlin\x00")
        assert tenants.get_tenant(ctx).name == tenant.name

    def test_posts_invitations_and_alt_text(self, database: dict[str, str]) -> None:
        tenant = make_tenant()
        owner = make_user(tenant, role=Role.OWNER)
        ctx = Context(tenant.id, owner.id, Role.OWNER)
        account = make_account(tenant)
        with pytest.raises(UnstorableText, match="content"):
            posts.create_post(ctx, content=f"Spring {HALF}")
        spec = TargetSpec(account.id, None, {"title": "a\x00"}, ())
        with pytest.raises(UnstorableText) as caught:
            posts.create_post(ctx, content="Spring", targets=[spec])
        assert caught.value.details == {"field": "targets[0].options.title"}
        problems = posts.check_draft(ctx, content=f"Spring {HALF}", targets=[TargetSpec(account.id)])
        assert problems == {str(account.id): [f"The content contains half of a character {_HALF_ESCAPED}."]}
        draft = posts.create_post(ctx, content="Spring")
        with pytest.raises(UnstorableText, match="title"):
            posts.update_post(ctx, draft.post.id, title=HALF)
        with pytest.raises(UnstorableText, match="text"):
            posts.list_posts(ctx, text="a\x00")
        with pytest.raises(UnstorableText, match="email"):
            team.invite(ctx, email="new\x00@example.com", role=Role.VIEWER)
        with pytest.raises(UnstorableText, match="alt text"):
            media.clean_alt_text(f"Three drinks {HALF}")
        assert media.clean_alt_text("Three\x00 drinks") == "Three drinks"  # controls are dropped, as before

    def test_connecting_an_account(self, database: dict[str, str]) -> None:
        tenant = make_tenant()
        admin = make_user(tenant, role=Role.ADMIN)
        ctx = Context(tenant.id, admin.id, Role.ADMIN)
        with pytest.raises(UnstorableText, match="redirect uri"):
            account_connect.start_connect(ctx, "x", redirect_uri="http://localhost:3000/accounts/callback\x00")
