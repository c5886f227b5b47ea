"""Shared column types and the metadata every table registers on."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

# Deterministic constraint names: migrations can drop what they created, and the schema comparison in
# the tests sees the same names on both sides.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY = sa.Numeric(12, 6)


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_type(enum_cls: type[StrEnum]) -> sa.Enum:
    """A VARCHAR + CHECK column for a StrEnum, storing the enum's values (lower case)."""
    return sa.Enum(
        enum_cls,
        name=enum_cls.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def id_field() -> Any:
    return Field(
        default_factory=uuid.uuid4,
        primary_key=True,
        sa_column_kwargs={"server_default": sa.text("gen_random_uuid()")},
    )


def tenant_fk() -> Any:
    return Field(foreign_key="tenants.id", ondelete="CASCADE", nullable=False)


def timestamp(*, nullable: bool = True, server_now: bool = False, **kwargs: Any) -> Any:
    column_kwargs: dict[str, Any] = {}
    if server_now:
        column_kwargs["server_default"] = sa.func.now()
    return Field(sa_type=sa.DateTime(timezone=True), nullable=nullable, sa_column_kwargs=column_kwargs, **kwargs)


def created_at() -> Any:
    return timestamp(nullable=False, server_now=True, default_factory=utcnow)


def updated_at() -> Any:
    return Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        nullable=False,
        sa_column_kwargs={"server_default": sa.func.now(), "onupdate": utcnow},
    )


def jsonb(*, default_factory: Any = dict) -> Any:
    server_default = "'{}'::jsonb" if default_factory is dict else "'[]'::jsonb"
    return Field(
        default_factory=default_factory,
        sa_type=JSONB,
        nullable=False,
        sa_column_kwargs={"server_default": sa.text(server_default)},
    )


def money(default: str = "0") -> Any:
    return Field(default=Decimal(default), sa_type=MONEY, nullable=False, sa_column_kwargs={"server_default": default})


def same_tenant_fk(columns: list[str], target: str, *, ondelete: str | None = "CASCADE") -> sa.ForeignKeyConstraint:
    """A foreign key that also matches ``tenant_id``: a row can never point at another tenant's row.

    Plain foreign-key checks bypass row-level security, so without this a tenant who learnt another
    tenant's id could attach rows to it.
    """
    table = target.split(".")[0]
    return sa.ForeignKeyConstraint(["tenant_id", *columns], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete)
