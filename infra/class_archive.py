"""Record the classes a Spark session loads into a JVM class archive (CDS) in the jar cache.

Run by ``make jars`` after the jars are in place. A Spark driver's JVM spends several
seconds of every start reading and verifying the same few thousand classes; a class data
sharing archive (``-XX:ArchiveClassesAtExit``, Java 13 and later) keeps them parsed, and
every later session maps it (``common.spark`` adds ``-XX:SharedArchiveFile`` when the
archive is there). The archive is recorded by a child process that runs the kinds of Spark
work Haven does (CSV reads, Delta writes, replaces, merges, joins, aggregates, caching) on a
few rows of made-up data, then exits. A stamp holds what the archive depends on (the Java
runtime, pyspark and the cached jars), so a later run with the same ones does nothing. An
archive the JVM cannot use (another Java build, another class path) is ignored by the JVM,
silently: a session then starts as it would without one.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common.spark import CLASS_ARCHIVE, CLASS_ARCHIVE_STAMP

HERE = Path(__file__).resolve().parent


def workload(home: Path, archive: Path) -> None:
    """The kinds of Spark work Haven does, on a few made-up rows, in a session whose JVM writes
    ``archive`` as it exits; returns once the JVM has exited."""
    from delta.tables import DeltaTable
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    from common.settings import Settings
    from common.spark import spark_conf

    conf = spark_conf(Settings(home=home, spark_master="local[2]"))
    conf["spark.driver.extraJavaOptions"] += f" -XX:ArchiveClassesAtExit={archive} -Xlog:cds=off"
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    csv = home / "rows.csv"
    lines = (f"p{i % 7},k{i % 3},{i}.5,2025-01-{i % 28 + 1:02d}\n" for i in range(200))
    csv.write_text("pid,kind,amount,day\n" + "".join(lines))
    rows = spark.read.option("header", "true").option("mode", "PERMISSIVE").csv(str(csv)).cache()
    typed = rows.select(
        "pid",
        "kind",
        F.col("amount").cast("decimal(12,2)").alias("amount"),
        F.to_date("day").alias("day"),
        F.lit("e1").alias("_extract_id"),
    )
    table = str(home / "table")
    typed.write.format("delta").save(table)
    typed.write.format("delta").mode("overwrite").option("replaceWhere", "_extract_id = 'e1'").save(table)
    read = spark.read.format("delta").load(table).where(F.col("_extract_id") == "e1")
    people = read.select("pid").distinct().withColumn("known", F.lit(True))
    joined = read.join(F.broadcast(people), on="pid", how="left").join(
        people.select("pid"), on="pid", how="left_anti"
    )
    joined.groupBy("kind").agg(F.countDistinct("pid"), F.sum("amount"), F.min("day"), F.max("day")).collect()
    read.groupBy("pid", "kind").count().where("count > 1").count()
    target = DeltaTable.forPath(spark, table).alias("t")
    target.merge(people.where("pid = 'p1'").alias("e"), "t.pid = e.pid").whenMatchedDelete().execute()
    DeltaTable.forPath(spark, table).history().collect()
    rows.unpersist()
    jvm = spark.sparkContext._gateway.proc  # type: ignore[union-attr]
    spark.stop()
    # The JVM exits when its standard input closes, and writes the archive as it exits.
    jvm.stdin.close()
    jvm.wait(timeout=600)


def stamp_text(jars: Path) -> str:
    """What the archive depends on: the Java runtime, pyspark, and the jars of the cache."""
    import pyspark

    java = shutil.which("java") or "java"
    runtime = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    digest = hashlib.sha256((runtime.stderr + runtime.stdout + pyspark.__version__).encode())
    for jar in sorted(jars.glob("*.jar")):
        digest.update(f"{jar.name}\0{jar.stat().st_size}\0".encode())
    return digest.hexdigest()


def record(jars: Path) -> None:
    """Run the workload in a child process that writes the archive at its exit, then put it
    in place."""
    (jars / CLASS_ARCHIVE).unlink(missing_ok=True)  # a session must not map the old one
    with tempfile.TemporaryDirectory(prefix="haven-class-archive-") as tmp:
        staged = Path(tmp) / CLASS_ARCHIVE
        home = Path(tmp) / "home"
        home.mkdir()
        subprocess.run(
            [sys.executable, __file__, "--record", str(home), str(staged)],
            cwd=HERE.parent,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not staged.is_file():
            raise FileNotFoundError("the JVM wrote no class archive at its exit")
        shutil.move(staged, jars / CLASS_ARCHIVE)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE.parent / ".cache" / "jars")
    parser.add_argument("--record", nargs=2, type=Path, metavar=("HOME", "ARCHIVE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.record:
        workload(*args.record)
        return 0
    jars: Path = args.out.resolve()
    stamp = jars / CLASS_ARCHIVE_STAMP
    expected = stamp_text(jars)
    if (jars / CLASS_ARCHIVE).is_file() and stamp.is_file() and stamp.read_text().strip() == expected:
        print(f"class archive: up to date in {jars / CLASS_ARCHIVE}")
        return 0
    stamp.unlink(missing_ok=True)
    print("class archive: recording the classes a Spark session loads (about a minute)")
    try:
        record(jars)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        # Sessions start without one, only slower: set-up goes on.
        print(f"class archive: not recorded ({exc}); Spark sessions start without it", file=sys.stderr)
        return 0
    stamp.write_text(expected + "\n")
    print(f"class archive: recorded {jars / CLASS_ARCHIVE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
