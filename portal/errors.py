"""The web portal: every error it raises on purpose, all under ``PortalError``.

Messages name the rule that was broken, never a value a visitor typed or a secret; the
pages that show them are translated (``portal.errors_pages``).
"""

from __future__ import annotations

from common.errors import HavenError


class PortalError(HavenError):
    """Root of the errors of ``portal``."""


class CSRFRefused(PortalError):
    """A state-changing request came without the visitor's CSRF token, or with another one."""


class NotSignedIn(PortalError):
    """The page or API call needs a signed-in user."""


class TranslationsBroken(PortalError):
    """A message catalogue is missing or does not parse; the portal does not start without it."""


class Hidden(PortalError):
    """The user may not know this permit or output request exists: the routes answer 404."""


class NotUsable(PortalError):
    """The user is named on the permit but may not use it now (not in force): 403."""


class OidcRefused(PortalError):
    """A step of the OIDC sign-in failed; ``reason`` names it for the page and the audit:

    ``unreachable`` (discovery, JWKS or token endpoint did not answer as they must),
    ``bad_state`` (unknown, used, expired or another browser's state), ``denied`` (the issuer
    sent an error, such as access_denied), ``token_refused`` (the token endpoint refused the
    code), ``invalid_token`` (the ID token failed a check).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(f"OIDC sign-in refused: {reason}")
        self.reason = reason
