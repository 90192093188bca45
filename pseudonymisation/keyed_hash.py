"""Keyed pseudonyms: HMAC-SHA-256, in Python for one value and as a JVM function in Spark.

Spark SQL has no HMAC function, so Haven ships one (``infra/udf``, built into
``haven-udf.jar`` by ``make jars``): ``haven_hmac(key_folder, scope, key_id, value)`` reads the
key from the file store on the JVM that evaluates the row and caches one initialised ``Mac``
per key and thread. The query plan holds the store folder, the scope and the key id, never
key bytes; there is no per-row Python.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from common.errors import EnvironmentProblem
from pseudonymisation.keys import Key, KeyStoreError

if TYPE_CHECKING:
    from pyspark.sql import Column, SparkSession

FUNCTION = "haven_hmac"
JVM_CLASS = "be.haven.udf.KeyedHash"


def hmac_hex(key: Key, message: str) -> str:
    """The lower-case hex HMAC-SHA-256 of ``message`` (UTF-8) under ``key``."""
    return hmac.new(key.secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


def register_keyed_hash(spark: SparkSession) -> None:
    """Make ``haven_hmac`` callable in ``spark`` (once per session; later calls do nothing)."""
    from pyspark.sql.types import StringType

    if spark.catalog.functionExists(FUNCTION):
        return
    try:
        spark.udf.registerJavaFunction(FUNCTION, JVM_CLASS, StringType())
    except Exception as exc:  # Py4J or Spark's analysis error: the class is not on the classpath
        raise EnvironmentProblem(
            "Haven's JVM keyed hash (haven-udf.jar) is not on the Spark classpath: run `make jars`."
        ) from exc


def hmac_column(key: Key, column: Column | str) -> Column:
    """A Spark column of the lower-case hex HMAC-SHA-256 of a string column; null stays null.

    ``key`` must come from a ``FileKeyStore`` whose folder every executor can read at the same
    path: the JVM reads the key bytes there, so they never enter the plan.
    """
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    if key.folder is None:
        raise KeyStoreError(f"{key} is not in a file key store; Spark reads keys from their file")
    register_keyed_hash(SparkSession.active())
    message = F.col(column) if isinstance(column, str) else column
    return F.call_function(FUNCTION, F.lit(str(key.folder.resolve())), F.lit(key.scope),
                           F.lit(key.key_id), message.cast("string"))
