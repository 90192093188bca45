"""CSRF tokens: every form and every state-changing API call carries one, or is refused.

A token is an HMAC of the portal's secret key over the secret of the visitor's cookie (the
session's once signed in, the visit's before), so it changes at sign-in, needs no storage,
and another site can neither read nor forge it. Forms send it as the ``csrf_token`` field,
API clients as the ``X-CSRF-Token`` header (``GET /api/me`` gives it to them).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from fastapi import Request

from portal.errors import CSRFRefused

FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def load_or_create_key(path: Path) -> bytes:
    """The portal's secret key from its owner-only file, created with 256 random bits if missing."""
    if not path.is_file():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def token_for(key: bytes, binding: str) -> str:
    """The CSRF token of the visitor whose cookie secret is ``binding``."""
    return hmac.new(key, b"csrf:" + binding.encode("utf-8"), hashlib.sha256).hexdigest()


async def sent_token(request: Request) -> str:
    """The token a request carries: the header, else the form field; empty if none."""
    header = request.headers.get(HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def check_csrf(request: Request) -> None:
    """FastAPI dependency of the whole app: refuse any state-changing request whose token is
    missing or is not the visitor's own."""
    if request.method in SAFE_METHODS:
        return
    expected = request.state.visitor.csrf_token
    if not hmac.compare_digest(await sent_token(request), expected):
        raise CSRFRefused("the request carries no valid CSRF token")
