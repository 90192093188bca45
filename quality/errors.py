"""Data quality: every error it raises, all under ``QualityError``."""

from __future__ import annotations

from common.errors import HavenError


class QualityError(HavenError):
    """Root of the errors of ``quality``."""


class QualityGateFailed(QualityError):
    """Critical expectations failed; the previous silver version stays in service."""
