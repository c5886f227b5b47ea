"""Re-encrypting every stored token under the newest vault key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import SocialAccount, Tenant
from socialhub.security.vault import Vault
from socialhub.services.secrets import TOKEN_FIELDS, MissingVaultKey, rotate_keys, token_aad
from tests.factories import make_account, make_tenant

OLD = "old-secret-0123456789abcdef"
NEW = "new-secret-0123456789abcdef"


@pytest.fixture
def tenants(database: dict[str, str]) -> Iterator[list[Tenant]]:
    """Two teams, deleted afterwards: their tokens use keys other tests' vaults do not know."""
    created = [make_tenant(), make_tenant()]
    yield created
    for tenant in created:
        with tenant_session(Context.system(tenant.id)) as session:
            session.delete(session.get(Tenant, tenant.id))
            session.commit()


def test_rotation_moves_every_token_to_the_active_key_and_is_idempotent(tenants: list[Tenant]) -> None:
    old_vault = Vault({"k1": OLD}, "k1")
    accounts = []
    for tenant in tenants:
        account = make_account(tenant)
        with tenant_session(Context.system(tenant.id)) as session:
            row = session.get(SocialAccount, account.id)
            assert row is not None
            for field in TOKEN_FIELDS:
                setattr(row, field, old_vault.encrypt(f"{field}-{account.id}", aad=token_aad(account.id, field)))
            session.commit()
        accounts.append(account)

    new_vault = Vault({"k2": NEW, "k1": OLD}, "k2")
    report = rotate_keys(new_vault, tenant_ids=[t.id for t in tenants])
    assert report.values_rotated >= 2 * len(TOKEN_FIELDS)
    assert report.active_key_id == "k2"

    only_new = Vault({"k2": NEW}, "k2")  # the old key can now be retired
    for account in accounts:
        with tenant_session(Context.system(account.tenant_id)) as session:
            row = session.get(SocialAccount, account.id)
            assert row is not None
            for field in TOKEN_FIELDS:
                value = getattr(row, field)
                assert only_new.key_id_of(value) == "k2"
                assert only_new.decrypt(value, aad=token_aad(account.id, field)) == f"{field}-{account.id}"

    assert rotate_keys(new_vault, tenant_ids=[t.id for t in tenants]).values_rotated == 0


def test_rotation_without_the_old_key_says_which_key_to_add(tenants: list[Tenant]) -> None:
    account = make_account(tenants[0])
    with tenant_session(Context.system(account.tenant_id)) as session:
        row = session.get(SocialAccount, account.id)
        assert row is not None
        row.oauth_tokens_encrypted = Vault({"k1": OLD}, "k1").encrypt("t", aad=token_aad(account.id, TOKEN_FIELDS[0]))
        session.commit()
    with pytest.raises(MissingVaultKey, match="encrypted with key 'k1', which VAULT_KEYS does not list"):
        rotate_keys(Vault({"k2": NEW}, "k2"), tenant_ids=[t.id for t in tenants])
