"""Sign-up, sign-in, refresh rotation with reuse detection, logout, and the identity of a request."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator

import pytest
import redis
from sqlmodel import select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import AuditLog, RefreshToken, Role, User, utcnow
from socialhub.security import jwt
from socialhub.security.passwords import hash_password
from socialhub.services import auth, throttle, users
from socialhub.services.errors import Invalid
from socialhub.services.team import update_member
from socialhub.services.tenants import all_tenant_ids
from socialhub.services.throttle import TooManyAttempts
from socialhub.settings import get_settings
from tests.factories import make_user, random_email

PASSWORD = "correct horse battery"


@pytest.fixture
def owner(database: dict[str, str]) -> auth.SessionTokens:
    return auth.register(team_name="Bakery", email=random_email(), password=PASSWORD, full_name="Olive Owner")


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    get_settings.cache_clear()


class TestRegister:
    def test_creates_a_team_and_its_owner_signed_in(self, owner: auth.SessionTokens) -> None:
        identity = auth.authenticate(owner.access_token)
        assert identity.user.role is Role.OWNER
        user, tenant = auth.me(identity)
        assert tenant.name == "Bakery" and user.full_name == "Olive Owner"

    def test_an_email_that_has_an_account_is_refused_without_saying_so(self, owner: auth.SessionTokens) -> None:
        with pytest.raises(auth.RegistrationRefused) as caught:
            auth.register(team_name="Other", email=owner.user.email.upper(), password=PASSWORD)
        message = caught.value.message
        assert owner.user.email not in message.lower() and "already an account for" not in message
        assert "sign in instead" in message and caught.value.status == 409
        assert caught.value.details == {"field": "email"}

    def test_a_taken_and_a_free_address_cost_the_same_hashing(
        self, owner: auth.SessionTokens, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        calls: list[str] = []

        def counted(password: str) -> str:
            calls.append(password)
            return hash_password(password)

        monkeypatch.setattr(auth, "hash_password", counted)
        monkeypatch.setattr(users, "hash_password", counted)
        with pytest.raises(auth.RegistrationRefused):
            auth.register(team_name="Other", email=owner.user.email, password=PASSWORD)
        taken = len(calls)
        auth.register(team_name="Other", email=random_email(), password=PASSWORD)
        assert taken == len(calls) - taken == 1

    def test_losing_a_race_for_the_address_reads_the_same(
        self, owner: auth.SessionTokens, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(auth, "lookup_ids", lambda *_: None)  # the other sign-up commits after our check
        with pytest.raises(auth.RegistrationRefused):
            auth.register(team_name="Other", email=owner.user.email, password=PASSWORD)

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"password": "short"}, "password"),
            ({"team_name": "   "}, "team_name"),
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"email": "not an email"}, "email"),
            ({"team_name": "Bakery \ud800"}, "team_name"),
            ({"full_name": "Olive\x00"}, "full_name"),
        ],
    )
    def test_bad_input_is_refused_before_anything_is_created(
        self, database: dict[str, str], changes: dict[str, str], field: str
    ) -> None:
        before = set(all_tenant_ids())
        fields = {"team_name": "Bakery", "email": random_email(), "password": PASSWORD, **changes}
        with pytest.raises(Invalid) as caught:
            auth.register(**fields)
        assert caught.value.details["field"] == field
        assert set(all_tenant_ids()) == before

    def test_sign_ups_are_throttled_per_address_and_per_client_address(self, owner: auth.SessionTokens) -> None:
        limit = get_settings().login_attempts_per_15_minutes
        ip = f"198.51.100.{uuid.uuid4().int % 250}"
        for _ in range(limit - 1):  # the owner's own sign-up was the first attempt with this address
            with pytest.raises(auth.RegistrationRefused):
                auth.register(team_name="Other", email=owner.user.email, password=PASSWORD, ip=f"10.9.{_}.1")
        with pytest.raises(TooManyAttempts, match="Too many attempts to create a team"):
            auth.register(team_name="Other", email=owner.user.email, password=PASSWORD, ip=ip)
        for _ in range(limit):
            auth.register(team_name="Other", email=random_email(), password=PASSWORD, ip=ip)
        with pytest.raises(TooManyAttempts):
            auth.register(team_name="Other", email=random_email(), password=PASSWORD, ip=ip)


class TestThrottleKeys:
    """The counters in Redis do not hold the typed email (or the client address), only a keyed hash of it."""

    @pytest.fixture
    def on_redis(self, redis_url: str, settings_env: pytest.MonkeyPatch) -> Iterator[redis.Redis]:
        settings_env.setenv("REDIS_URL", redis_url)
        get_settings.cache_clear()
        client = redis.Redis.from_url(redis_url)
        yield client
        client.close()

    def test_keys_hold_no_address(self, owner: auth.SessionTokens, on_redis: redis.Redis) -> None:
        email, ip = owner.user.email, f"203.0.113.{uuid.uuid4().int % 250}"
        with pytest.raises(auth.InvalidCredentials):
            auth.login(email=f"  {email.upper()} ", password="wrong password!", ip=ip)
        with pytest.raises(auth.RegistrationRefused):
            auth.register(team_name="Other", email=email, password=PASSWORD, ip=ip)
        keys = [key.decode() for key in on_redis.scan_iter(count=1000)]
        local = email.split("@")[0]
        assert not [key for key in keys if local in key.lower() or ip in key]
        for kind, value in (("login:account", email), ("login:ip", ip), ("register:account", email)):
            digest = throttle.counter_key(kind, value).rsplit(":", 1)[1]
            assert [key for key in keys if digest in key], kind
            assert digest != hashlib.sha256(value.encode()).hexdigest()  # keyed: no dictionary of addresses helps

    def test_the_key_depends_on_the_secret(self, database: dict[str, str], settings_env: pytest.MonkeyPatch) -> None:
        before = throttle.counter_key("login:account", "ada@example.com")
        settings_env.setenv("JWT_SECRET", "another secret that is long enough for jwt")
        get_settings.cache_clear()
        assert throttle.counter_key("login:account", "ada@example.com") != before

    def test_the_same_limits_hold_on_redis(self, owner: auth.SessionTokens, on_redis: redis.Redis) -> None:
        limit = get_settings().login_attempts_per_15_minutes
        for _ in range(limit):
            with pytest.raises(auth.InvalidCredentials):
                auth.login(email=owner.user.email, password="wrong password!")
        with pytest.raises(TooManyAttempts, match="Too many sign-in attempts"):
            auth.login(email=owner.user.email.upper(), password=PASSWORD)


class TestLogin:
    def test_right_password_signs_in_and_records_the_time(self, owner: auth.SessionTokens) -> None:
        tokens = auth.login(email=owner.user.email.upper(), password=PASSWORD)
        assert auth.authenticate(tokens.access_token).user.last_login_at is not None

    @pytest.mark.parametrize("email_known", [True, False])
    def test_wrong_password_or_unknown_email_read_the_same(self, owner: auth.SessionTokens, email_known: bool) -> None:
        email = owner.user.email if email_known else random_email()
        with pytest.raises(auth.InvalidCredentials, match="do not match an account"):
            auth.login(email=email, password="wrong password!")

    def test_inactive_user_cannot_sign_in(self, owner: auth.SessionTokens) -> None:
        tenant_id = owner.user.tenant_id
        member = make_user(_tenant(tenant_id), role=Role.EDITOR, password=PASSWORD)
        ctx = auth.authenticate(owner.access_token).context
        update_member(ctx, member.id, is_active=False)
        with pytest.raises(auth.AccountInactive, match="deactivated"):
            auth.login(email=member.email, password=PASSWORD)

    def test_repeated_failures_are_throttled_per_account(self, owner: auth.SessionTokens) -> None:
        limit = get_settings().login_attempts_per_15_minutes
        for _ in range(limit):
            with pytest.raises(auth.InvalidCredentials):
                auth.login(email=owner.user.email, password="wrong password!", ip=f"10.0.{uuid.uuid4().int % 250}.1")
        with pytest.raises(TooManyAttempts, match="Too many sign-in attempts") as caught:
            auth.login(email=owner.user.email, password=PASSWORD)  # even the right password waits
        assert caught.value.retry_after > 0

    def test_one_address_is_throttled_across_accounts(self, database: dict[str, str]) -> None:
        ip = f"192.0.2.{uuid.uuid4().int % 250}"
        limit = get_settings().login_attempts_per_15_minutes * 5
        for _ in range(limit):
            with pytest.raises(auth.InvalidCredentials):
                auth.login(email=random_email(), password="whatever it is", ip=ip)
        with pytest.raises(TooManyAttempts):
            auth.login(email=random_email(), password="whatever it is", ip=ip)


class TestRefresh:
    def test_rotates_the_refresh_token(self, owner: auth.SessionTokens) -> None:
        second = auth.refresh(owner.refresh_token)
        assert second.refresh_token != owner.refresh_token
        assert auth.authenticate(second.access_token).user.id == owner.user.id

    def test_reusing_a_used_token_ends_the_whole_session(self, owner: auth.SessionTokens) -> None:
        second = auth.refresh(owner.refresh_token)
        with pytest.raises(auth.SessionEnded, match="already used"):
            auth.refresh(owner.refresh_token)  # a thief replays the old one
        with pytest.raises(auth.SessionEnded):
            auth.refresh(second.refresh_token)  # ... and the legitimate successor is dead too
        with pytest.raises(auth.SessionEnded):
            auth.authenticate(second.access_token)  # access tokens of the family end at once
        with tenant_session(Context.system(owner.user.tenant_id)) as session:
            actions = session.exec(select(AuditLog.action)).all()
        assert "auth.refresh_token_reused" in actions

    def test_two_concurrent_refreshes_with_one_token_cannot_both_win(self, owner: auth.SessionTokens) -> None:
        results: list[object] = []

        def attempt() -> None:
            try:
                results.append(auth.refresh(owner.refresh_token))
            except auth.SessionEnded as exc:
                results.append(exc)

        threads = [threading.Thread(target=attempt) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(isinstance(r, auth.SessionTokens) for r in results) <= 1

    def test_expired_session_cannot_refresh(self, owner: auth.SessionTokens) -> None:
        with tenant_session(Context.system(owner.user.tenant_id)) as session:
            for token in session.exec(select(RefreshToken)).all():
                token.expires_at = utcnow()
            session.commit()
        with pytest.raises(auth.SessionEnded, match="expired"):
            auth.refresh(owner.refresh_token)

    def test_unknown_token_is_refused(self, database: dict[str, str]) -> None:
        with pytest.raises(auth.SessionEnded):
            auth.refresh("not-a-real-token")


class TestLogout:
    def test_ends_the_session_and_its_access_tokens(self, owner: auth.SessionTokens) -> None:
        auth.logout(owner.refresh_token)
        with pytest.raises(auth.SessionEnded):
            auth.refresh(owner.refresh_token)
        with pytest.raises(auth.SessionEnded):
            auth.authenticate(owner.access_token)

    def test_other_sessions_stay_signed_in(self, owner: auth.SessionTokens) -> None:
        other = auth.login(email=owner.user.email, password=PASSWORD)
        auth.logout(owner.refresh_token)
        assert auth.authenticate(other.access_token).user.id == owner.user.id


class TestAuthenticate:
    def test_expired_access_token_is_refused(self, owner: auth.SessionTokens) -> None:
        identity = auth.authenticate(owner.access_token)
        token, _ = jwt.issue_access_token(
            secret=get_settings().jwt_secret,
            user_id=identity.user.id,
            tenant_id=identity.context.tenant_id,
            role="owner",
            session_id=identity.session_id,
            ttl_seconds=60,
            now=0,
        )
        with pytest.raises(auth.NotAuthenticated, match="expired"):
            auth.authenticate(token)

    @pytest.mark.parametrize("position", [10, 60, -5])
    def test_tampered_access_token_is_refused(self, owner: auth.SessionTokens, position: int) -> None:
        token = owner.access_token
        flipped = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1 :]
        with pytest.raises(auth.NotAuthenticated, match="not valid"):
            auth.authenticate(flipped)

    def test_token_signed_with_another_secret_is_refused(self, owner: auth.SessionTokens) -> None:
        identity = auth.authenticate(owner.access_token)
        forged, _ = jwt.issue_access_token(
            secret="x" * 40,
            user_id=identity.user.id,
            tenant_id=identity.context.tenant_id,
            role="owner",
            session_id=identity.session_id,
            ttl_seconds=60,
        )
        with pytest.raises(auth.NotAuthenticated):
            auth.authenticate(forged)

    def test_role_comes_from_the_database_not_the_token(self, owner: auth.SessionTokens) -> None:
        tenant = _tenant(owner.user.tenant_id)
        editor = make_user(tenant, role=Role.EDITOR, password=PASSWORD)
        tokens = auth.login(email=editor.email, password=PASSWORD)
        update_member(auth.authenticate(owner.access_token).context, editor.id, role=Role.VIEWER)
        assert auth.authenticate(tokens.access_token).context.role is Role.VIEWER

    def test_session_identity_does_not_use_the_token_up(self, owner: auth.SessionTokens) -> None:
        identity = auth.session_identity(owner.refresh_token)
        assert identity is not None and identity.user.id == owner.user.id
        auth.refresh(owner.refresh_token)  # still usable afterwards


def test_rehash_on_login_when_parameters_change(owner: auth.SessionTokens) -> None:
    from passlib.hash import argon2

    weak = argon2.using(rounds=1, memory_cost=1024).hash(PASSWORD)
    with tenant_session(Context.system(owner.user.tenant_id)) as session:
        user = session.get(User, owner.user.id)
        assert user is not None
        user.password_hash = weak
        session.commit()
    auth.login(email=owner.user.email, password=PASSWORD)
    with tenant_session(Context.system(owner.user.tenant_id)) as session:
        user = session.get(User, owner.user.id)
        assert user is not None and user.password_hash != weak


def _tenant(tenant_id: uuid.UUID):  # type: ignore[no-untyped-def]
    from socialhub.services.tenants import get_tenant

    return get_tenant(Context.system(tenant_id))
