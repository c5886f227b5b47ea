"""Fixtures for the API tests: the real app in-process, and a team with one signed-in member per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from socialhub.api.app import create_api
from socialhub.context import Context
from socialhub.models import Role, Tenant, User
from socialhub.services.auth import start_session
from tests.factories import make_tenant, make_user


@dataclass(frozen=True)
class Member:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class Team:
    tenant: Tenant
    members: dict[Role, Member]

    def __getitem__(self, role: Role) -> Member:
        return self.members[role]


def make_team(name: str = "Team") -> Team:
    tenant = make_tenant(name=name)
    members = {}
    for role in Role:
        user = make_user(tenant, role=role)
        members[role] = Member(user, start_session(Context.system(tenant.id), user.id).access_token)
    return Team(tenant, members)


@pytest.fixture
def api(database: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_api(), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def team(database: dict[str, str]) -> Team:
    return make_team("Team A")


@pytest.fixture
def other_team(database: dict[str, str]) -> Team:
    return make_team("Team B")
