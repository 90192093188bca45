"""The differencing check against a permit's release history: time per query and file size.

``python -m bench.differencing [--big]`` (or ``haven bench --only differencing -- --big``)
draws a population of persons (random 64-bit hashes, as the sandbox computes them) with
four attributes (a region, ten age bands, two sexes, five years), and a release history of
cells as researchers' grouped counts make them: each cell is the persons of one region
matching one to three attribute values, so cells range from a few dozen to a few thousand
persons, overlap within their region and not across regions (a region holds about 50
releases, the component the linked check reads). It writes the history with
``spe.differencing_history.ReleaseLog`` (indexed as in a session) and then times the check
of new cells of the same kind in a new session: the pair rule, the component lookup and the
exact linked check (``spe.linked``). For every size it prints the time per check (median
and 95th percentile), the file's size, bytes per stored person entry, and each figure as a
ratio against the smallest size of the same run; and the share of checks that suppressed,
with those the bound (``spe.linked.MAX_RELEASES``) decided.

A second table times the exact check alone against components of 5 to 200 linked releases
of one region. Default sizes run in about a minute; ``--big`` adds 1 million persons and
10,000 released cells (tens of minutes and some hundreds of megabytes under a temporary
folder); ``--sizes 10000:100,1000000:2000`` runs chosen sizes. Only timings, sizes and counts
are printed.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spe.differencing import PERSONS_MEASURE, Released
from spe.differencing_history import ReleaseLog
from spe.linked import MAX_RELEASES, Persons, as_persons, isolates_small_group

MIN_PERSONS = 10
PER_REGION = 50  # releases per region: the size of the components the check reads
CANDIDATES = 20
PER_QUERY = 20  # cells per session while the history is written


@dataclass(frozen=True)
class Population:
    ids: np.ndarray  # uint64 hashes
    region: np.ndarray
    age: np.ndarray
    sex: np.ndarray
    year: np.ndarray

    @classmethod
    def draw(cls, persons: int, regions: int, rng: np.random.Generator) -> Population:
        return cls(
            ids=rng.integers(0, 2**64 - 1, size=persons, dtype=np.uint64, endpoint=True),
            region=rng.integers(0, regions, size=persons),
            age=rng.integers(0, 10, size=persons),
            sex=rng.integers(0, 2, size=persons),
            year=rng.integers(0, 5, size=persons),
        )

    def cell(self, rng: np.random.Generator, regions: int) -> Persons:
        """The persons of one region matching one to three attribute values."""
        chosen = self.region == rng.integers(0, regions)
        attributes = [(self.age, 10), (self.sex, 2), (self.year, 5)]
        for i in rng.choice(3, size=rng.integers(1, 4), replace=False):
            values, levels = attributes[i]
            chosen &= values == rng.integers(0, levels)
        return as_persons(self.ids[chosen])


def figures(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def history_run(persons: int, cells: int, folder: Path, rng: np.random.Generator) -> dict[str, float]:
    """Release ``cells`` cells through the check (a session per query of ``PER_QUERY`` cells,
    suppressed cells not kept, as the SPE does), then time the check of new cells."""
    regions = max(1, cells // PER_REGION)
    population = Population.draw(persons, regions, rng)
    log = folder / f"p{persons}-c{cells}.releases.sqlite"
    released, asked = 0, 0
    start = time.perf_counter()
    while released < cells and asked < 3 * cells:
        with ReleaseLog(log) as releases:
            history = releases.history(MIN_PERSONS)
            for _ in range(min(PER_QUERY, cells - released)):
                cell = Released(PERSONS_MEASURE, population.cell(rng, regions))
                asked += 1
                if len(cell.persons) >= MIN_PERSONS and history.rule_for([cell]) is None:
                    history.record([cell])
            released += releases.save(history)
    building = time.perf_counter() - start
    with sqlite3.connect(log) as con:  # person entries kept: 8 bytes each in the sets
        stored = int(con.execute("SELECT total(length(persons)) / 8 FROM released").fetchone()[0])
    times, suppressed, bounded = [], 0, 0
    with ReleaseLog(log) as releases:
        for _ in range(CANDIDATES):
            history = releases.history(MIN_PERSONS)
            candidate = Released(PERSONS_MEASURE, population.cell(rng, regions))
            start = time.perf_counter()
            rule = history.rule_for([candidate])
            times.append(time.perf_counter() - start)
            suppressed += rule is not None
            bounded += history.past_bound
    median, p95 = figures(times)
    size = log.stat().st_size
    return {
        "persons": persons,
        "cells": released,
        "asked": asked,
        "median": median,
        "p95": p95,
        "bytes": size,
        "per_entry": size / max(stored, 1),
        "per_cell": building / max(asked, 1),
        "suppressed": suppressed / CANDIDATES,
        "bounded": bounded / CANDIDATES,
    }


def component_run(size: int, rng: np.random.Generator) -> float:
    """Median time of the exact check of a new cell against ``size`` linked releases of one region."""
    population = Population.draw(20_000, 1, rng)
    family = [as_persons(population.cell(rng, 1)) for _ in range(size)]
    times = []
    for _ in range(5):
        candidate = as_persons(population.cell(rng, 1))
        start = time.perf_counter()
        isolates_small_group(candidate, family, MIN_PERSONS)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big", action="store_true", help="add 1 million persons and 10,000 cells")
    parser.add_argument(
        "--sizes", help="instead, PERSONS:CELLS,... (the first is the baseline of the ratios)"
    )
    args = parser.parse_args(argv)
    rng = np.random.default_rng(20261206)
    sizes = [(10_000, 100), (10_000, 400), (100_000, 400)]
    if args.big:
        sizes += [(100_000, 2_000), (1_000_000, 2_000), (1_000_000, 10_000)]
    if args.sizes:
        sizes = [(int(p), int(c)) for p, c in (size.split(":") for size in args.sizes.split(","))]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; min_persons {MIN_PERSONS}")
    print(
        f"{'persons':>9} {'cells':>6} | {'check p50':>10} {'p95':>9} {'x':>6} | "
        f"{'file':>9} {'x':>7} {'B/entry':>7} | {'write/cell':>10} | suppressed (by bound)",
        flush=True,
    )
    base: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="haven-bench-differencing-") as folder:
        for persons, cells in sizes:
            row = history_run(persons, cells, Path(folder), rng)
            base = base or row
            print(
                f"{row['persons']:>9,.0f} {row['cells']:>6,.0f} | {row['median'] * 1000:>8.1f}ms "
                f"{row['p95'] * 1000:>7.1f}ms {row['median'] / base['median']:>5.1f}x | "
                f"{row['bytes'] / 2**20:>7.1f}MB {row['bytes'] / base['bytes']:>6.1f}x "
                f"{row['per_entry']:>7.1f} | "
                f"{row['per_cell'] * 1000:>8.1f}ms | {row['suppressed']:.0%} ({row['bounded']:.0%})",
                flush=True,
            )
    components = [5, 25, 100, MAX_RELEASES - 1]
    timed = [component_run(size, rng) for size in components]
    print(
        "exact check alone, by linked releases: "
        + ", ".join(
            f"{size}: {t * 1000:.1f}ms ({t / timed[0]:.1f}x)"
            for size, t in zip(components, timed, strict=True)
        )
    )


if __name__ == "__main__":
    main()
