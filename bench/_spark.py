"""A throw-away local Spark session for benchmarks (its own HAVEN_HOME, workers on this Python)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession

from common.settings import Settings
from common.spark import get_spark


def bench_spark(master: str = "local[2]") -> SparkSession:
    """A local session whose Python workers run this interpreter (which has spaCy)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    home = Path(tempfile.mkdtemp(prefix="haven-bench-"))
    return get_spark(Settings(home=home, spark_master=master, spark_shuffle_partitions=2))
