"""De-identification of a free-text column in Spark, batched per Arrow batch.

``deidentify_column(text, language)`` is an iterator pandas UDF: each Python worker builds
the Presidio engine once (``pseudonymisation.engine.get_engine``, cached per process and
reused across partitions while Spark reuses the worker) and sends each Arrow batch through
``Engine.deidentify_batch`` in one go, rather than one ``analyze`` call per row. Rows whose
language is not ``fr``, ``nl``, ``en`` or ``de`` come out null (fail closed: an unknown language
never lets its text through unchanged).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager

import pandas as pd
from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.functions import pandas_udf

from common.background import meanwhile
from common.logging import describe_exception
from pseudonymisation.errors import DeidentificationError
from pseudonymisation.languages import LANGUAGES


@pandas_udf(T.StringType())  # type: ignore[call-overload]
def _deidentify_batches(batches: Iterator[tuple[pd.Series, pd.Series]]) -> Iterator[pd.Series]:
    # Imported here: the workers need Presidio and spaCy (their daemon preloads them), the
    # driver that plans the job does not.
    from pseudonymisation.engine import get_engine

    engine = get_engine()
    for texts, languages in batches:
        out = pd.Series([None] * len(texts), index=texts.index, dtype=object)
        for language in LANGUAGES:
            mask = (languages == language).fillna(False).to_numpy(dtype=bool)
            if mask.any():
                try:
                    out[mask] = engine.deidentify_batch(texts[mask].tolist(), language)
                except Exception as exc:
                    # Engines may quote the text they choked on; Spark would ship that
                    # message to the driver's logs. Keep the kind and the frames only.
                    raise DeidentificationError(describe_exception(exc)) from None
        yield out


def deidentify_column(text: Column | str, language: Column | str) -> Column:
    """A string column: ``text`` de-identified in ``language`` (a column of ``fr``/``nl``/
    ``en``/``de`` codes, or one code for every row). Null text stays null."""
    text_col = F.col(text) if isinstance(text, str) else text
    if isinstance(language, str) and language in LANGUAGES:
        language_col = F.lit(language)
    elif isinstance(language, str):
        language_col = F.col(language)
    else:
        language_col = language
    return _deidentify_batches(text_col, language_col)


def workers_starting(spark: SparkSession) -> AbstractContextManager[None]:
    """Start Spark's Python workers in the background while the block runs, and wait for them
    at its end.

    The first Python task of a session starts Spark's Python daemon, which builds the engine
    before it forks workers (``pseudonymisation.spark_daemon``): several seconds of one core.
    A stage that will de-identify text later starts it here, while its first Spark jobs keep
    the driver waiting, so the first text write does not. A failure here is left for that
    write to meet and report.
    """
    return meanwhile(
        lambda: spark.range(1).select(deidentify_column(F.lit(""), "en")).collect(), "haven-python-workers"
    )


__all__ = ["deidentify_column", "workers_starting"]
