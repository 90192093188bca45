"""Every fault the generator plants in the sources the pipeline processes is quarantined at
its line with the right rule, or flagged by the quality suite, unless the row is of a person
whose opt-out is in force (such rows never enter the lake); clean rows are never
quarantined, and counts reconcile."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from deltalake import DeltaTable

from common.settings import Settings
from jobs import optout_registry, pipeline
from synthetic.generate import generate
from tests.lake_scan import files_containing

pytestmark = pytest.mark.slow(minutes=2)

RUN = datetime(2026, 2, 1, tzinfo=UTC)
DATES = {"malformed_date": "invalid_date", "impossible_date": "invalid_date"}
ROWS = {
    "wrong_column_count": "malformed_row",
    "non_utf8": "invalid_encoding",
    "niss_in_free_field": "leaked_niss",
    "duplicate_key": "duplicate_key",
}
RULE_OF_FAULT = {
    "population.csv": {**DATES, **ROWS, "unknown_code": "unknown_code"},
    "claims.csv": {**DATES, **ROWS, "unknown_code": "unknown_code", "negative_amount": "negative_amount"},
    "pharmacy.csv": {**DATES, **ROWS, "unknown_code": "unknown_code", "negative_amount": "negative_amount"},
    "hospital_stays.csv": {
        **DATES,
        **ROWS,
        "unknown_code": "unknown_code",
        "discharge_before_admission": "dates_out_of_order",
    },
    "lab_results.csv": {**DATES, **ROWS, "unknown_code": "unknown_code"},
    "clinical_notes.csv": {**DATES, **ROWS, "unknown_code": "unknown_value"},
    "wellness.csv": {**DATES, **ROWS, "negative_amount": "negative_value"},
    "optout.csv": {
        "malformed_date": "invalid_timestamp",
        "impossible_date": "invalid_timestamp",
        "unknown_code": "unknown_value",
        "niss_in_free_field": "leaked_niss",
        "wrong_column_count": "malformed_row",
        "non_utf8": "invalid_encoding",
    },
}
# Without a key, a repeated row is no error of its own: the suite's uniqueness flags it.
FLAGGED_ONLY = {("claims.csv", "duplicate_key"), ("optout.csv", "duplicate_key")}


def quarantined(settings: Settings, source: str) -> dict[int, str]:
    table = DeltaTable(str(settings.lake / "quarantine" / source)).to_pyarrow_table()
    return dict(zip(table.column("source_line").to_pylist(), table.column("rule").to_pylist(), strict=True))


def lines_of(path: Path, people: set[str]) -> set[int]:
    """The lines of a delivered file (header on line 1) whose ``pid`` is one of ``people``,
    read as the pipeline reads them: comma-separated, undecodable bytes replaced."""
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        rows = list(csv.reader(handle))
    at = rows[0].index("pid")
    return {line for line, row in enumerate(rows[1:], 2) if len(row) > at and row[at] in people}


def test_planted_faults_are_caught_where_they_are(spark, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate(landing, 250, 5, faults=True)
    with (landing / "truth" / "faults.csv").open() as handle:
        faults = [f for f in csv.DictReader(handle) if f["file"] in RULE_OF_FAULT]
    settings = Settings(home=tmp_path / "var")
    ingested = pipeline.ingest(settings, landing, "run-1", RUN)
    refined = pipeline.refine(settings, ingested, "run-1", RUN)
    # The delivery's own opt-out feed is in force before its sources load.
    out = set(optout_registry.in_force(settings))
    assert out
    # Their rows never entered the lake: no bronze file of any version holds their pid,
    # before any erasure ran.
    assert files_containing(settings.lake / "bronze", out) == {}

    left_out: dict[str, set[int]] = {}
    for file, rules in RULE_OF_FAULT.items():
        left_out[file] = set() if file == "optout.csv" else lines_of(landing / file, out)
        # A repeated key repeats the line above's: with that line left out, it is no repeat.
        planted = [
            f
            for f in faults
            if f["file"] == file
            and int(f["line"]) not in left_out[file]
            and not (f["kind"] == "duplicate_key" and int(f["line"]) - 1 in left_out[file])
        ]
        expected = {
            int(f["line"]): rules[f["kind"]] for f in planted if (file, f["kind"]) not in FLAGGED_ONLY
        }
        assert expected, f"the generator planted no row fault in {file}"
        assert quarantined(settings, file.removesuffix(".csv")) == expected
    # Some planted faults are in rows of people who opted out: those rows were left out.
    assert any(int(f["line"]) in left_out[f["file"]] for f in faults if f["file"] in left_out), (
        "no planted fault in a row of someone who opted out: the seed no longer tests it"
    )

    duplicates = [f for f in faults if f["file"] == "claims.csv" and f["kind"] == "duplicate_key"]
    assert duplicates
    record = (settings.home / "quality" / "claims" / "latest.json").read_text()
    outcomes = {o["name"]: o for o in json.loads(record)["validation"]["outcomes"]}
    unique = next(o for name, o in outcomes.items() if name.startswith("expect_compound_columns"))
    # Each duplicated row and its original count as unexpected.
    assert unique["unexpected_count"] >= 2 * len(duplicates)
    for file in RULE_OF_FAULT:
        figures = refined[file.removesuffix(".csv")]
        assert figures["quarantined"] == len(quarantined(settings, file.removesuffix(".csv")))
        if file != "optout.csv":
            assert figures["dropped_by_optout"] == len(left_out[file])
            assert figures["read"] == (
                figures["loaded"]
                + figures["quarantined"]
                + figures["dropped_by_optout"]
                + figures["held_by_gate"]
            )
