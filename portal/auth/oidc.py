"""Sign-in through an OpenID Connect issuer: the authorization-code flow with PKCE (S256),
``state`` and ``nonce``, over Authlib's protocol client and joserfc.

Where the flow's secrets live: ``GET /sign-in/oidc`` draws a random ``state``, ``nonce`` and PKCE
``code_verifier`` and keeps them in ``PendingSignIns``, a record in this process's memory
keyed by the SHA-256 of the state, bound to the SHA-256 of the browser's visit cookie and
valid for ``PENDING_MINUTES``. Only the state leaves the server (in the redirect to the
issuer, which sends it back); the verifier and nonce never reach the browser, and there is
no second cookie session. The callback takes the record out before anything else, so a state
works once: a replayed callback, a state from another browser (login CSRF) or an expired one
is refused. Like the sign-in throttle, the record is per process: run the portal as one
process, or route each browser to the same one.

The callback then exchanges the code at the token endpoint (client secret by HTTP Basic,
the verifier proves the same client started the flow), and verifies the ID token: its
signature against the issuer's JWKS (asymmetric algorithms only), ``iss`` equal to the
configured issuer, ``aud`` holding the client id (``azp`` when there are several), ``exp``
and ``iat`` against the portal's clock, and ``nonce`` equal to the one drawn. The discovery
document and the JWKS are fetched for each sign-in (no stale keys after a rotation).

Errors name the step that failed (``OidcRefused.reason``), never a token, a code, a claim
value or the issuer's own message.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.base import OAuth2Error
from authlib.oauth2.client import OAuth2Client
from authlib.oidc.core.claims import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from catalog.people.identities import VerifiedIdentity
from common.errors import ConfigError
from common.settings import Settings
from portal.errors import OidcRefused

CALLBACK_PATH = "/sign-in/oidc/callback"
PENDING_MINUTES = 10
MAX_PENDING = 10_000  # bounds the memory a flood of started sign-ins can take
HTTP_TIMEOUT_S = 10.0
CLOCK_LEEWAY_S = 60
# How the portal proves itself at the token endpoint: its id and secret by HTTP Basic.
CLIENT_AUTH = "client_secret_basic"
# Asymmetric algorithms only: a shared-secret (HS*) or unsigned token is refused.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]


@dataclass(frozen=True)
class Pending:
    """A started sign-in, waiting for the issuer to send the browser back."""

    binding: str  # SHA-256 of the browser's visit secret
    nonce: str
    code_verifier: str
    next_page: str
    started: datetime


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class PendingSignIns:
    """Started sign-ins by the hash of their state; each is taken out once."""

    def __init__(self, clock: Callable[[], datetime], ttl: timedelta = timedelta(minutes=PENDING_MINUTES)):
        self._clock = clock
        self._ttl = ttl
        self._pending: OrderedDict[str, Pending] = OrderedDict()
        self._lock = threading.Lock()

    def _drop_expired(self) -> None:
        cutoff = self._clock() - self._ttl
        while self._pending:
            key, oldest = next(iter(self._pending.items()))
            if oldest.started > cutoff and len(self._pending) <= MAX_PENDING:
                return
            del self._pending[key]

    def put(self, state: str, pending: Pending) -> None:
        with self._lock:
            self._pending[_sha256(state)] = pending
            self._drop_expired()

    def take(self, state: str, visit_secret: str) -> Pending:
        """The sign-in ``state`` started in the browser of ``visit_secret``; ``OidcRefused``
        (bad_state) if there is none, it expired, or another browser started it. Taken out
        either way: a state is never good twice."""
        with self._lock:
            self._drop_expired()
            pending = self._pending.pop(_sha256(state), None)
        if pending is None or pending.binding != _sha256(visit_secret):
            raise OidcRefused("bad_state")
        return pending


class _HttpxSession:
    """What Authlib's protocol client needs of an HTTP session (``post``), over httpx: Authlib
    builds the token request and the client authentication, httpx sends it."""

    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def post(
        self, url: str, data: Mapping[str, str], headers: Mapping[str, str], auth: Any, **_: Any
    ) -> httpx.Response:
        url, prepared, body = auth.prepare("POST", url, dict(headers), urlencode(data))
        return self._http.post(url, content=body, headers=prepared)


def read_client_secret(path: Path) -> str:
    """The client secret from its file (stripped); ``ConfigError`` if it is missing or empty, so
    the portal does not start half configured."""
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"the OIDC client secret file {path} cannot be read ({type(exc).__name__})"
        ) from None
    if not secret:
        raise ConfigError(f"the OIDC client secret file {path} is empty")
    return secret


class OidcClient:
    """The portal as a relying party of the configured issuer."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime],
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        assert settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret_file
        self.issuer = settings.oidc_issuer
        self._client_id = settings.oidc_client_id
        self._secret = read_client_secret(settings.oidc_client_secret_file)
        self._scopes = settings.oidc_scopes
        self._email_claim = settings.oidc_email_claim
        self._redirect_uri = settings.portal_url.rstrip("/") + CALLBACK_PATH
        self._clock = clock
        self._transport = transport
        self.pending = PendingSignIns(clock)

    def _http(self) -> httpx.Client:
        return httpx.Client(timeout=HTTP_TIMEOUT_S, transport=self._transport, follow_redirects=False)

    def _get_json(self, http: httpx.Client, url: str) -> dict[str, Any]:
        try:
            response = http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError):
            raise OidcRefused("unreachable") from None
        if not isinstance(document, dict):
            raise OidcRefused("unreachable")
        return document

    def _metadata(self, http: httpx.Client) -> dict[str, Any]:
        """The issuer's discovery document, checked to be the issuer's own."""
        document = self._get_json(http, self.issuer.rstrip("/") + "/.well-known/openid-configuration")
        endpoints = ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if document.get("issuer") != self.issuer or not all(
            isinstance(document.get(name), str) for name in endpoints
        ):
            raise OidcRefused("unreachable")
        return document

    def _protocol(self, http: httpx.Client) -> OAuth2Client:
        return OAuth2Client(
            _HttpxSession(http),
            client_id=self._client_id,
            client_secret=self._secret,
            token_endpoint_auth_method=CLIENT_AUTH,
            scope=self._scopes,
            redirect_uri=self._redirect_uri,
            code_challenge_method="S256",
        )

    def begin(self, *, visit_secret: str, next_page: str) -> str:
        """The issuer's authorization URL for a new sign-in from the browser of ``visit_secret``."""
        with self._http() as http:
            metadata = self._metadata(http)
            verifier, nonce = generate_token(64), generate_token(32)
            url, state = self._protocol(http).create_authorization_url(
                metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
            )
        binding = _sha256(visit_secret)
        self.pending.put(state, Pending(binding, nonce, verifier, next_page, self._clock()))
        return str(url)

    def finish(self, params: Mapping[str, str], *, visit_secret: str) -> tuple[VerifiedIdentity, str]:
        """The verified identity of the issuer's answer ``params`` (the callback's query) and the
        page to go on to; ``OidcRefused`` at the first check that fails."""
        pending = self.pending.take(params.get("state", ""), visit_secret)
        if "error" in params or not params.get("code"):
            raise OidcRefused("denied")
        with self._http() as http:
            metadata = self._metadata(http)
            try:
                token = self._protocol(http).fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=params["code"],
                    code_verifier=pending.code_verifier,
                )
            except OAuth2Error:
                raise OidcRefused("token_refused") from None
            except (httpx.HTTPError, ValueError):
                raise OidcRefused("unreachable") from None
            id_token = token.get("id_token")
            if not isinstance(id_token, str):
                raise OidcRefused("token_refused")
            keys = self._get_json(http, metadata["jwks_uri"])
        return self._verify(id_token, keys, pending.nonce), pending.next_page

    def _verify(self, id_token: str, jwks: dict[str, Any], nonce: str) -> VerifiedIdentity:
        try:
            key_set = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
            decoded = jwt.decode(id_token, key_set, algorithms=ALGORITHMS)
            claims = CodeIDToken(
                decoded.claims,
                decoded.header,
                options={
                    "iss": {"essential": True, "value": self.issuer},
                    "aud": {"essential": True, "value": self._client_id},
                    "sub": {"essential": True},
                    "nonce": {"essential": True},
                },
                params={"nonce": nonce, "client_id": self._client_id},
            )
            claims.validate(now=int(self._clock().timestamp()), leeway=CLOCK_LEEWAY_S)
        except (JoseError, ValueError, TypeError, KeyError):
            raise OidcRefused("invalid_token") from None
        email = claims.get(self._email_claim)
        return VerifiedIdentity(
            issuer=self.issuer,
            subject=str(claims["sub"]),
            email=email if isinstance(email, str) else None,
            email_verified=claims.get("email_verified") is True,
        )
