"""A small OpenID Connect issuer for tests: a real HTTP server on 127.0.0.1 in a thread.

It serves discovery, its JWKS (an RSA key made once per test session), ``/authorize`` (approves
the configured person at once and sends the browser back with a code and the state) and
``/token`` (checks the code, once, the PKCE verifier, the redirect URI and the client's
secret, then answers with a signed ID token). ``Behaviour`` makes it misbehave, one way at a
time, to prove each refusal of the portal.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "haven-portal"
CLIENT_SECRET = "test-client-secret-not-a-real-one"
KEY_ID = "test-key-1"


@cache
def signing_key() -> RSAKey:
    """The issuer's key, made once per test session (RSA generation takes a moment)."""
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})


@cache
def other_key() -> RSAKey:
    """A key of nobody the portal trusts, with the issuer's key id: a forged signature."""
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})


@dataclass
class Behaviour:
    """Who the issuer signs in and how it answers; tests change it between requests."""

    subject: str = "subject-0001"
    email: str | None = "rita@example.be"
    email_verified: bool = True
    deny: bool = False  # /authorize answers error=access_denied
    wrong_key: bool = False  # the ID token is signed with a key not in the JWKS
    audience: str | None = None  # another audience than the client id
    nonce: str | None = None  # another nonce than the one sent
    lifetime_s: int = 300  # negative: the ID token has expired when it arrives
    discovery_issuer: str | None = None  # a discovery document naming another issuer


@dataclass
class Issuer:
    """A running issuer: its ``url`` (the issuer identifier) and its ``behaviour``."""

    url: str
    behaviour: Behaviour
    clock: Callable[[], datetime]
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: int = 0

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.behaviour.discovery_issuer or self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def authorize(self, query: dict[str, str]) -> str:
        """Where /authorize sends the browser (the portal's callback with code or error)."""
        redirect = query["redirect_uri"]
        if self.behaviour.deny:
            return redirect + "?" + urlencode({"error": "access_denied", "state": query.get("state", "")})
        assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
        assert query["code_challenge_method"] == "S256" and "openid" in query["scope"].split()
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "challenge": query["code_challenge"],
            "nonce": query["nonce"],
            "redirect_uri": redirect,
        }
        return redirect + "?" + urlencode({"code": code, "state": query["state"]})

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        self.token_requests += 1
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != expected:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if challenge != grant["challenge"] or form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        return 200, {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(grant["nonce"]),
        }

    def id_token(self, nonce: str) -> str:
        b = self.behaviour
        issued = int(self.clock().timestamp())
        claims: dict[str, Any] = {
            "iss": self.url,
            "sub": b.subject,
            "aud": b.audience or CLIENT_ID,
            "iat": issued if b.lifetime_s > 0 else issued + b.lifetime_s - 600,
            "exp": issued + b.lifetime_s,
            "nonce": b.nonce or nonce,
        }
        if b.email is not None:
            claims |= {"email": b.email, "email_verified": b.email_verified}
        key = other_key() if b.wrong_key else signing_key()
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, key)


def _handler(issuer: Issuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet in test output
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, issuer.metadata())
            elif parts.path == "/jwks":
                self._json(200, KeySet([signing_key()]).as_dict(private=False))
            elif parts.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                self.send_response(302)
                self.send_header("Location", issuer.authorize(query))
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            status, body = issuer.token(form, self.headers.get("Authorization"))
            self._json(status, body)

    return Handler


@contextmanager
def running_issuer(clock: Callable[[], datetime] | None = None) -> Iterator[Issuer]:
    """An issuer on a free loopback port until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    host, port = server.server_address[:2]
    issuer = Issuer(f"http://{host}:{port}", Behaviour(), clock or (lambda: datetime.now(UTC)))
    server.RequestHandlerClass = _handler(issuer)
    # Polled every 20 ms, not the default 0.5 s: ``shutdown`` waits for the next poll.
    thread = threading.Thread(
        target=server.serve_forever, args=(0.02,), name=f"oidc-issuer-{port}", daemon=True
    )
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
