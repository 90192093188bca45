"""Generalisation of quasi-identifiers and k-anonymity on whole DataFrames.

(Spark-backed; kept in tests/unit by file ownership, it uses the shared session fixture.)
"""

from __future__ import annotations

from datetime import date

import pytest
from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

from pseudonymisation import generalise as G


def test_birth_dates_to_year_and_bands(spark: SparkSession) -> None:
    df = spark.createDataFrame(
        [
            ("a", date(1957, 3, 12)),
            ("b", date(1955, 1, 1)),
            ("c", date(1959, 12, 31)),
            ("d", date(2000, 2, 29)),
            ("e", None),
        ],
        "id string, born date",
    )
    got = df.select(
        "id",
        G.birth_year("born").alias("year"),
        G.birth_band("born").alias("band5"),
        G.birth_band("born", 10).alias("band10"),
    )
    expected = spark.createDataFrame(
        [
            ("a", 1957, "1955-1959", "1950-1959"),
            ("b", 1955, "1955-1959", "1950-1959"),
            ("c", 1959, "1955-1959", "1950-1959"),
            ("d", 2000, "2000-2004", "2000-2009"),
            ("e", None, None, None),
        ],
        "id string, year int, band5 string, band10 string",
    )
    assertDataFrameEqual(got, expected)


def test_band_width_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one year"):
        G.birth_band("born", 0)


@pytest.mark.parametrize(
    ("postcode", "province", "district"),
    [
        ("1000", "Brussels-Capital", "10xx"),
        ("1300", "Walloon Brabant", "13xx"),
        ("1500", "Flemish Brabant", "15xx"),
        ("2000", "Antwerp", "20xx"),
        ("3000", "Flemish Brabant", "30xx"),
        ("3500", "Limburg", "35xx"),
        ("4000", "Liège", "40xx"),
        ("5000", "Namur", "50xx"),
        ("6000", "Hainaut", "60xx"),
        ("6700", "Luxembourg", "67xx"),
        ("7000", "Hainaut", "70xx"),
        ("8000", "West Flanders", "80xx"),
        ("9000", "East Flanders", "90xx"),
        ("B-1050", "Brussels-Capital", "10xx"),
        ("0999", None, None),
        ("12345", None, None),
        ("abcd", None, None),
        (None, None, None),
    ],
)
def test_postcode_to_province_and_district(
    spark: SparkSession, postcode: str | None, province: str | None, district: str | None
) -> None:
    df = spark.createDataFrame([(postcode,)], "postcode string")
    got = df.select(G.postcode_province("postcode").alias("p"), G.postcode_district("postcode").alias("d"))
    assertDataFrameEqual(got, spark.createDataFrame([(province, district)], "p string, d string"))


def test_arrondissement_from_a_supplied_table(spark: SparkSession) -> None:
    df = spark.createDataFrame([("a", "9000"), ("b", "B-2000"), ("c", "7777")], "id string, pc string")
    mapping = spark.createDataFrame(
        [(9000, "Gent"), (2000, "Antwerpen")], "postcode int, arrondissement string"
    )
    got = G.with_arrondissement(df, "pc", mapping)
    expected = spark.createDataFrame(
        [("a", "9000", "Gent"), ("b", "B-2000", "Antwerpen"), ("c", "7777", None)],
        "id string, pc string, arrondissement string",
    )
    assertDataFrameEqual(got, expected)


def test_dates_to_month(spark: SparkSession) -> None:
    df = spark.createDataFrame([(date(2025, 3, 17),), (None,)], "d date")
    got = df.select(G.month_of("d").alias("m"))
    assertDataFrameEqual(got, spark.createDataFrame([(date(2025, 3, 1),), (None,)], "m date"))


def test_k_anonymity_is_the_smallest_equivalence_class(spark: SparkSession) -> None:
    df = spark.createDataFrame(
        [
            ("1955-1959", "Antwerp", "F"),
            ("1955-1959", "Antwerp", "F"),
            ("1955-1959", "Antwerp", "F"),
            ("1960-1964", "Namur", "M"),
            ("1960-1964", "Namur", "M"),
            (None, "Namur", "M"),
            (None, "Namur", "M"),
        ],
        "band string, province string, sex string",
    )
    assert G.k_anonymity(df, ["band", "province", "sex"]) == 2
    assert G.k_anonymity(df, ["province"]) == 3
    assert G.k_anonymity(df.where("1 = 0"), ["province"]) == 0
    classes = G.equivalence_classes(df, ["band", "province"])
    assertDataFrameEqual(
        classes,
        spark.createDataFrame(
            [("1955-1959", "Antwerp", 3), ("1960-1964", "Namur", 2), (None, "Namur", 2)],
            "band string, province string, size bigint",
        ),
    )
    below = G.rows_below_k(df, ["band", "province", "sex"], 3)
    assertDataFrameEqual(below, df.where("province = 'Namur'"))
    with pytest.raises(ValueError, match="at least one"):
        G.k_anonymity(df, [])
