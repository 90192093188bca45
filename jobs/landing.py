"""Finding the extracts of one delivery in a landing folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

from common.layout import Source
from common.schemas import SCHEMAS
from jobs.errors import LandingError


def extract_id(path: Path) -> str:
    """A content digest that names one delivered file: the same bytes, the same id."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:32]


def discover(landing: Path) -> dict[Source, Path]:
    """The extract file of each known source in ``landing`` (``<source>.csv``)."""
    if not landing.is_dir():
        raise LandingError(f"landing folder not found: {landing}")
    found = {s: landing / f"{s.value}.csv" for s in SCHEMAS if (landing / f"{s.value}.csv").is_file()}
    if not found:
        expected = ", ".join(f"{s.value}.csv" for s in SCHEMAS)
        raise LandingError(f"no extract in {landing} (expected one of: {expected})")
    return found
