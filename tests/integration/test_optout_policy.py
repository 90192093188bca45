"""Opt-out enforcement through the pipeline's stages, in-process on the shared Spark:
the feed goes to the registry (never the lake), silver always loses the person, the permit
dataset follows the policy, a withdrawal lets the person back in, and a crash half-way
through erasure is finished by the next run of the opt-out stages."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from deltalake import DeltaTable

from catalog.db.engine import close_all, open_catalog
from catalog.db.store import SqlStore
from catalog.demo import DEMO_PERMIT_ID
from catalog.optout import registry
from catalog.optout.vocabulary import OptOutSource
from common.settings import OptOutPolicy, Settings
from jobs import optout_registry, permit_datasets, pipeline, publishing
from pseudonymisation import pseudonym_of
from synthetic.generate import generate
from tests.lake_scan import files_containing

# Every test here works on the demonstration (demo users, the demo permit over claims only).
pytestmark = [pytest.mark.slow(minutes=5), pytest.mark.usefixtures("demo_claims_only")]

RUN = datetime(2026, 2, 1, tzinfo=UTC)


def run_stages(settings: Settings, landing: Path, run_id: str) -> dict:
    """The stages in the order the DAGs run them: haven_ingest (ingest, refine, erase,
    vacuum), then haven_publish (publish, sweep, vacuum), which the scheduler starts once the
    silver Assets changed. tests/integration/test_erasure_through_dags.py runs the DAGs."""
    ingested = pipeline.ingest(settings, landing, run_id, RUN)
    refined = pipeline.refine(settings, ingested, run_id, RUN)
    erased = pipeline.erase_opted_out(settings)
    pipeline.vacuum_lake(settings)
    published = pipeline.publish(settings)
    publishing.sweep(settings)
    publishing.vacuum(settings)
    return {"refined": refined, "erased": erased, "published": published}


def optout_stages(settings: Settings) -> None:
    """What the haven_optout DAG runs: erase, publish, vacuum."""
    pipeline.erase_opted_out(settings)
    pipeline.publish(settings)
    pipeline.vacuum_lake(settings)


def ids(table: Path, column: str) -> list[str]:
    return DeltaTable(str(table)).to_pyarrow_table(columns=[column]).column(column).to_pylist()


# Delivery 1 is the same for every test (same people, same run time): it runs once per
# policy in this module, and each test starts from a copy of what it left.
_DELIVERED: dict[OptOutPolicy, tuple[Path, Path, str]] = {}


@pytest.fixture(scope="module")
def delivered_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("delivery-1")


def _deliver(settings: Settings, root: Path) -> tuple[Path, Path, str]:
    """Run delivery 1 in a home of its own, started from this test's demonstration catalogue,
    and pick a person with claims in the demo permit."""
    home = root / settings.optout_policy.value / "var"
    shutil.copytree(settings.home, home)
    template = Settings(home=home, optout_policy=settings.optout_policy)
    first = root / settings.optout_policy.value / "landing"
    generate(first, 60, 3)
    # Opt-out reaches every source the same way; claims (with population) stand for all of
    # them here and keep the test short. tests/e2e runs the whole delivery.
    for extract in first.glob("*.csv"):
        if extract.stem not in ("population", "claims", "optout"):
            extract.unlink()
    run_stages(template, first, "run-1")
    close_all()
    with (first / "claims.csv").open() as handle:
        claims_pids = sorted({r["pid"] for r in csv.DictReader(handle)})
    permit_ids = set(ids(permit_table(template), "person_id"))
    person = next(p for p in claims_pids if pseudonym_of(p, DEMO_PERMIT_ID, template) in permit_ids)
    return home, first, person


def first_delivery(settings: Settings, root: Path) -> tuple[Path, str]:
    """This test's home as delivery 1 left it; the delivery's folder and a person with claims
    in the demo permit."""
    if settings.optout_policy not in _DELIVERED:
        _DELIVERED[settings.optout_policy] = _deliver(settings, root)
    home, first, person = _DELIVERED[settings.optout_policy]
    close_all()
    shutil.rmtree(settings.home)
    shutil.copytree(home, settings.home)
    return first, person


def permit_table(settings: Settings) -> Path:
    return settings.lake / "permits" / DEMO_PERMIT_ID / "claims"


def claims_of(landing: Path, pid: str) -> int:
    with (landing / "claims.csv").open() as handle:
        return sum(1 for r in csv.DictReader(handle) if r["pid"] == pid)


@pytest.mark.parametrize("policy", [OptOutPolicy.STRICT, OptOutPolicy.REGULATION])
def test_a_later_opt_out_reaches_silver_always_and_the_permit_per_policy(
    spark, tmp_path: Path, delivered_root: Path, policy: OptOutPolicy
) -> None:
    settings = Settings(home=tmp_path / "var", optout_policy=policy)
    first, person = first_delivery(settings, delivered_root)
    second = tmp_path / "delivery-2"
    second.mkdir()
    (second / "optout.csv").write_text(
        "pid,event_time,action,channel\n"
        f"{person},2026-01-31T09:00:00Z,optout,phone\n"
        f"{person},2026-01-31T09:00:00Z,optout,phone\n"  # an exact duplicate: recorded once
        "someone,31/01/2026,optout,online\n"
    )  # malformed: quarantined, not recorded
    result = run_stages(settings, second, "run-2")

    lake = settings.lake
    platform = pseudonym_of(person, "platform", settings)
    in_permit = pseudonym_of(person, DEMO_PERMIT_ID, settings)
    assert result["refined"]["optout"] == {
        "read": 3,
        "loaded": 2,
        "quarantined": 1,
        "dropped_by_optout": 0,
        "persons_dropped_by_optout": 0,
        "held_by_gate": 0,
        "registry_recorded": 1,
        "registry_duplicates": 1,
        "quality": "not gated",
    }
    assert optout_registry.in_force(settings)[person] == datetime(2026, 1, 31, 9, tzinfo=UTC)
    assert platform not in ids(lake / "silver" / "claims", "person_id")
    assert result["erased"]["rows_erased"]["silver/claims"] == claims_of(first, person)
    assert result["erased"]["rows_erased"]["bronze/claims"] == claims_of(first, person)
    assert not (lake / "bronze" / "optout").exists()  # the feed never enters the lake
    if policy is OptOutPolicy.STRICT:
        assert in_permit not in ids(permit_table(settings), "person_id")
        # Nothing under the lake holds the person's pid or any of their pseudonyms: current
        # files, old versions, change data, logs and the quarantine alike.
        assert files_containing(lake, [person, platform, in_permit]) == {}
    else:
        assert result["published"] == {DEMO_PERMIT_ID: {"frozen": True}}
        assert in_permit in ids(permit_table(settings), "person_id")
        assert files_containing(lake, [person, platform]) == {}

    with open_catalog(settings).session() as session:
        entries = SqlStore(session).audit_entries()
    erasures = [e.details for e in entries if e.action == "optout.erased"]
    erased = result["erased"]["rows_erased"]
    assert erasures[-1] == {
        "persons_in_force": len(optout_registry.in_force(settings)),
        "rows_erased": sum(erased.values()),
        **erased,
    }
    assert not any(person in repr(e) for e in entries)


def test_withdrawal_lets_the_person_back_in_at_the_next_delivery(
    spark, tmp_path: Path, delivered_root: Path
) -> None:
    settings = Settings(home=tmp_path / "var")
    first, person = first_delivery(settings, delivered_root)
    second = tmp_path / "delivery-2"
    second.mkdir()
    (second / "optout.csv").write_text(
        f"pid,event_time,action,channel\n{person},2026-01-31T09:00:00Z,optout,online\n"
    )
    run_stages(settings, second, "run-2")
    platform = pseudonym_of(person, "platform", settings)
    assert platform not in ids(settings.lake / "silver" / "claims", "person_id")

    third = tmp_path / "delivery-3"
    third.mkdir()
    shutil.copy(first / "claims.csv", third / "claims.csv")  # the TTP delivers their claims again
    (third / "optout.csv").write_text(
        f"pid,event_time,action,channel\n{person},2026-02-01T08:00:00Z,withdrawal,desk\n"
    )
    result = run_stages(settings, third, "run-3")

    assert person not in optout_registry.in_force(settings)
    with (first / "claims.csv").open() as handle:
        still_out = {r["pid"] for r in csv.DictReader(handle)} & set(optout_registry.in_force(settings))
    assert result["refined"]["claims"]["persons_dropped_by_optout"] == len(still_out)
    assert ids(settings.lake / "silver" / "claims", "person_id").count(platform) == claims_of(first, person)
    assert pseudonym_of(person, DEMO_PERMIT_ID, settings) in ids(permit_table(settings), "person_id")


def test_a_crash_half_way_through_erasure_is_finished_by_the_next_run(
    spark, tmp_path: Path, delivered_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(home=tmp_path / "var")
    _, person = first_delivery(settings, delivered_root)
    event = registry.make_event(
        pid=person,
        action="optout",
        event_time=datetime(2026, 2, 2, tzinfo=UTC),
        channel="desk",
        agent="desk-4",
        source="cli",
    )
    with open_catalog(settings).session() as session:
        registry.record(SqlStore(session), [event], actor="desk-4", source=OptOutSource.CLI)
    platform = pseudonym_of(person, "platform", settings)
    in_permit = pseudonym_of(person, DEMO_PERMIT_ID, settings)

    # The opt-out run erases silver, then dies while rebuilding the permit dataset.
    erased = pipeline.erase_opted_out(settings)
    assert erased["rows_erased"]["silver/claims"] > 0

    def crash(*args: object, **kwargs: object) -> int:
        raise RuntimeError("worker lost")

    with monkeypatch.context() as patched:
        patched.setattr(permit_datasets, "write", crash)
        with pytest.raises(RuntimeError, match="worker lost"):
            pipeline.publish(settings)
    assert platform not in ids(settings.lake / "silver" / "claims", "person_id")
    assert in_permit in ids(permit_table(settings), "person_id")  # not erased yet
    assert set(files_containing(settings.lake, [platform, in_permit])) == {platform, in_permit}

    optout_stages(settings)  # the next run of haven_optout
    assert files_containing(settings.lake, [person, platform, in_permit]) == {}
    assert in_permit not in ids(permit_table(settings), "person_id")
    again = pipeline.erase_opted_out(settings)  # and once more: nothing left to do
    assert sum(again["rows_erased"].values()) == 0
    for version in range(DeltaTable(str(permit_table(settings))).version()):
        try:
            old = (
                DeltaTable(str(permit_table(settings)), version=version)
                .to_pyarrow_table()
                .column("person_id")
                .to_pylist()
            )
        except Exception:  # the files of that version are gone: time travel fails, as it should
            old = []
        assert in_permit not in old
