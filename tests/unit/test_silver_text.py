"""Which de-identification each silver version's text went through, from the Delta history:
writes record it, the erasure's deletes and VACUUM carry the one before them."""

from __future__ import annotations

from typing import Any

import pytest

from jobs.text_versions import TextVersion, text_versions, wrote_text
from pseudonymisation import text as deid_text


def commit(version: int, operation: str, metadata: str | None = None, **metrics: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"version": version, "operation": operation, "operationMetrics": metrics}
    if metadata is not None:
        entry["userMetadata"] = metadata
    return entry


@pytest.mark.parametrize(
    ("entry", "wrote"),
    [
        (commit(1, "WRITE", numOutputRows=3), True),
        (commit(1, "CREATE TABLE"), False),
        (commit(1, "MERGE", numTargetRowsDeleted=2, numTargetRowsCopied=5), False),
        (commit(1, "MERGE", numTargetRowsInserted=1), True),
        (commit(1, "MERGE", numTargetRowsUpdated=1), True),
        (commit(1, "DELETE", numDeletedRows=1), False),
        (commit(1, "VACUUM START"), False),
        (commit(1, "VACUUM END"), False),
        (commit(1, "UPDATE", numUpdatedRows=1), True),
    ],
)
def test_which_commits_write_text(entry: dict[str, Any], wrote: bool) -> None:
    assert wrote_text(entry) is wrote


def test_each_version_carries_the_text_of_the_last_write() -> None:
    history = [
        commit(5, "VACUUM END"),
        commit(4, "VACUUM START"),
        commit(3, "MERGE", numTargetRowsDeleted=1),
        commit(2, "WRITE", "haven.deid_version=2"),
        commit(1, "WRITE"),
        commit(0, "CREATE TABLE"),
    ]
    assert text_versions(history) == [
        TextVersion(1, None),
        TextVersion(2, "2"),
        TextVersion(3, "2"),
        TextVersion(4, "2"),
        TextVersion(5, "2"),
    ]


def test_current_means_this_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deid_text, "DEID_VERSION", "7")
    assert TextVersion(3, "7").current
    assert not TextVersion(3, "6").current
    assert not TextVersion(3, None).current
