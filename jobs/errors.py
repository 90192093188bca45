"""The pipeline jobs: every error it raises, all under ``JobError``."""

from __future__ import annotations

from common.errors import HavenError


class JobError(HavenError):
    """Root of the errors of ``jobs``."""


class ReconciliationError(JobError):
    """Row counts of a step do not add up: something would have been lost or doubled."""


class ExtractError(JobError):
    """An extract cannot be read as its schema says (header mismatch, unreadable file)."""


class SilverUnavailable(JobError):
    """A silver table a permit needs (cohort or dataset) does not exist yet; the message names it."""


class LandingError(JobError):
    """A delivery is incomplete or unreadable."""


class RefineStopped(JobError):
    """A part of the pipeline's work (a source) did not run because a part started before it
    failed; that part's error says why."""
