"""The secure processing environment: every error it raises, all under ``SPEError``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from common.errors import HavenError

if TYPE_CHECKING:
    from spe.disclosure import Rule


class SPEError(HavenError):
    """Root of the errors of ``spe``."""


class ParseFailed(SPEError):
    """DuckDB could not serialise the statement (not a plain SELECT, or a syntax error)."""


class CellDisclosive(SPEError):
    """A cell may not be released; ``rule`` says which rule it breaks."""

    def __init__(self, rule: Rule) -> None:
        super().__init__(f"cell breaks the {rule.value} rule")
        self.rule = rule


class LooserThanDefault(SPEError):
    """A per-permit override tried to relax a disclosure threshold."""


class QueryRefused(SPEError):
    """The statement is not allowed in the SPE, or failed; the message says why, without data.

    ``rule`` names the kind of refusal with a short identifier (``shape``, ``statement``,
    ``time_limit``, ...), fit for the audit log where the message, which may quote the
    researcher's SQL, never goes.
    """

    def __init__(self, reason: str, rule: str = "shape") -> None:
        super().__init__(reason)
        self.rule = rule


class NotPublished(QueryRefused):
    """The permit has no published datasets yet."""


class ServiceUnavailable(SPEError):
    """No SPE service listens on the socket (none started, or it stopped)."""


class UnsafeSocket(SPEError):
    """The socket is not this user's owner-only socket: the client will not use it."""


class ServiceFailed(SPEError):
    """The service answered with an error (a malformed request, other settings, a failure)."""


class BadRequest(SPEError):
    """The SPE service refuses a request: the HTTP status, an error code and a message."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


class TooLarge(SPEError):
    """The linked-differencing check cannot decide within its bounds: the caller suppresses."""
