"""Security headers on every response, error pages that never show a stack trace or a value,
and an access log that names routes, not URLs.

The outermost layer of the app: it adds the headers to every response, the error pages and
static files included; it turns any unexpected exception into the translated 500 page (the
exception is logged by type and frames, never its message, which may quote data); and it
logs each request by its route template, so a one-time link's secret in a URL never reaches
a log.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.logging import get_logger, safe

log = get_logger(__name__)

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
# Pages can hold a signed-in user's data: no cache keeps them. Static files may be cached.
NO_STORE = "no-store"


class SecurityLayer:
    """ASGI middleware: headers, the 500 page, the route-level access log."""

    def __init__(self, app: ASGIApp, render_error: Callable[[Request, int], Response]) -> None:
        self.app = app
        self.render_error = render_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500, "sent": False}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.update(code=message["status"], sent=True)
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if not scope["path"].startswith("/static/"):
                    headers["cache-control"] = NO_STORE
                if scope.get("scheme") == "https":
                    headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # any failure: the 500 page, logged without its message
            log.exception("portal.unexpected_error", exc, route=safe(_route(scope)))
            if status["sent"]:
                raise
            await self.render_error(Request(scope), 500)(scope, receive, send_with_headers)
        finally:
            log.info(
                "portal.request",
                method=safe(scope["method"]),
                route=safe(_route(scope)),
                status=status["code"],
                ms=round((time.perf_counter() - started) * 1000, 1),
            )


def _route(scope: Scope) -> str:
    """The matched route's template (``/set-password/{secret}``), never the URL itself."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return str(path)
    return "/static" if scope["path"].startswith("/static/") else "unmatched"
