"""Keys never appear in a Spark plan: the JVM keyed hash gets a key's folder, scope and id only."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from pseudonymisation.keyed_hash import hmac_column
from tests.factories import make_key

_BLOCK = 64  # SHA-256 block size: HMAC pads the key to it


def _plans(df: DataFrame) -> str:
    """Every plan Spark can print for ``df``: parsed, analysed, optimised, physical, codegen."""
    execution = df._jdf.queryExecution()
    utils = df.sparkSession._jvm.PythonSQLUtils
    return "\n".join(
        [
            execution.toString(),
            *(utils.explainString(execution, mode) for mode in ("extended", "codegen", "formatted")),
        ]
    )


def _material(secret: bytes) -> list[str]:
    padded = secret.ljust(_BLOCK, b"\x00")
    pads = [bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)]
    # 16 bytes are enough to recognise each, however a plan wraps or abbreviates the rest.
    return [secret[:16].hex(), *(pad[:16].hex() for pad in pads)]


def test_plans_hold_neither_the_key_nor_its_pads(spark: SparkSession) -> None:
    key = make_key(fill=0xA7)
    df = spark.createDataFrame([("p1",), (None,)], "pid string").select(
        hmac_column(key, "pid").alias("person_id")
    )
    df.collect()  # the executed plan too
    plans = _plans(df).lower()
    assert "haven_hmac" in plans and key.key_id in plans
    for material in _material(key.secret):
        assert material not in plans


def test_the_plan_check_sees_key_material_when_it_is_there(spark: SparkSession) -> None:
    # The check above would pass vacuously if plans abbreviated binary literals; they do not.
    key = make_key(fill=0xA7)
    inner = _material(key.secret)[1]
    df = spark.createDataFrame([("p1",)], "pid string").select(
        F.sha2(F.concat(F.lit(bytes.fromhex(inner) * 4), F.col("pid").cast("binary")), 256)
    )
    assert inner in _plans(df).lower()
