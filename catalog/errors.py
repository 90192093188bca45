"""Errors of the control plane. Messages name users, ids and rules, never data values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from common.errors import HavenError


class CatalogError(HavenError):
    """Base of the control plane's errors."""


class NotAuthorised(CatalogError):
    """The acting user's roles do not allow this operation."""


class InvalidTransition(CatalogError):
    """The lifecycle does not allow this move from the current state."""


class RuleViolation(CatalogError):
    """An application or decision breaks a rule (prohibited purpose, conflict of interest, ...)."""


class NotFound(CatalogError):
    """No object with this id."""


class InvalidApplication(CatalogError):
    """An application file does not validate; the message lists every problem with its place,
    ``problems`` the same one by one as ``catalog.permits.domain.Problem`` values (empty when
    the file could not even be read)."""

    def __init__(self, message: str, problems: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class InvalidDescription(CatalogError):
    """A dataset description (a metadata file or a steward's correction) does not validate;
    the message names the file and the field."""


class AuditChainBroken(CatalogError):
    """The audit log's hash chain does not verify."""


class InvalidOptOutEvent(CatalogError):
    """An opt-out event breaks a rule; the message names the field and rule, never the pid."""


class PermitDenied(CatalogError):
    """The acting user may not use this permit now; the message says why."""


class UnknownPermit(CatalogError):
    """No permit has this id."""


class InvalidLink(CatalogError):
    """A set-password link is unknown, used already or expired; one message for all three."""


def passes(check: Callable[[], object]) -> bool:
    """The ``can_*`` form of a ``check_*`` rule: whether it holds, for a user interface."""
    try:
        check()
    except CatalogError:
        return False
    return True


class InvalidSpec(CatalogError):
    """A dashboard's chart spec is refused; ``problems`` says each reason (each a
    ``catalog.dashboards.specs.SpecProblem``: where, and its text in the reader's language)."""

    def __init__(self, problems: Sequence[Any]) -> None:
        super().__init__("; ".join(f"{p.where}: {p.text()}" for p in problems))
        self.problems = tuple(problems)
