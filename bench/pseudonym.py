"""Keyed pseudonyms: the Spark SQL HMAC expression against a Python-UDF HMAC, same column.

``python -m bench.pseudonym [--rows N]`` prints rows per second of each and their ratio
(goal: the expression at least 10x the UDF). The key is a random throw-away key made for
this run; it is never printed.
"""

from __future__ import annotations

import argparse
import os
import secrets
import time

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from bench._spark import bench_spark
from pseudonymisation.keyed_hash import hmac_column, hmac_hex
from pseudonymisation.keys import Key


def _run(df: DataFrame, repeat: int = 1) -> float:
    """Best of ``repeat`` runs: the machine is shared, so the minimum is the fairest figure."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        df.write.format("noop").mode("overwrite").save()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args(argv)
    spark = bench_spark()
    key = Key(scope="bench", key_id="k0001", secret=secrets.token_bytes(32))
    pids = (spark.range(args.rows, numPartitions=4)
            .select(F.format_string("%016x", F.col("id") * 2654435761).alias("pid")).cache())
    pids.count()

    python_udf = F.udf(lambda pid: hmac_hex(key, pid), T.StringType(), useArrow=False)
    expression = pids.select(hmac_column(key, "pid").alias("person_id"))
    udf = pids.select(python_udf("pid").alias("person_id"))
    _run(expression.limit(1000))  # warm-up: JIT, Python workers
    _run(udf.limit(1000))
    t_expr = _run(expression, repeat=3)
    t_udf = _run(udf, repeat=2)
    same = expression.exceptAll(udf).limit(1).count() == 0
    print(f"rows: {args.rows:,}  (local[2], best of 3 / 2 runs; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"Spark SQL expression : {t_expr:7.2f} s  {args.rows / t_expr:12,.0f} rows/s")
    print(f"Python UDF HMAC      : {t_udf:7.2f} s  {args.rows / t_udf:12,.0f} rows/s")
    print(f"speed-up expression / UDF: {t_udf / t_expr:.1f}x (goal >= 10x); identical output: {same}")
    spark.stop()


if __name__ == "__main__":
    main()
