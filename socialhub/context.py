"""Who is acting: every service call carries one of these."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from socialhub.models.enums import Role


@dataclass(frozen=True, slots=True)
class Context:
    tenant_id: uuid.UUID
    user_id: uuid.UUID | None = None
    role: Role | None = None
    request_id: str | None = None

    @classmethod
    def system(cls, tenant_id: uuid.UUID, *, request_id: str | None = None) -> Context:
        """Work done by SocialHub itself (the worker, the CLI) inside one tenant."""
        return cls(tenant_id=tenant_id, request_id=request_id)
