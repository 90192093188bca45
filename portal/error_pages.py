"""Error answers: translated pages for people, short JSON for the API; never a stack trace,
an exception's message or a value the visitor sent.

Each HTTP status the portal answers with has a title and an explanation in ``MESSAGES``;
``/api/`` paths get ``{"detail": <the explanation>}`` in the visitor's language instead.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from portal.errors import CSRFRefused, NotSignedIn
from portal.i18n import N_, choose_language
from portal.pages import pages_of

MESSAGES: dict[int | str, tuple[str, str]] = {
    400: (N_("Bad request"), N_("The request could not be understood. Go back and try again.")),
    401: (N_("Sign-in needed"), N_("Sign in to see this.")),
    403: (N_("Not allowed"), N_("Your account may not see or do this.")),
    404: (
        N_("Page not found"),
        N_("There is no page at this address. Check the address, or start again from the home page."),
    ),
    405: (N_("Not possible here"), N_("This address does not accept this kind of request.")),
    429: (
        N_("Too many requests"),
        N_("Too many requests came from your connection in a short time. Wait a few minutes and try again."),
    ),
    500: (
        N_("Something went wrong"),
        N_("An unexpected error stopped this page. It has been logged; please try again later."),
    ),
    "csrf": (
        N_("This form has expired"),
        N_("For your security the form could not be accepted. Go back, reload the page and send it again."),
    ),
}


def _language(request: Request) -> str:
    visitor = getattr(request.state, "visitor", None)
    if visitor is not None:
        return str(visitor.language)
    return choose_language(
        request.query_params.get("lang"), None, None, request.headers.get("accept-language")
    )


def error_response(request: Request, status: int, kind: int | str | None = None) -> Response:
    """The error answer for ``status`` (``kind`` picks a more specific message)."""
    title, text = MESSAGES.get(kind if kind is not None else status, MESSAGES[500 if status >= 500 else 400])
    pages = pages_of(request)
    language = _language(request)
    _ = pages.gettext(language)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": _(text)}, status_code=status)
    return pages.render(request, "error.html", status=status, title=_(title), text=_(text), language=language)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
        return error_response(request, status)

    async def invalid(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "invalid request", "errors": _fields(exc)}, status_code=422)
        return error_response(request, 400)

    async def csrf(request: Request, exc: Exception) -> Response:
        return error_response(request, 403, "csrf")

    async def not_signed_in(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return error_response(request, 401)
        return RedirectResponse("/sign-in?" + urlencode({"next": request.url.path}), status_code=303)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(CSRFRefused, csrf)
    app.add_exception_handler(NotSignedIn, not_signed_in)


def _fields(exc: Exception) -> list[dict[str, object]]:
    """Where a JSON body was invalid and why, without the value that was sent."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in errors]
