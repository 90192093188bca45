"""What the app holds for the life of the process: settings, clock, secret key, timeouts,
translations, the sign-in throttle and the OpenID Connect client (``app.state.portal``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from catalog.people.sessions import Timeouts
from common.settings import Settings
from portal.auth.oidc import OidcClient
from portal.auth.throttle import AddressRate, SignInThrottle


@dataclass(frozen=True)
class PortalState:
    settings: Settings
    clock: Callable[[], datetime]  # injected by tests; the wall clock in UTC otherwise
    key: bytes  # the portal's secret key (CSRF tokens)
    timeouts: Timeouts
    throttle: SignInThrottle
    lookups: AddressRate  # "could my data be used?" checks per client address
    oidc: OidcClient | None = None  # None: no OpenID Connect issuer is configured


def portal_state(request: Request) -> PortalState:
    state: PortalState = request.app.state.portal
    return state
