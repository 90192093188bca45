"""Spark de-identification of a text column equals the Python function, row for row."""

from __future__ import annotations

import pytest
from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

from pseudonymisation.errors import DeidentificationError
from pseudonymisation.spark_text import deidentify_column
from pseudonymisation.text import deidentify

ROWS = [
    (1, "fr", "Patient Jean Dupont, né le 12/03/1957, NISS 85.07.30-033.28. Metformine 850 mg."),
    (2, "nl", "Dhr. Peeters woont in de Kerkstraat 12 bus 3, gsm 0470 12 34 56."),
    (3, "en", "Mrs Sarah Jones, born March 12, 1957. Lisinopril 10 mg."),
    (4, "fr", None),
    (5, "es", "Sr. Jean Dupont, nacido el 12/03/1957."),
    (6, None, "Jean Dupont"),
    (7, "en", "No identifiers here: HbA1c 7.2 %."),
    (8, "de", "Herr Jean Dupont, geboren am 12/03/1957."),
]


def test_spark_column_matches_python_per_row(spark: SparkSession) -> None:
    df = spark.createDataFrame(ROWS, "id int, lang string, note string").repartition(2)
    got = df.select("id", deidentify_column("note", "lang").alias("note"))
    expected_rows = [
        (i, deidentify(t, lang) if t is not None and lang in ("fr", "nl", "en", "de") else None)
        for i, lang, t in ROWS
    ]
    expected = spark.createDataFrame(expected_rows, "id int, note string")
    assertDataFrameEqual(got, expected)
    # Unknown and missing languages fail closed; placeholders are typed.
    by_id = {r["id"]: r["note"] for r in got.collect()}
    assert by_id[5] is None and by_id[6] is None
    assert by_id[1] is not None and "<NISS>" in by_id[1] and "<PERSON>" in by_id[1]
    assert by_id[8] == "Herr <PERSON>, geboren am <DATE>."


def test_one_language_for_every_row(spark: SparkSession) -> None:
    df = spark.createDataFrame([(1, "Tél 0470/12.34.56"), (2, None)], "id int, note string")
    got = df.select("id", deidentify_column("note", "fr").alias("note"))
    assertDataFrameEqual(got, spark.createDataFrame([(1, "Tél <PHONE>"), (2, None)], "id int, note string"))


def test_a_failing_batch_raises_without_quoting_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    from pseudonymisation import spark_text

    class Broken:
        def deidentify_batch(self, texts: list[str], language: str) -> list[str]:
            raise ValueError(f"cannot parse {texts[0]}")

    # The UDF takes the engine from its module when it runs (the driver never imports it).
    monkeypatch.setattr("pseudonymisation.engine.get_engine", lambda: Broken())
    batches = iter([(pd.Series(["Jean Dupont 85073003328"]), pd.Series(["fr"]))])
    with pytest.raises(DeidentificationError) as info:
        next(spark_text._deidentify_batches.func(batches))  # type: ignore[attr-defined]
    assert "Dupont" not in str(info.value) and "85073003328" not in str(info.value)
    assert "ValueError" in str(info.value)
