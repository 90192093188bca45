"""The pipeline against a bare Spark copy of the same landing files, at several sizes.

``python -m bench.pipeline [--people 1000,4000,16000] [--seed 1]`` runs, in one process and
one Spark session, for each size:

* synthetic landing extracts for that many people (``synthetic.generate``, not timed);
* the pipeline: the stages the ``haven_ingest`` DAG's tasks call (ingest, refine, erase,
  vacuum), in a fresh ``HAVEN_HOME``, with their progress steps timed;
* the baseline: a bare copy, every extract read as CSV (all columns text, as bronze reads
  them) and written as a Delta table, nothing else.

It prints per size the rows, both times and their ratio, and the rows per second of each
stage; then how time grew from the smallest size to the largest against how the rows grew;
and the driver's memory after each size (JVM heap in use after a garbage collection, and
this process's peak resident size), which stays flat when no data is collected to the
driver. Before the first size a small copy starts Spark, so no size pays the JVM's start.
The issue's sizes (2,000, 20,000 and 200,000 people) are ``--people 2000,20000,200000``:
about an hour on two cores. Only timings, counts and sizes are printed.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyspark.sql import SparkSession

from bench._spark import bench_spark
from common import progress
from common.settings import Settings
from jobs import pipeline
from synthetic.generate import generate

STAGES = ("bronze", "opt-out registry", "quality", "silver", "catalogue", "erasure", "vacuum")


@dataclass
class Steps:
    """Progress steps heard while the pipeline ran: seconds and rows per stage. A stage's
    seconds are wall-clock time: steps that ran side by side (bronze's loads) count once."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    spans: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: defaultdict(list))

    def started(self, step: progress.Step) -> None:
        pass

    def finished(self, step: progress.Step) -> None:
        self.spans[step.stage].append((step.started, step.started + (step.elapsed or 0.0)))
        self.seconds[step.stage] = covered(self.spans[step.stage])
        self.rows[step.stage] += step.rows or 0


def covered(spans: list[tuple[float, float]]) -> float:
    """The time the union of ``(start, end)`` spans covers."""
    total, reached = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end > reached:
            total += end - max(start, reached)
            reached = end
    return total


@contextmanager
def timed() -> Iterator[list[float]]:
    took: list[float] = []
    started = time.perf_counter()
    yield took
    took.append(time.perf_counter() - started)


def extracts(landing: Path) -> list[Path]:
    return sorted(landing.glob("*.csv"))


def bare_copy(spark: SparkSession, landing: Path, out: Path) -> None:
    """Every extract read as CSV and written as a Delta table: the floor under bronze to silver."""
    for path in extracts(landing):
        df = spark.read.option("header", "true").csv(str(path))
        df.write.format("delta").mode("overwrite").save(str(out / path.stem))


def run_pipeline(home: Path, landing: Path) -> Steps:
    """The haven_ingest DAG's stages in its order, in ``home``; the steps they announced."""
    settings = Settings(home=home)
    run_id, at = f"bench__{home.name}", datetime.now(UTC)
    steps = Steps()
    with progress.listening(steps):
        ingested = pipeline.ingest(settings, landing, run_id, at)
        pipeline.refine(settings, ingested, run_id, at)
        pipeline.erase_opted_out(settings)
        pipeline.vacuum_lake(settings)
    return steps


def driver_heap_mib(spark: SparkSession) -> float:
    """The driver JVM's heap in use after a garbage collection, in MiB."""
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    jvm.java.lang.System.gc()
    runtime = jvm.java.lang.Runtime.getRuntime()
    return float(runtime.totalMemory() - runtime.freeMemory()) / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True)
class Size:
    people: int
    rows: int
    pipeline_s: float
    bare_s: float
    steps: Steps
    heap_mib: float
    rss_mib: float


def measure(spark: SparkSession, root: Path, people: int, seed: int) -> Size:
    home = root / f"people-{people}"
    landing = home / "landing"
    files = generate(landing, people, seed, parquet=False)
    rows = sum(f.rows for f in files)
    with timed() as bare:
        bare_copy(spark, landing, root / f"bare-{people}")
    with timed() as took:
        steps = run_pipeline(home, landing)
    return Size(people, rows, took[0], bare[0], steps, driver_heap_mib(spark), peak_rss_mib())


def report(sizes: list[Size]) -> None:
    print(f"{'people':>9} {'rows':>11} {'pipeline s':>11} {'bare copy s':>12} {'ratio':>6}")
    for s in sizes:
        ratio = s.pipeline_s / s.bare_s
        print(f"{s.people:>9,} {s.rows:>11,} {s.pipeline_s:>11.1f} {s.bare_s:>12.1f} {ratio:>6.1f}")
    print("\nseconds per stage, and rows per second where the stage counts rows")
    print(f"{'stage':<17}" + "".join(f"{s.people:>20,}" for s in sizes))
    for stage in STAGES:
        cells = []
        for s in sizes:
            seconds, rows = s.steps.seconds.get(stage, 0.0), s.steps.rows.get(stage, 0)
            speed = f" ({rows / seconds:,.0f}/s)" if seconds and rows else ""
            cells.append(f"{seconds:.1f} s{speed}".rjust(20))
        print(f"{stage:<17}" + "".join(cells))
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        print(
            f"\nfrom {first.people:,} to {last.people:,} people: rows x{last.rows / first.rows:.1f}, "
            f"pipeline time x{last.pipeline_s / first.pipeline_s:.1f}, "
            f"bare copy time x{last.bare_s / first.bare_s:.1f}"
        )
    print(
        "\ndriver memory after each size (MiB): JVM heap in use "
        + ", ".join(f"{s.heap_mib:.0f}" for s in sizes)
    )
    print("process peak resident size (MiB): " + ", ".join(f"{s.rss_mib:.0f}" for s in sizes))


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.pipeline", description=__doc__.split("\n")[0])
    parser.add_argument("--people", default="1000,4000,16000", help="Sizes, comma-separated.")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = sorted({int(p) for p in args.people.split(",")})
    spark = bench_spark()
    with tempfile.TemporaryDirectory(prefix="haven-bench-pipeline-") as tmp:
        root = Path(tmp)
        warm = root / "warm"
        generate(warm, 50, args.seed, parquet=False)
        bare_copy(spark, warm, root / "warm-copy")
        report([measure(spark, root, people, args.seed) for people in sizes])


if __name__ == "__main__":
    main()
