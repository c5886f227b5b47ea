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
POSTS = "/posts"
POST_DETAIL = "/posts/[post_id]"
COMPOSE = "/compose"
CALENDAR = "/calendar"


def post(post_id: str) -> str:
    return f"/posts/{post_id}"


def compose(post_id: str | None = None, *, day: str | None = None) -> str:
    """The composer: a new post (optionally on a day, YYYY-MM-DD), or an existing draft to edit."""
    if post_id:
        return f"{COMPOSE}?post={post_id}"
    return f"{COMPOSE}?day={day}" if day else COMPOSE


def calendar(view: str | None = None, day: str | None = None) -> str:
    """The calendar in a view ("month" or "week") around a day (YYYY-MM-DD); both default to now's month."""
    query = "&".join(f"{key}={value}" for key, value in (("view", view), ("date", day)) if value)
    return f"{CALENDAR}?{query}" if query else CALENDAR


def invite(token: str) -> str:
    return f"/invite/{token}"


def login(next_path: str | None = None) -> str:
    """The sign-in page, coming back to ``next_path`` afterwards (only paths on this site)."""
    if not next_path or not next_path.startswith("/") or next_path.startswith("//"):
        return LOGIN
    return f"{LOGIN}?next={next_path.rstrip('/') or '/'}"
