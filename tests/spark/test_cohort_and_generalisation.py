"""The pure parts of permit publishing: cohort selection, generalisation and k, wellness labels."""

from __future__ import annotations

from datetime import date

from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

from catalog.permits.grants import DatasetGrant
from catalog.permits.terms import Anonymisation, CohortRules
from common.layout import Source
from jobs import permit_datasets
from jobs.cohort_selection import select_cohort
from tests.factories import make_key

START, END = date(2025, 1, 1), date(2025, 12, 31)


def test_the_cohort_is_everyone_matching_every_criterion(spark: SparkSession) -> None:
    population = spark.createDataFrame(
        [
            ("a", 1960, 3, "F", "10000"),  # 64 at the period start, woman in Antwerp
            ("b", 1960, 3, "M", "10000"),  # a man
            ("c", 2007, 1, "F", "10000"),  # 18 on 1 January 2025: birthday month reached
            ("d", 2007, 2, "F", "10000"),  # still 17 on 1 January 2025
            ("e", 1960, 3, "F", "20001"),  # another province
            ("f", 1970, 5, "F", "10000"),  # no matching code in the period
        ],
        "person_id string, birth_year int, birth_month int, sex string, province string",
    )
    pharmacy = spark.createDataFrame(
        [
            ("a", "J01CA04", date(2025, 2, 1)),
            ("b", "J01CA04", date(2025, 2, 1)),
            ("c", "j02ac01", date(2025, 6, 1)),
            ("d", "J01CA04", date(2025, 2, 1)),
            ("e", "J01CA04", date(2025, 2, 1)),
            ("f", "J01CA04", date(2024, 12, 31)),
        ],
        "person_id string, atc_code string, delivery_date date",
    )
    stays = spark.createDataFrame(
        [
            ("a", "I10", "K21.9|E11.9", date(2025, 5, 5)),
            ("c", "E11.65", None, date(2025, 9, 1)),
            ("f", "E11.9", None, date(2025, 1, 2)),
            # b, d and e have the code too: sex, age and province exclude them.
            ("b", "E11.9", None, date(2025, 1, 2)),
            ("d", "E11.9", None, date(2025, 1, 2)),
            ("e", "E11.9", None, date(2025, 1, 2)),
        ],
        "person_id string, main_diagnosis string, secondary_diagnoses string, admission_date date",
    )
    rules = CohortRules.model_validate(
        {
            "age": {"min": 18, "max": 70},
            "sex": ["F"],
            "provinces": ["10000"],
            "codes": [
                {"source": "pharmacy", "prefixes": ["J01", "J02"]},
                {"source": "hospital_stays", "prefixes": ["E11"]},
            ],
        }
    )
    got = select_cohort(
        rules, START, END, population, {Source.PHARMACY: pharmacy, Source.HOSPITAL_STAYS: stays}
    )
    assertDataFrameEqual(got, spark.createDataFrame([("a",), ("c",)], "person_id string"))


def test_a_cohort_can_select_on_lab_results(spark: SparkSession) -> None:
    labs = spark.createDataFrame(
        [
            ("a", "2345-7", date(2025, 3, 1)),  # glucose, in the period
            ("b", "2345-7", date(2024, 12, 31)),  # before the period
            ("c", "718-7", date(2025, 3, 1)),  # another test
            ("d", "4548-4", date(2025, 7, 1)),  # HbA1c, in the period
        ],
        "person_id string, loinc_code string, sample_date date",
    )
    rules = CohortRules.model_validate(
        {"codes": [{"source": "lab_results", "prefixes": ["2345-7", "4548-4"]}]}
    )
    got = select_cohort(rules, START, END, None, {Source.LAB_RESULTS: labs})
    assertDataFrameEqual(got, spark.createDataFrame([("a",), ("d",)], "person_id string"))


def test_quasi_identifiers_are_generalised_and_k_counts_persons(spark: SparkSession) -> None:
    silver = spark.createDataFrame(
        [
            ("a", 1962, 4, "F", "2000", "11000", "10000", "100", date(2025, 3, 9)),
            ("a", 1962, 4, "F", "2000", "11000", "10000", "100", date(2025, 3, 20)),
            ("b", 1958, 11, "M", "2018", "11000", "10000", "100", date(2025, 3, 2)),
        ],
        "person_id string, birth_year int, birth_month int, sex string, postcode string, "
        "arrondissement string, province string, insurer string, valid_from date",
    )
    grant = DatasetGrant(
        name="population",
        source=Source.POPULATION,
        date_column="valid_from",
        columns=("birth_year", "birth_month", "sex", "postcode", "valid_from"),
        period_start=START,
        period_end=END,
    )
    got = permit_datasets.generalised(silver, grant, Anonymisation())
    expected = spark.createDataFrame(
        [
            ("a", "1960-1964", "F", "10000", date(2025, 3, 1)),
            ("a", "1960-1964", "F", "10000", date(2025, 3, 1)),
            ("b", "1955-1959", "M", "10000", date(2025, 3, 1)),
        ],
        "person_id string, birth_band string, sex string, province string, valid_from date",
    )
    assertDataFrameEqual(got, expected)
    # Two rows of one person are one person: the smallest class holds one person, not two.
    assert permit_datasets.check_k(got, 2) == permit_datasets.KCheck(
        k=1, quasi_identifiers=("birth_band", "sex", "province", "valid_from"), classes_below=2, persons=2
    )
    by_year = permit_datasets.generalised(silver, grant, Anonymisation(birth="year", place="arrondissement"))
    assert by_year.columns == ["person_id", "birth_year", "sex", "arrondissement", "valid_from"]


def test_wellness_data_stay_labelled_as_patient_entered(spark: SparkSession) -> None:
    silver = spark.createDataFrame(
        [("a", date(2025, 5, 1), 8000, True)],
        "person_id string, day date, steps int, patient_entered boolean",
    )
    grant = DatasetGrant(
        name="wellness",
        source=Source.WELLNESS,
        columns=("day", "steps"),
        date_column="day",
        period_start=START,
        period_end=END,
    )
    excluded = spark.createDataFrame([], "person_id string")
    pseudonymised = permit_datasets.build_dataset(silver, grant, make_key(scope="p-test"), excluded)
    anonymised = permit_datasets.generalised(silver, grant, Anonymisation()).drop("person_id")
    for df in (pseudonymised, anonymised):
        field = df.schema["patient_entered"]
        assert field.metadata == {"comment": permit_datasets.PATIENT_ENTERED_COMMENT}
    assertDataFrameEqual(
        anonymised,
        spark.createDataFrame(
            [(date(2025, 5, 1), 8000, True)], "day date, steps int, patient_entered boolean"
        ),
    )
