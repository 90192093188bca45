"""Sign-in through the configured OpenID Connect issuer (``portal.auth.oidc``).

``GET /sign-in/oidc`` sends the browser to the issuer; ``GET /sign-in/oidc/callback`` takes it
back, verifies the answer and opens a session exactly as the password does: a new session
secret, the same cookie flags, the session before it ended, an audited ``session.signed_in``
(method ``oidc``). Without a configured issuer both answer 404. Callbacks are throttled per
client address: each refusal counts as a failed sign-in, and a held address is refused
before the issuer is asked anything. Every refusal is a translated page saying what to do,
audited with its reason, never with the subject, the email or a token.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from catalog.db.gateway import unit_of_work
from catalog.people import identities, sessions
from catalog.people.sessions import SignedIn
from portal.auth.oidc import OidcClient
from portal.auth.sessions import SESSION_COOKIE, client_address, set_cookie
from portal.deps import gettext, local_path, now, visitor_of
from portal.error_pages import error_response
from portal.errors import OidcRefused
from portal.i18n import N_
from portal.pages import pages_of
from portal.state import portal_state

router = APIRouter(include_in_schema=False)

# Each refusal: the HTTP status, the page's title and what the visitor can do about it.
REFUSALS: dict[str, tuple[int, str, str]] = {
    "unreachable": (
        502,
        N_("The identity provider did not answer"),
        N_("Signing in through your organisation is not possible at the moment. Try again later."),
    ),
    "bad_state": (
        400,
        N_("This sign-in has expired"),
        N_("The sign-in was started too long ago, in another browser, or was already used. Start again."),
    ),
    "denied": (
        403,
        N_("The identity provider did not sign you in"),
        N_("Signing in was cancelled or refused at your organisation. Start again if you want to sign in."),
    ),
    "token_refused": (
        400,
        N_("The sign-in could not be completed"),
        N_("The identity provider did not confirm the sign-in. Start again."),
    ),
    "invalid_token": (
        400,
        N_("The sign-in could not be verified"),
        N_("The answer of the identity provider failed a security check. Start again."),
    ),
    "no_account": (
        403,
        N_("No Haven account for this identity"),
        N_(
            "You signed in at your organisation, but no Haven account belongs to this identity. "
            "Ask an operator of the platform to create your account."
        ),
    ),
    "not_allowed": (403, N_("Not allowed"), N_("This account cannot sign in to the portal.")),
    "throttled": (
        429,
        N_("Too many failed sign-ins"),
        N_("Too many sign-ins failed from your address. Wait %(minutes)s minutes, then try again."),
    ),
}


def _client(request: Request) -> OidcClient | None:
    return portal_state(request).oidc


def _refusal(request: Request, reason: str) -> Response:
    _ = gettext(request)
    status, title, text = REFUSALS[reason]
    minutes = portal_state(request).settings.portal_signin_window_minutes
    body = _(text) % {"minutes": minutes} if "%(minutes)s" in text else _(text)
    return pages_of(request).render(
        request, "oidc_refused.html", status=status, title=_(title), text=body, reason=reason
    )


@router.get("/sign-in/oidc")
def start(request: Request) -> Response:
    """Send the browser to the issuer's authorization endpoint (404 when OIDC is off)."""
    client = _client(request)
    if client is None:
        return error_response(request, 404)
    state, address = portal_state(request), client_address(request)
    if state.throttle.address_held(address):
        with unit_of_work(state.settings) as store:
            identities.refuse(store, address, "throttled", now(request))
        return _refusal(request, "throttled")
    next_page = local_path(request.query_params.get("next"))
    try:
        url = client.begin(visit_secret=visitor_of(request).visit_secret, next_page=next_page)
    except OidcRefused as refused:
        return _refusal(request, refused.reason)
    return RedirectResponse(url, status_code=303)


@router.get("/sign-in/oidc/callback")
def callback(request: Request) -> Response:
    """Verify the issuer's answer and open a session for the linked Haven account."""
    client = _client(request)
    if client is None:
        return error_response(request, 404)
    state, address, at = portal_state(request), client_address(request), now(request)
    visitor = visitor_of(request)
    if state.throttle.address_held(address):
        with unit_of_work(state.settings) as store:
            identities.refuse(store, address, "throttled", at)
        return _refusal(request, "throttled")
    try:
        identity, next_page = client.finish(dict(request.query_params), visit_secret=visitor.visit_secret)
    except OidcRefused as refused:
        state.throttle.address_failed(address)
        with unit_of_work(state.settings) as store:
            identities.refuse(store, address, refused.reason, at)
        return _refusal(request, refused.reason)
    with unit_of_work(state.settings) as store:
        signed = identities.sign_in(store, identity, client=address, now=at)
        if isinstance(signed, SignedIn) and visitor.session_secret:
            store.remove_session(sessions.digest(visitor.session_secret))
    if not isinstance(signed, SignedIn):
        state.throttle.address_failed(address)
        return _refusal(request, signed)
    response = RedirectResponse(next_page, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, signed.secret)
    return response
