"""Every setting SocialHub reads, from the environment, in one place.

Nothing else in the package reads ``os.environ``: code asks ``get_settings()`` and tests build their own
``Settings(...)``. Development defaults are safe to run on a laptop; production refuses to start with any
of them (see ``_refuse_development_secrets``).
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Development-only secrets. They are public (they are in this file), so production refuses them.
DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789"
DEV_VAULT_KEYS = "dev:dev-only-vault-secret-change-me"
DEV_STATE_SECRET = "dev-only-oauth-state-secret-change-me"
DEV_MEDIA_LINK_SECRET = "dev-only-media-link-secret-change-me"

PLATFORMS = ("instagram", "facebook", "x", "linkedin", "tiktok", "youtube", "pinterest", "threads", "reddit")


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    environment: Environment = Environment.DEVELOPMENT
    data_dir: Path = Field(default=PROJECT_ROOT / ".data", description="Local state: embedded DB, queue, media.")
    log_level: str = "INFO"
    app_url: str = Field(default="http://localhost:3000", description="Public URL of the app (OAuth redirects).")

    # --- database -----------------------------------------------------------------------------------
    database_url: str | None = Field(
        default=None,
        description="Runtime connection, as the application role (no BYPASSRLS, owns nothing). "
        "Unset: an embedded PostgreSQL in DATA_DIR/pg/18.",
    )
    migration_database_url: str | None = Field(
        default=None, description="Connection as the schema owner, used only by migrations."
    )
    database_admin_url: str | None = Field(
        default=None,
        description="A superuser connection, used only by `socialhub db provision` and the test suite "
        "to create the database and roles.",
    )
    database_embedded: bool = Field(
        default=False, description="Set by the launcher when it started the embedded server (not by hand)."
    )
    database_app_role: str = Field(default="socialhub_app", description="Role the migrations grant DML to.")
    database_pool_size: int = 10

    # --- queue / cache ------------------------------------------------------------------------------
    redis_url: str | None = Field(
        default=None, description="Redis for the queue, rate limits and live updates. Unset: SqliteHuey."
    )
    # Publishing waits on the platforms (50 ms to seconds per call), so a consumer needs many threads to keep a
    # core busy; one of them sweeps for as long as the consumer runs. The pool (size + overflow) covers them.
    worker_threads: int = Field(default=16, ge=2, description="Huey consumer worker threads.")

    # --- secrets ------------------------------------------------------------------------------------
    jwt_secret: str = Field(default=DEV_JWT_SECRET, min_length=32)
    vault_keys: str = Field(
        default=DEV_VAULT_KEYS,
        description="Token-encryption keys, 'id:secret' comma-separated, newest first. "
        "Keep old keys listed until `socialhub rotate-keys` has run.",
    )
    vault_active_key: str | None = Field(default=None, description="Key id to encrypt with (default: first).")
    oauth_state_secret: str = Field(default=DEV_STATE_SECRET, min_length=32)
    access_token_ttl_seconds: int = Field(default=900, ge=60, description="Lifetime of an access token.")
    refresh_token_ttl_days: int = Field(default=30, ge=1, description="Lifetime of a session (refresh token).")
    invitation_ttl_hours: int = Field(default=72, ge=1, description="How long an invitation link stays valid.")

    # --- HTTP / API ---------------------------------------------------------------------------------
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["http://localhost:3000"])
    rate_limit_per_minute: int = Field(default=100, ge=1, description="API requests per user (or IP) a minute.")
    login_attempts_per_15_minutes: int = Field(default=10, ge=1)

    # --- media --------------------------------------------------------------------------------------
    s3_bucket: str | None = Field(default=None, description="Set to store media in S3; unset: DATA_DIR/media.")
    s3_endpoint_url: str | None = Field(default=None, description="For MinIO, R2 or moto.")
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_addressing_style: Literal["auto", "path", "virtual"] = Field(
        default="auto", description="'path' for servers without bucket subdomains (most MinIO setups)."
    )
    media_quota_bytes: int | None = Field(
        default=None, ge=0, description="Media storage per tenant for every plan; unset: the plan's quota."
    )
    media_max_upload_bytes: int = Field(default=512 * 1024**2, ge=1, description="Largest file one upload may be.")
    media_link_ttl_seconds: int = Field(
        default=3600, ge=60, le=604_800, description="How long a link platforms pull a file from stays valid."
    )
    media_link_secret: str = Field(default=DEV_MEDIA_LINK_SECRET, min_length=32)
    media_public_url: str | None = Field(
        default=None, description="Base of the signed file links of local media; unset: APP_URL/api/v1/media/public."
    )

    # --- AI -----------------------------------------------------------------------------------------
    openai_api_key: str | None = None
    openai_base_url: str | None = Field(default=None, description="OpenAI-compatible server URL.")
    anthropic_api_key: str | None = None
    anthropic_base_url: str | None = None
    default_ai_budget_usd: float = Field(default=50.0, ge=0)

    # --- platforms ----------------------------------------------------------------------------------
    sandbox_mode: bool | None = Field(
        default=None,
        description="Point every platform at the loopback sandbox apps. Default: on, except in production.",
    )
    publish_lease_seconds: int = Field(
        default=300, ge=1, description="How long a worker may hold a target before the sweeper takes it back."
    )
    platform_timeout_seconds: float = Field(default=30.0, gt=0, description="Timeout of one platform API call.")
    platform_concurrency: dict[str, int] = Field(
        default_factory=dict,
        description='Most publishing calls in flight per platform, across all workers, JSON: {"x": 8}. '
        "Unlisted platforms keep their defaults (services/platform_gate.py).",
    )
    sandbox_base_url: str = Field(
        default="http://localhost:3001",
        description="Where the sandbox platforms are served (`run` starts them on the web port + 1).",
    )
    sandbox_latency_ms: int = Field(
        default=0, ge=0, description="Simulated latency of every sandbox answer (benchmarks; the sandbox server)."
    )
    platform_base_urls: dict[str, str] = Field(
        default_factory=dict, description='Per-platform API base override, JSON: {"x": "https://proxy.example"}.'
    )
    platform_api_versions: dict[str, str] = Field(
        default_factory=dict, description='Per-platform API version, JSON: {"facebook": "v23.0", "linkedin": "202510"}.'
    )
    instagram_client_id: str | None = None
    instagram_client_secret: str | None = None
    facebook_client_id: str | None = None
    facebook_client_secret: str | None = None
    x_client_id: str | None = None
    x_client_secret: str | None = None
    linkedin_client_id: str | None = None
    linkedin_client_secret: str | None = None
    tiktok_client_id: str | None = None
    tiktok_client_secret: str | None = None
    youtube_client_id: str | None = None
    youtube_client_secret: str | None = None
    pinterest_client_id: str | None = None
    pinterest_client_secret: str | None = None
    threads_client_id: str | None = None
    threads_client_secret: str | None = None
    reddit_client_id: str | None = None
    reddit_client_secret: str | None = None

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        return _split_csv(value)

    @model_validator(mode="after")
    def _normalise(self) -> Self:
        self.database_url = normalise_database_url(self.database_url)
        self.migration_database_url = normalise_database_url(self.migration_database_url)
        self.database_admin_url = normalise_database_url(self.database_admin_url)
        if self.sandbox_mode is None:
            self.sandbox_mode = self.environment is not Environment.PRODUCTION
        return self

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Self:
        if self.environment is not Environment.PRODUCTION:
            return self
        problems = []
        if self.jwt_secret == DEV_JWT_SECRET:
            problems.append("JWT_SECRET")
        if self.vault_keys == DEV_VAULT_KEYS or "dev-only" in self.vault_keys:
            problems.append("VAULT_KEYS")
        if self.oauth_state_secret == DEV_STATE_SECRET:
            problems.append("OAUTH_STATE_SECRET")
        if self.media_link_secret == DEV_MEDIA_LINK_SECRET:
            problems.append("MEDIA_LINK_SECRET")
        if not self.database_url:
            problems.append("DATABASE_URL (the embedded database is for development only)")
        if problems:
            raise ValueError(
                "Refusing to start in production with development defaults for: "
                + ", ".join(problems)
                + ". Set each one in the environment (see the README's settings table)."
            )
        if self.sandbox_mode:
            raise ValueError("SANDBOX_MODE cannot be on in production: posts would never reach the platforms.")
        return self

    def platform_credentials(self, platform: str) -> tuple[str | None, str | None]:
        """(client id, client secret) for a platform, or (None, None) when not configured."""
        return getattr(self, f"{platform}_client_id"), getattr(self, f"{platform}_client_secret")


def normalise_database_url(url: str | None) -> str | None:
    """Make every PostgreSQL URL use psycopg 3, whatever scheme the operator wrote."""
    if not url:
        return None
    for prefix in ("postgresql+psycopg2://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
