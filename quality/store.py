"""Where validation reports and quality labels are kept (``common.quality_results``, which
the portal reads too); kept here under its first name for the pipeline and the CLI."""

from __future__ import annotations

from common.quality_results import QualityStore

__all__ = ["QualityStore"]
