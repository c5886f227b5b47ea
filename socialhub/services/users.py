"""Users inside a tenant."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import Role, User
from socialhub.security.passwords import MIN_PASSWORD_LENGTH, hash_password
from socialhub.services import audit
from socialhub.services.errors import Conflict, Invalid


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 320:
        raise Invalid(f"'{email}' does not look like an email address.", details={"field": "email"})
    return email


def create_user(ctx: Context, *, email: str, password: str | None, role: Role, full_name: str = "") -> User:
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.", details={"field": "password"})
    user = User(
        tenant_id=ctx.tenant_id,
        email=normalise_email(email),
        password_hash=hash_password(password) if password else None,
        role=role,
        full_name=full_name.strip(),
    )
    with tenant_session(ctx) as session:
        session.add(user)
        audit.record(
            session,
            ctx,
            "user.created",
            entity_type="user",
            entity_id=user.id,
            after={"email": user.email, "role": user.role.value},
        )
        try:
            session.commit()
        except IntegrityError:
            raise Conflict(f"There is already an account for {user.email}.") from None
    return user


def list_users(ctx: Context) -> list[User]:
    with tenant_session(ctx) as session:
        return list(session.exec(select(User).order_by(User.created_at)).all())
