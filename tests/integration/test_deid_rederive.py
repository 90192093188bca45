"""Silver notes follow the de-identification version: a pipeline run with no delivery
re-derives them from bronze when their latest silver version was written by another one,
records the new version, keeps the rows and pseudonyms, and says so in the run report and
the audit (versions and counts, no text)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from catalog.db.gateway import unit_of_work
from catalog.optout import registry
from catalog.optout.vocabulary import OptOutSource
from common.layout import LakeLayout
from common.settings import Settings
from jobs import pipeline
from jobs.status import silver_tables
from jobs.text_versions import TextVersion, current_text_version
from pseudonymisation import pseudonym_of
from pseudonymisation import text as deid_text
from synthetic.generate import generate

pytestmark = pytest.mark.slow(minutes=2)

RUN = datetime(2026, 2, 1, tzinfo=UTC)
STALE = "written by de-identification version 1"


def notes(table: Path) -> list[dict[str, Any]]:
    rows = DeltaTable(str(table)).to_pyarrow_table().to_pylist()
    return sorted(rows, key=lambda r: r["note_id"])


def commit(table: Path) -> dict[str, Any]:
    return DeltaTable(str(table)).history(1)[0]


def opt_out(settings: Settings, pid: str) -> None:
    event = registry.make_event(
        pid=pid, action="optout", event_time=RUN, channel="online", agent=None, source="cli", received_at=RUN
    )
    with unit_of_work(settings) as store:
        registry.record(store, [event], actor="system", source=OptOutSource.CLI)


def test_notes_are_rederived_when_the_deid_version_changes(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = deid_text.DEID_VERSION
    landing = tmp_path / "landing"
    generate(landing, 60, 11)
    for extract in landing.glob("*.csv"):
        if extract.stem not in ("population", "clinical_notes"):
            extract.unlink()
    settings = Settings(home=tmp_path / "var")
    ingested = pipeline.ingest(settings, landing, "run-1", RUN)
    pipeline.refine(settings, ingested, "run-1", RUN)
    table = settings.lake / "silver" / "clinical_notes"
    written = notes(table)
    assert len(written) >= 5
    assert commit(table)["userMetadata"] == f"haven.deid_version={current}"
    # Up to date: a run with no delivery changes nothing.
    version = commit(table)["version"]
    assert pipeline.refine(settings, {}, "run-2", RUN) == {}
    assert commit(table)["version"] == version

    # Silver as an older de-identification left it: other text, its version in the commit.
    (
        spark.read.format("delta")
        .load(str(table))
        .withColumn("text", F.lit(STALE))
        .write.format("delta")
        .mode("overwrite")
        .option("userMetadata", "haven.deid_version=1")
        .save(str(table))
    )
    assert {r["text"] for r in notes(table)} == {STALE}
    refined = pipeline.refine(settings, {}, "run-3", RUN)
    rederived = commit(table)
    assert refined == {
        "clinical_notes": {
            "deid_rederived": {
                "source": "clinical_notes",
                "from_deid_version": "1",
                "to_deid_version": deid_text.DEID_VERSION,
                "rows": len(written),
                "dropped_by_optout": 0,
                "silver_version": rederived["version"],
                "message": f"notes re-derived: de-identification version 1 \u2192 {deid_text.DEID_VERSION}",
            }
        }
    }
    assert rederived["userMetadata"] == f"haven.deid_version={deid_text.DEID_VERSION}"
    # Every row back, with the pseudonyms it had and its text de-identified again from bronze.
    assert notes(table) == written

    # A new de-identification version re-derives again, without the person who opted out since.
    with (landing / "clinical_notes.csv").open() as handle:
        pid = next(iter(csv.DictReader(handle)))["pid"]
    gone = pseudonym_of(pid, "platform", settings)
    opt_out(settings, pid)
    monkeypatch.setattr(deid_text, "DEID_VERSION", "3-test")
    refined = pipeline.refine(settings, {}, "run-4", RUN)
    figures = refined["clinical_notes"]["deid_rederived"]
    kept = [r for r in written if r["person_id"] != gone]
    assert len(kept) < len(written)
    assert (figures["from_deid_version"], figures["to_deid_version"]) == (current, "3-test")
    assert (figures["rows"], figures["dropped_by_optout"]) == (len(kept), len(written) - len(kept))
    assert figures["message"] == f"notes re-derived: de-identification version {current} \u2192 3-test"
    assert commit(table)["userMetadata"] == "haven.deid_version=3-test"
    assert notes(table) == kept
    assert current_text_version(table) == TextVersion(commit(table)["version"], "3-test")

    shown = {t.name: t for t in silver_tables(LakeLayout(settings.lake))}
    assert (shown["clinical_notes"].deid_version, shown["clinical_notes"].deid_current) == ("3-test", True)
    assert (shown["population"].deid_version, shown["population"].deid_current) == (None, None)

    report = json.loads(pipeline.write_report(settings, "run-4", {}, refined, {}, {}).read_text())
    assert report["sources"]["clinical_notes"]["deid_rederived"]["message"] == figures["message"]
    assert report["sources"]["clinical_notes"]["extract_file"] is None
    with unit_of_work(settings) as store:
        entries = [e for e in store.audit_entries() if e.action == "silver.text_rederived"]
    assert [(e.object_id, e.details) for e in entries] == [
        (
            "clinical_notes",
            {
                "from_deid_version": "1",
                "to_deid_version": current,
                "rows": len(written),
                "dropped_by_optout": 0,
                "silver_version": rederived["version"],
                "run_id": "run-3",
            },
        ),
        (
            "clinical_notes",
            {
                "from_deid_version": current,
                "to_deid_version": "3-test",
                "rows": len(kept),
                "dropped_by_optout": len(written) - len(kept),
                "silver_version": commit(table)["version"],
                "run_id": "run-4",
            },
        ),
    ]
