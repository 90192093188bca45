"""Permit publishing end to end on real Delta tables: silver built directly with Spark (the
silver contract: source columns, ``person_id``, lineage columns), permits from a real
catalogue, one ``publish`` run shared by the tests of this module."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.testing import assertDataFrameEqual

from catalog.db.engine import open_catalog
from catalog.db.store import SqlStore
from catalog.errors import PermitDenied
from catalog.permits import service
from catalog.permits.applications import parse_application
from catalog.permits.domain import RequestedDataset
from common.layout import LakeLayout, Zone
from common.settings import Settings
from jobs import publishing
from jobs.permit_datasets import PATIENT_ENTERED_COMMENT
from pseudonymisation import pseudonym_of
from spe.differencing_history import forget_ended, history_path
from spe.schema import permit_schema
from spe.service import run_permit_query
from tests.catalog.factories import application_data, describe_lake, make_world
from tests.factories import permit_builds

PIDS = [f"p{i:02d}" for i in range(1, 16)]  # p01-p12 adults, p13-p15 children
JUSTIFIED = {
    "data_form": "pseudonymised",
    "justification": "A stable person pseudonym is needed to follow people over time.",
}
PERMITS: dict[str, dict[str, Any]] = {
    "anon-adults": {"cohort_rules": {"age": {"min": 18}}},
    "anon-k15": {"cohort_rules": {"age": {"min": 18}}, "anonymisation": {"k": 15}},
    "pseudo-women": {"cohort_rules": {"sex": ["F"]}, **JUSTIFIED},
    "needs-pharmacy": {"cohort_rules": {"codes": [{"source": "pharmacy", "prefixes": ["J01"]}]}},
    "anon-old-ids": {},  # granted before ids were refused for anonymised data (see the fixture)
    "anon-old-text": {},  # granted before free text was refused for anonymised data
    "pseudo-multi": {
        "datasets": [
            {"name": "population", "variables": ["birth_year", "sex"]},
            {"name": "claims", "variables": ["nomenclature_code", "service_date"]},
            {"name": "clinical_notes", "variables": ["note_date", "text"]},
            {"name": "wellness", "variables": ["day", "steps"]},
        ],
        **JUSTIFIED,
    },
}
NOTES = 4  # the first four people have a (de-identified) note in silver


@dataclass(frozen=True)
class World:
    settings: Settings
    lake: LakeLayout
    published: dict[str, dict[str, Any]]


def silver_population(spark: SparkSession, settings: Settings) -> DataFrame:
    rows = [
        (
            pseudonym_of(pid, "platform", settings),
            1980 if n < 12 else 2015,
            6,
            "F" if n % 2 == 0 else "M",
            "2000",
            "11000",
            "10000",
            "100",
            False,
            None,
            "e1",
            "r1",
        )
        for n, pid in enumerate(PIDS)
    ]
    return spark.createDataFrame(
        rows,
        (
            "person_id string, birth_year int, birth_month int, sex string, postcode string, "
            "arrondissement string, province string, insurer string, increased_reimbursement boolean, "
            "death_date date, _extract_id string, _run_id string"
        ),
    )


def silver_claims(spark: SparkSession, settings: Settings) -> DataFrame:
    rows = [
        (
            pseudonym_of(pid, "platform", settings),
            "101010",
            date(2025, 3, 1 + n),
            "GP",
            "PRV1",
            "",
            Decimal("20.00"),
            Decimal("2.00"),
            Decimal("0.00"),
            "e1",
            "r1",
        )
        for n, pid in enumerate(PIDS)
    ]
    # Outside every permit's period: never published.
    rows.append(
        (
            pseudonym_of(PIDS[0], "platform", settings),
            "102012",
            date(2024, 12, 31),
            "GP",
            "PRV1",
            "",
            Decimal("9.00"),
            Decimal("1.00"),
            Decimal("0.00"),
            "e1",
            "r1",
        )
    )
    return spark.createDataFrame(
        rows,
        (
            "person_id string, nomenclature_code string, service_date date, provider_type string, "
            "provider_id string, institution_id string, amount_reimbursed decimal(12,2), "
            "amount_copay decimal(12,2), amount_supplement decimal(12,2), _extract_id string, _run_id string"
        ),
    )


def silver_notes(spark: SparkSession, settings: Settings) -> DataFrame:
    rows = [
        (
            f"n{n}",
            f"s{n}",
            pseudonym_of(pid, "platform", settings),
            date(2025, 4, 1 + n),
            "discharge_letter",
            "fr",
            "Patient <PERSON> sorti le <DATE>.",
            "e1",
            "r1",
        )
        for n, pid in enumerate(PIDS[:NOTES])
    ]
    return spark.createDataFrame(
        rows,
        (
            "note_id string, stay_id string, person_id string, note_date date, note_type string, "
            "language string, text string, _extract_id string, _run_id string"
        ),
    )


def silver_wellness(spark: SparkSession, settings: Settings) -> DataFrame:
    rows = [
        (
            pseudonym_of(pid, "platform", settings),
            date(2025, 5, 1 + n),
            5000 + n,
            420,
            60,
            "watch",
            True,
            "e1",
            "r1",
        )
        for n, pid in enumerate(PIDS[:NOTES])
    ]
    return spark.createDataFrame(
        rows,
        (
            "person_id string, day date, steps int, sleep_minutes int, resting_heart_rate int, "
            "source_app string, patient_entered boolean, _extract_id string, _run_id string"
        ),
    )


@pytest.fixture(scope="module")
def world(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> World:
    settings = Settings(home=tmp_path_factory.mktemp("publishing") / "var")
    lake = LakeLayout(settings.lake)
    silver_population(spark, settings).write.format("delta").save(str(lake.table(Zone.SILVER, "population")))
    silver_claims(spark, settings).write.format("delta").save(str(lake.table(Zone.SILVER, "claims")))
    silver_notes(spark, settings).write.format("delta").save(str(lake.table(Zone.SILVER, "clinical_notes")))
    silver_wellness(spark, settings).write.format("delta").save(str(lake.table(Zone.SILVER, "wellness")))
    with open_catalog(settings).session() as session:
        store = SqlStore(session)
        people = make_world(store)
        describe_lake(store)
        for permit_id, terms in PERMITS.items():
            spec = parse_application(application_data(applicant="rita", **terms))
            service.apply(store, people["rita"], spec, application_id=permit_id)
            service.decide(store, people["sam"], permit_id, approve=True, reason="Permitted purpose.")
        # Applications can no longer ask for provider ids in anonymised form; an older permit can.
        old = store.get_application("anon-old-ids")
        store.update_application(
            replace(
                old,
                datasets=(RequestedDataset("claims", ("nomenclature_code", "service_date", "provider_id")),),
            )
        )
        old = store.get_application("anon-old-text")
        store.update_application(
            replace(old, datasets=(RequestedDataset("clinical_notes", ("note_date", "text")),))
        )
    # What an earlier build left, when k was still reached: a refusal must not leave it in use.
    stale = lake.permit_table("anon-k15", "claims")
    stale.mkdir(parents=True)
    (stale / "part-0000.parquet").write_bytes(b"PAR1")
    return World(settings, lake, publishing.publish(settings))


def read(spark: SparkSession, path: Path) -> DataFrame:
    return spark.read.format("delta").load(str(path))


def test_an_anonymised_permit_gets_its_cohort_generalised_without_a_person_column(
    spark: SparkSession,
    world: World,
) -> None:
    assert world.published["anon-adults"] == {"claims": 12}
    got = read(spark, world.lake.permit_table("anon-adults", "claims"))
    # Twelve adults, service dates generalised to the month, no person pseudonym at all: only
    # a row number, unique, for the SPE's disclosure control.
    assert got.columns == ["row_id", "nomenclature_code", "service_date"]
    assert got.select("row_id").distinct().count() == 12
    expected = spark.createDataFrame(
        [("101010", date(2025, 3, 1))] * 12, "nomenclature_code string, service_date date"
    )
    assertDataFrameEqual(got.drop("row_id"), expected)
    # The SPE counts its records (it has no persons) under the same disclosure control.
    sql = "SELECT service_date, count(*) AS n FROM claims GROUP BY service_date"
    result = run_permit_query("anon-adults", "rita", sql, world.settings).result
    assert (result.status, result.unit, result.rows) == ("ok", "records", [[date(2025, 3, 1), 12]])


def test_record_and_provider_ids_never_reach_an_anonymised_dataset(world: World) -> None:
    assert world.published["anon-old-ids"] == {
        "refused": "record or provider ids approved for anonymised data; report in the catalogue"
    }
    assert not world.lake.permit_dir("anon-old-ids").exists()
    [build] = permit_builds(world.settings, "anon-old-ids")
    assert (build.outcome, build.report) == (
        "refused",
        {
            "rule": "identifiers",
            "previous_workspace_removed": False,
            "datasets": {"claims": {"identifiers": ["provider_id"]}},
        },
    )


def test_free_text_never_reaches_an_anonymised_dataset(world: World) -> None:
    assert world.published["anon-old-text"] == {
        "refused": "free text approved for anonymised data; report in the catalogue"
    }
    assert not world.lake.permit_dir("anon-old-text").exists()
    [build] = permit_builds(world.settings, "anon-old-text")
    assert build.report == {
        "rule": "free_text",
        "previous_workspace_removed": False,
        "datasets": {"clinical_notes": {"free_text": ["text"]}},
    }


def test_a_permit_over_several_datasets_gets_each_and_joins_them_on_the_person(
    spark: SparkSession, world: World
) -> None:
    assert world.published["pseudo-multi"] == {
        "population": 15,
        "claims": 15,
        "clinical_notes": NOTES,
        "wellness": NOTES,
    }
    settings = world.settings
    population = read(spark, world.lake.permit_table("pseudo-multi", "population"))
    # The population has no event date: the permit's period does not apply to it.
    expected = spark.createDataFrame(
        [
            (
                pseudonym_of(pid, "pseudo-multi", settings),
                1980 if n < 12 else 2015,
                "F" if n % 2 == 0 else "M",
            )
            for n, pid in enumerate(PIDS)
        ],
        "person_id string, birth_year int, sex string",
    )
    assertDataFrameEqual(population, expected)
    notes = read(spark, world.lake.permit_table("pseudo-multi", "clinical_notes"))
    expected_notes = spark.createDataFrame(
        [
            (
                pseudonym_of(pid, "pseudo-multi", settings),
                date(2025, 4, 1 + n),
                "Patient <PERSON> sorti le <DATE>.",
            )
            for n, pid in enumerate(PIDS[:NOTES])
        ],
        "person_id string, note_date date, text string",
    )
    assertDataFrameEqual(notes, expected_notes)
    sql = (
        "SELECT count(DISTINCT c.person_id) AS persons FROM claims c "
        "JOIN population p ON p.person_id = c.person_id WHERE p.birth_year = 1980"
    )
    result = run_permit_query("pseudo-multi", "rita", sql, settings).result
    assert (result.status, result.rows) == ("ok", [[12]])


def test_the_schema_listing_shows_each_table_and_that_wellness_is_patient_entered(world: World) -> None:
    tables = {t.name: t for t in permit_schema("pseudo-multi", "rita", world.settings)}
    assert sorted(tables) == ["claims", "clinical_notes", "population", "wellness"]
    wellness = tables["wellness"]
    assert (wellness.title, wellness.patient_entered) == ("Wellness data entered by people themselves", True)
    assert [(c.name, c.type) for c in wellness.columns] == [
        ("person_id", "string"),
        ("day", "date"),
        ("steps", "integer"),
        ("patient_entered", "boolean"),
    ]
    assert wellness.columns[-1].description == PATIENT_ENTERED_COMMENT
    assert not tables["claims"].patient_entered
    assert [c.description for c in tables["clinical_notes"].columns] == [
        "the permit's own pseudonym of the person: joins this permit's tables, nothing else",
        "date the note was written",
        "free text of the note, de-identified: names, national numbers, addresses and other identifiers "
        "replaced by tags such as <PERSON>",
    ]
    with pytest.raises(PermitDenied):
        permit_schema("pseudo-multi", "ruben", world.settings)
    with open_catalog(world.settings).session() as session:
        listed = [
            (e.actor, e.details["status"])
            for e in SqlStore(session).audit_entries()
            if e.action == "spe.schema_listed"
        ]
    assert listed == [("rita", "ok"), ("ruben", "denied")]


def test_a_pseudonymised_permit_gets_only_its_cohort_with_permit_pseudonyms(
    spark: SparkSession,
    world: World,
) -> None:
    got = read(spark, world.lake.permit_table("pseudo-women", "claims"))
    women = [(n, pid) for n, pid in enumerate(PIDS) if n % 2 == 0]
    expected = spark.createDataFrame(
        [
            (pseudonym_of(pid, "pseudo-women", world.settings), "101010", date(2025, 3, 1 + n))
            for n, pid in women
        ],
        "person_id string, nomenclature_code string, service_date date",
    )
    assertDataFrameEqual(got, expected)


def test_below_k_the_permit_gets_nothing_and_the_steward_a_report(world: World) -> None:
    assert world.published["anon-k15"] == {"refused": "k-anonymity not reached; report in the catalogue"}
    assert not world.lake.permit_dir("anon-k15").exists()
    [build] = permit_builds(world.settings, "anon-k15")
    assert (build.outcome, build.report) == (
        "refused",
        {
            "rule": "k_anonymity",
            "required_k": 15,
            "previous_workspace_removed": True,
            "datasets": {
                "claims": {"smallest_class": 12, "classes_below_k": 1, "quasi_identifiers": ["service_date"]}
            },
        },
    )
    with open_catalog(world.settings).session() as session:
        [entry] = [
            e
            for e in SqlStore(session).audit_entries()
            if e.action == "permit.build_refused" and e.object_id == "anon-k15"
        ]
    assert (entry.object_id, entry.details["datasets.claims.smallest_class"]) == ("anon-k15", 12)


def test_a_missing_silver_table_skips_that_permit_with_the_reason(world: World) -> None:
    assert world.published["needs-pharmacy"] == {"skipped": "silver pharmacy does not exist yet"}
    assert not world.lake.permit_dir("needs-pharmacy").exists()


def test_each_dataset_written_records_the_silver_and_output_versions(
    spark: SparkSession,
    world: World,
) -> None:
    [build] = permit_builds(world.settings, "anon-adults")
    output = DeltaTable.forPath(spark, str(world.lake.permit_table("anon-adults", "claims")))
    last = output.history(1).first()
    assert last is not None
    assert (build.outcome, build.dataset, build.source_versions, build.output_version, build.rows) == (
        "published",
        "claims",
        {"claims": 0, "population": 0},
        int(last["version"]),
        12,
    )
    [women] = permit_builds(world.settings, "pseudo-women")
    assert women.source_versions == {"claims": 0, "population": 0}


def test_sweep_removes_a_revoked_permits_workspace_and_access_ends(world: World) -> None:
    folder = world.lake.permit_dir("pseudo-women")
    sql = "SELECT count(*) AS n FROM claims"
    assert run_permit_query("pseudo-women", "rita", sql, world.settings).result.status == "ok"
    assert history_path(world.settings, "pseudo-women").is_file()  # what the SPE released
    with open_catalog(world.settings).session() as session:
        store = SqlStore(session)
        service.revoke(store, store.get_user("sam"), "pseudo-women", reason="Results shared outside the SPE.")
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    assert publishing.sweep(world.settings) == {"pseudo-women": {"state": "revoked", "files_removed": files}}
    assert not folder.exists() and world.lake.permit_dir("anon-adults").exists()
    # The SPE forgets what an ended permit released through its own function (the sweep task runs it).
    assert history_path(world.settings, "pseudo-women").is_file()
    assert forget_ended(world.settings) == ["pseudo-women"]
    assert not history_path(world.settings, "pseudo-women").exists()
    assert [b.outcome for b in permit_builds(world.settings, "pseudo-women")] == ["published", "removed"]
    with pytest.raises(PermitDenied, match="pseudo-women is revoked and its workspace is removed"):
        run_permit_query("pseudo-women", "rita", sql, world.settings)
    assert publishing.sweep(world.settings) == {}  # nothing left to remove
