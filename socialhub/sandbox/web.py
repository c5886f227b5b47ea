"""The sandbox's web view of a published post: what opens at a Sandbox permalink.

Each sandbox serves a post at the platform's real web path (``/{user}/status/{id}`` on X, ``/feed/update/{urn}`` on
LinkedIn, ``/pin/{id}/`` on Pinterest…), because in Sandbox mode a permalink is the real one moved onto the sandbox,
as API calls are. The page is small and plain: the text, the media as the platform received them, the author and
the time, under a banner that says it is the Sandbox and not the platform.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.responses import HTMLResponse

STYLE = """
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f4f4f5;color:#18181b}
.banner{background:#fde68a;color:#713f12;padding:.6rem 1rem;font-weight:600;text-align:center}
main{max-width:36rem;margin:1.5rem auto;padding:0 1rem}
article{background:#fff;border:1px solid #e4e4e7;border-radius:12px;padding:1rem 1.25rem}
.author{font-weight:600}.handle,.time,dt{color:#71717a}.time{font-size:.9rem}
h1{font-size:1.2rem;margin:.5rem 0}.text{white-space:pre-wrap;overflow-wrap:anywhere;margin:.75rem 0}
.media{display:grid;gap:.5rem;margin:.75rem 0}
.medium{border:1px dashed #a1a1aa;border-radius:8px;padding:.6rem;font-size:.9rem;overflow-wrap:anywhere}
.medium img{max-width:100%;border-radius:6px;display:block;margin-top:.4rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;font-size:.9rem;margin:.75rem 0 0}
dd{margin:0;overflow-wrap:anywhere}
"""
# Nothing on these pages runs script; images come only from addresses the post itself named.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src https: http:",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class Medium:
    """One attachment as the platform received it: a description, and a picture where the post named one."""

    kind: str  # "image", "video", "gif", "document", "link"
    description: str = ""
    url: str | None = None


def _when(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%d %b %Y, %H:%M UTC")


def _medium(item: Medium) -> str:
    label = html.escape(item.kind.capitalize())
    described = f" · {html.escape(item.description)}" if item.description else ""
    picture = ""
    if item.url and item.url.startswith(("http://", "https://")):
        address = html.escape(item.url, quote=True)
        picture = (
            f'<img src="{address}" alt="" referrerpolicy="no-referrer">'
            if item.kind == "image"
            else f'<a href="{address}" rel="noreferrer">{address}</a>'
        )
    return f'<div class="medium"><strong>{label}</strong>{described}{picture}</div>'


def post_page(
    *,
    platform: str,
    author: str,
    created_at: float,
    text: str,
    handle: str | None = None,
    title: str | None = None,
    media: Iterable[Medium] = (),
    details: Iterable[tuple[str, str]] = (),
) -> HTMLResponse:
    """A published post's page, marked as the Sandbox's."""
    name = html.escape(platform)
    media_html = "".join(_medium(item) for item in media)
    details_html = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in details)
    body = (
        f'<div class="banner">SocialHub Sandbox: a stand-in for {name}. Nothing here is on the real {name}.</div>'
        "<main><article>"
        f'<div class="author">{html.escape(author)}</div>'
        + (f'<div class="handle">{html.escape(handle)}</div>' if handle else "")
        + f'<div class="time">Published {html.escape(_when(created_at))} · {name} (Sandbox)</div>'
        + (f"<h1>{html.escape(title)}</h1>" if title else "")
        + (f'<div class="text">{html.escape(text)}</div>' if text else "")
        + (f'<div class="media">{media_html}</div>' if media_html else "")
        + (f"<dl>{details_html}</dl>" if details_html else "")
        + "</article></main>"
    )
    heading = title or text[:60] or "post"
    return _page(f"{heading} · {platform} (Sandbox)", body, 200)


def missing_page(platform: str, what: str) -> HTMLResponse:
    """The platform's web 404, in the same Sandbox frame."""
    name = html.escape(platform)
    body = (
        f'<div class="banner">SocialHub Sandbox: a stand-in for {name}.</div>'
        f"<main><article><h1>This {html.escape(what)} isn't here</h1>"
        f"<p>The {name} Sandbox has no such {html.escape(what)}: it may never have been published here, or the "
        "Sandbox was reset.</p></article></main>"
    )
    return _page(f"Not found · {platform} (Sandbox)", body, 404)


def _page(title: str, body: str, status: int) -> HTMLResponse:
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )
    return HTMLResponse(document, status_code=status, headers=SECURITY_HEADERS)


def size(n: int) -> str:
    """A byte count as a person reads it."""
    if n < 1024:
        return f"{n} bytes"
    value = n / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


__all__ = ["Medium", "missing_page", "post_page", "size"]
