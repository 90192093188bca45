"""The web portal as one FastAPI app: ``create_app(settings)``; ``haven serve`` runs it with
uvicorn.

Layers, outermost first: security headers, the 500 page and the access log
(``portal.security``); the visitor of each request (session, language, CSRF token,
``portal.auth.sessions``); the CSRF check on every state-changing request
(``portal.auth.csrf``); the routes (``portal.routes``). Interactive API docs (Swagger UI,
ReDoc) are off: they need inline script and a CDN, which the Content-Security-Policy
forbids; the OpenAPI document is at ``/openapi.json``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from fastapi import Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import Response

from catalog.people.sessions import Timeouts
from common.settings import Settings, get_settings
from portal.auth.csrf import check_csrf, load_or_create_key
from portal.auth.oidc import OidcClient
from portal.auth.sessions import finish, resolve_visitor
from portal.auth.throttle import AddressRate, SignInThrottle
from portal.error_pages import error_response, install
from portal.i18n import load_translations
from portal.pages import STATIC, Pages
from portal.routes import (
    account,
    api,
    applications,
    applications_api,
    auth,
    catalogue,
    citizen,
    dashboards,
    oidc,
    optout,
    pages,
    review,
    steward,
    steward_api,
    workbench,
    workbench_api,
)
from portal.security import SecurityLayer
from portal.state import PortalState, portal_state


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _state(settings: Settings, clock: Callable[[], datetime]) -> PortalState:
    return PortalState(
        settings=settings,
        clock=clock,
        key=load_or_create_key(settings.portal_secret),
        timeouts=Timeouts(
            idle=timedelta(minutes=settings.portal_session_idle_minutes),
            absolute=timedelta(hours=settings.portal_session_absolute_hours),
        ),
        throttle=SignInThrottle(
            per_account=settings.portal_signin_max_per_account,
            per_address=settings.portal_signin_max_per_address,
            window=timedelta(minutes=settings.portal_signin_window_minutes),
            clock=clock,
        ),
        oidc=OidcClient(settings, clock=clock) if settings.oidc_enabled else None,
        lookups=AddressRate(
            per_address=settings.portal_lookup_max_per_address,
            window=timedelta(minutes=settings.portal_signin_window_minutes),
            clock=clock,
        ),
    )


async def _visitor_layer(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Find the visitor before the route runs; set or clear their cookies after."""
    if request.url.path.startswith("/static/"):
        return await call_next(request)
    visitor = await run_in_threadpool(resolve_visitor, request, portal_state(request))
    request.state.visitor = visitor
    response = await call_next(request)
    finish(request, response, visitor)
    return response


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """The portal over the catalogue of ``settings`` (default: the process settings).

    ``clock`` gives the current time (UTC); tests pass their own to move time without waiting.
    """
    settings = settings or get_settings()
    app = FastAPI(
        title="Haven portal",
        summary="The dataset catalogue of the health data access body, and the signed-in user.",
        version="1",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(check_csrf)],
    )
    app.state.portal = _state(settings, clock or _utc_now)
    app.state.pages = Pages(load_translations())
    install(app)
    for router in (
        pages.router,
        auth.router,
        oidc.router,
        catalogue.router,
        api.router,
        workbench.router,
        workbench_api.router,
        steward.router,
        account.router,
        steward_api.router,
        citizen.router,
        optout.router,
        dashboards.router,
    ):
        app.include_router(router)
    for router in (applications.router, review.router, applications_api.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BaseHTTPMiddleware, dispatch=_visitor_layer)
    app.add_middleware(SecurityLayer, render_error=error_response)
    return app
