"""Which de-identification the free text of each version of a silver table went through.

Every write of a silver table that holds de-identified free text records the version of
de-identification in its Delta commit's ``userMetadata``
(``pseudonymisation.text.version_metadata``). Versions made by commits that change no text
(the erasure's deletes, VACUUM) carry the version of the write before them. Read from the
Delta log with ``deltalake``, no Spark.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import deltalake

from pseudonymisation import text as deid_text

# Operations that add or change rows, hence text. The erasure's MERGE only deletes (its
# copied rows keep their text), VACUUM removes files and ensure_table's CREATE TABLE is
# empty: a version made by those has the text of the write before it.
_WRITES = frozenset(
    {
        "WRITE",
        "CREATE TABLE AS SELECT",
        "REPLACE TABLE AS SELECT",
        "CREATE OR REPLACE TABLE AS SELECT",
        "UPDATE",
        "STREAMING UPDATE",
    }
)
# The newest commits read before the whole log, when looking for the last write.
_RECENT = 20


@dataclass(frozen=True)
class TextVersion:
    """The de-identification a silver version's text went through: the version recorded by
    the write that made that text (``None`` when it was written before versions were)."""

    silver_version: int
    deid_version: str | None

    @property
    def current(self) -> bool:
        return self.deid_version == deid_text.DEID_VERSION


def wrote_text(commit: Mapping[str, Any]) -> bool:
    """Whether a commit (an entry of the Delta history) added or changed rows."""
    operation = commit.get("operation")
    if operation in _WRITES:
        return True
    if operation == "MERGE":
        metrics = commit.get("operationMetrics") or {}
        return any(int(metrics.get(m, 0)) > 0 for m in ("numTargetRowsInserted", "numTargetRowsUpdated"))
    return False


def text_versions(history: Sequence[Mapping[str, Any]]) -> list[TextVersion]:
    """Per table version (oldest first), the de-identification its text went through;
    versions before the first write are left out."""
    versions: list[TextVersion] = []
    last: TextVersion | None = None
    for commit in sorted(history, key=lambda c: int(c["version"])):
        version = int(commit["version"])
        if wrote_text(commit):
            last = TextVersion(version, deid_text.recorded_version(commit.get("userMetadata")))
        if last is not None:
            versions.append(TextVersion(version, last.deid_version))
    return versions


def current_text_version(table: Path) -> TextVersion | None:
    """The de-identification of the table's latest version, read from the newest commits of
    its log (no Spark job); ``None`` when the table does not exist or holds no write yet."""
    if not (table / "_delta_log").is_dir():
        return None
    log = deltalake.DeltaTable(str(table))
    history = log.history(_RECENT)
    if not any(wrote_text(c) for c in history):
        history = log.history()
    versions = text_versions(history)
    if not versions:
        return None
    return TextVersion(int(max(int(c["version"]) for c in history)), versions[-1].deid_version)
