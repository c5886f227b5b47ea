"""Platform tokens at rest: the process's vault, and re-encrypting everything under the newest key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache

from sqlmodel import or_, select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import SocialAccount
from socialhub.security.vault import Vault, VaultKeyError
from socialhub.services.errors import SocialHubError
from socialhub.services.tenants import all_tenant_ids
from socialhub.settings import get_settings

TOKEN_FIELDS = ("oauth_tokens_encrypted", "refresh_token_encrypted")


@lru_cache(maxsize=1)
def get_vault() -> Vault:
    settings = get_settings()
    return Vault.from_config(settings.vault_keys, settings.vault_active_key)


def token_aad(account_id: uuid.UUID, field: str) -> bytes:
    """Binds a ciphertext to its row and column: pasted onto another account it no longer decrypts."""
    return f"social_accounts/{account_id}/{field}".encode()


class MissingVaultKey(SocialHubError):
    code = "vault_key_missing"


@dataclass(frozen=True)
class RotationReport:
    tenants: int
    accounts: int
    values_rotated: int
    active_key_id: str


def rotate_keys(vault: Vault | None = None, *, tenant_ids: list[uuid.UUID] | None = None) -> RotationReport:
    """Re-encrypt every stored token under the active key; safe to re-run (current values are skipped).

    One transaction per tenant: a failure leaves each tenant either fully rotated or untouched, and a
    re-run finishes the job.
    """
    vault = vault or get_vault()
    tenants = accounts = rotated = 0
    for tenant_id in tenant_ids if tenant_ids is not None else all_tenant_ids():
        tenants += 1
        with tenant_session(Context.system(tenant_id)) as session:
            rows = session.exec(
                select(SocialAccount)
                .where(or_(*(getattr(SocialAccount, f).is_not(None) for f in TOKEN_FIELDS)))
                .with_for_update()
            ).all()
            for account in rows:
                accounts += 1
                for field in TOKEN_FIELDS:
                    value = getattr(account, field)
                    if value and vault.needs_rotation(value):
                        try:
                            setattr(account, field, vault.rotate(value, aad=token_aad(account.id, field)))
                        except VaultKeyError:
                            raise MissingVaultKey(
                                f"A token of account {account.id} is encrypted with key "
                                f"'{vault.key_id_of(value)}', which VAULT_KEYS does not list. Add that key "
                                "back (as id:secret) and run rotate-keys again; nothing in this team was changed."
                            ) from None
                        rotated += 1
            session.commit()
    return RotationReport(tenants, accounts, rotated, vault.active_key_id)
