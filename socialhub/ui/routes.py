"""Route constants and URL builders for the web UI (the API's routes live under /api/v1)."""

HOME = "/"
LOGIN = "/login"
REGISTER = "/register"
INVITE = "/invite/[token]"
DASHBOARD = "/dashboard"
TEAM = "/team"
SETTINGS = "/settings"
ACCOUNTS = "/accounts"
ACCOUNTS_CALLBACK = "/accounts/callback"


def invite(token: str) -> str:
    return f"/invite/{token}"


def login(next_path: str | None = None) -> str:
    """The sign-in page, coming back to ``next_path`` afterwards (only paths on this site)."""
    if not next_path or not next_path.startswith("/") or next_path.startswith("//"):
        return LOGIN
    return f"{LOGIN}?next={next_path.rstrip('/') or '/'}"
