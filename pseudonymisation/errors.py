"""Pseudonymisation and de-identification: every error it raises, all under ``PseudonymisationError``."""

from __future__ import annotations

from common.errors import HavenError


class PseudonymisationError(HavenError):
    """Root of the errors of ``pseudonymisation``."""


class KeyStoreError(PseudonymisationError):
    """The key store cannot serve a key (missing, unreadable or too open)."""


class DeidentificationError(PseudonymisationError):
    """De-identifying a batch failed; described by type and frames, never by message."""
