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


MANIFEST = "manifest.json"
"""The file a delivery's sender writes last: its arrival in landing marks the delivery complete."""


def claim_delivery(landing: Path, deliveries: Path) -> Path | None:
    """Move a complete delivery out of ``landing`` into a new folder of its own under
    ``deliveries`` and return that folder, or None while landing holds no ``manifest.json``.

    The folder is named by the manifest's digest and the manifest moves last, so a crash
    half-way leaves it in landing and the next call moves the rest to the same folder; landing
    is free for the next delivery as soon as this returns. Only the files a run reads
    (``<source>.csv``) and the manifest move; anything else stays where it is.
    """
    manifest = landing / MANIFEST
    if not manifest.is_file():
        return None
    target = deliveries / hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    for source in SCHEMAS:
        extract = landing / f"{source.value}.csv"
        if extract.is_file():
            extract.replace(target / extract.name)
    manifest.replace(target / MANIFEST)
    return target
