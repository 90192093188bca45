"""Opt-out enforcement through the pipeline's stages, in-process on the shared Spark:
silver always loses the person; the permit dataset follows the policy."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from deltalake import DeltaTable

from catalog.permits import DEMO_PERMIT
from common.settings import OptOutPolicy, Settings
from jobs import pipeline
from pseudonymisation import pseudonym_of
from synthetic.generate import generate
from tests.lake_scan import files_containing

RUN = datetime(2026, 2, 1, tzinfo=UTC)


def run_stages(settings: Settings, landing: Path, run_id: str) -> dict:
    ingested = pipeline.ingest(settings, landing, run_id, RUN)
    refined = pipeline.refine(settings, ingested, run_id, RUN)
    erased = pipeline.erase_opted_out(settings)
    published = pipeline.publish(settings)
    pipeline.vacuum_lake(settings)
    return {"refined": refined, "erased": erased, "published": published}


def ids(table: Path, column: str) -> set[str]:
    return set(DeltaTable(str(table)).to_pyarrow_table(columns=[column]).column(column).to_pylist())


@pytest.mark.parametrize("policy", [OptOutPolicy.STRICT, OptOutPolicy.REGULATION])
def test_a_later_opt_out_reaches_silver_always_and_the_permit_per_policy(
    spark, tmp_path: Path, policy: OptOutPolicy
) -> None:
    settings = Settings(home=tmp_path / "var", optout_policy=policy)
    first = tmp_path / "delivery-1"
    generate(first, 60, 3)
    run_stages(settings, first, "run-1")

    with (first / "claims.csv").open() as handle:
        claims_pids = sorted({r["pid"] for r in csv.DictReader(handle)})
    lake = settings.lake
    permit_table = lake / "permits" / DEMO_PERMIT.permit_id / "claims"
    person = next(p for p in claims_pids
                  if pseudonym_of(p, DEMO_PERMIT.permit_id, settings) in ids(permit_table, "person_id"))

    second = tmp_path / "delivery-2"
    second.mkdir()
    (second / "optout.csv").write_text(
        "pid,event_time,action,channel\n" f"{person},2026-01-31T09:00:00Z,optout,phone\n")
    result = run_stages(settings, second, "run-2")

    platform = pseudonym_of(person, "platform", settings)
    in_permit = pseudonym_of(person, DEMO_PERMIT.permit_id, settings)
    assert platform not in ids(lake / "silver" / "claims", "person_id")
    assert result["erased"]["rows_erased"]["silver/claims"] > 0
    if policy is OptOutPolicy.STRICT:
        assert in_permit not in ids(permit_table, "person_id")
        # Nothing under the lake holds any of the person's pseudonyms any more, but the
        # opt-out feed itself (the registry's input, kept in bronze/optout for now).
        hits = files_containing(lake, [person, platform, in_permit])
        assert {h: [f for f in files if not f.startswith("bronze/optout")]
                for h, files in hits.items()} == {person: []} or person not in hits
        assert all(f.startswith("bronze/optout") for files in hits.values() for f in files)
    else:
        assert result["published"] == {DEMO_PERMIT.permit_id: {"frozen": True}}
        assert in_permit in ids(permit_table, "person_id")
