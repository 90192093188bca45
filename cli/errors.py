"""The `haven` command: every error it raises, all under ``CLIError``."""

from __future__ import annotations

from common.errors import HavenError


class CLIError(HavenError):
    """Root of the errors of ``cli``."""


class PipelineFailed(CLIError):
    """A DAG run ended in a state other than success."""
