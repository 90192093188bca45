"""Benchmark of the synthetic generator: claim rows per second, against a naive baseline.

Run ``python -m bench.generate [--people N]``. It times, in the same process:

- the whole delivery (every source, CSV and Parquet, manifest) for ``N`` people;
- the claims path alone (draw, format, write CSV), chunk by chunk as ``generate`` does;
- a naive baseline: one Python loop iteration per claim row (``random`` and ``csv``) on a
  small sample, which is how a generator without NumPy/Arrow would be written;

and prints rows per second, the speed-up over the baseline, file sizes, and what that
means for 10 million claim rows. Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from synthetic.care import claims_rows, claims_table
from synthetic.generate import CHUNK_PEOPLE, generate
from synthetic.population import make_people, make_pids
from synthetic.reference import load

TARGET = 10_000_000


class Clock:
    """Wall and CPU seconds of a block: the machine is shared, so both are reported."""

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def naive_claims(path: Path, rows: int, seed: int) -> None:
    """Write ``rows`` claim rows with one Python loop iteration per row."""
    ref = load("nomenclature")
    codes, weights = ref["code"].tolist(), ref.num("weight").tolist()
    types = dict(zip(codes, ref["provider_type"].tolist(), strict=True))
    fees = dict(zip(codes, ref.num("fee").tolist(), strict=True))
    rnd = random.Random(seed)  # noqa: S311 - synthetic values, not secrets
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(
            [
                "pid",
                "nomenclature_code",
                "service_date",
                "provider_type",
                "provider_id",
                "institution_id",
                "amount_reimbursed",
                "amount_copay",
                "amount_supplement",
            ]
        )
        for _ in range(rows):
            code = rnd.choices(codes, weights)[0]
            fee = fees[code]
            copay = round(fee * rnd.uniform(0, 0.3), 2)
            writer.writerow(
                [
                    f"{rnd.getrandbits(63):016x}",
                    code,
                    (date(2025, 1, 1) + timedelta(days=rnd.randrange(365))).isoformat(),
                    types[code],
                    f"PRV{rnd.randrange(1, 99999):05d}",
                    "",
                    f"{fee - copay:.2f}",
                    f"{copay:.2f}",
                    "0.00",
                ]
            )


def claims_only(path: Path, people: int, seed: int) -> int:
    """Claim rows written by the vectorised claims path alone."""
    pids = make_pids(np.random.default_rng([seed, 0]), people)
    rows = 0
    with path.open("wb") as handle:
        for chunk in range(0, people, CHUNK_PEOPLE):
            rng = np.random.default_rng([seed, 9, chunk])
            group = make_people(rng, pids[chunk : chunk + CHUNK_PEOPLE], date(2025, 1, 1), 365, people)
            table = claims_table(rng, group, claims_rows(rng, group, date(2025, 1, 1), 365), date(2025, 1, 1))
            buffer = pa.BufferOutputStream()
            pacsv.write_csv(
                table,
                buffer,
                write_options=pacsv.WriteOptions(include_header=chunk == 0, quoting_style="needed"),
            )
            handle.write(buffer.getvalue().to_pybytes())
            rows += table.num_rows
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000, help="people in the full delivery")
    parser.add_argument("--baseline-rows", type=int, default=100_000, help="rows of the naive baseline")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="haven-bench-") as tmp:
        folder = Path(tmp)
        generate(folder / "warm-up", 50, args.seed)  # imports, reference tables, Arrow kernels
        with Clock() as naive:
            naive_claims(folder / "naive.csv", args.baseline_rows, args.seed)
        with Clock() as vectorised:
            rows = claims_only(folder / "claims_only.csv", args.people, args.seed)
        with Clock() as full:
            files = generate(folder / "delivery", args.people, args.seed)
        claims = next(f for f in files if f.source.value == "claims")
        print(
            f"synthetic generator benchmark: {args.people:,} people, seed {args.seed} "
            f"(rates per wall second; CPU seconds in brackets, the machine may be shared)"
        )
        naive_rate = args.baseline_rows / naive.wall
        claims_rate = rows / vectorised.wall
        full_rate = claims.rows / full.wall
        print(
            f"  naive per-row loop    {args.baseline_rows:>12,} claim rows in {naive.wall:7.2f} s "
            f"[{naive.cpu:6.2f}] = {naive_rate:>10,.0f} rows/s"
        )
        print(
            f"  vectorised claims     {rows:>12,} claim rows in {vectorised.wall:7.2f} s "
            f"[{vectorised.cpu:6.2f}] = {claims_rate:>10,.0f} rows/s, {claims_rate / naive_rate:.1f}x the "
            f"naive loop ({(rows / vectorised.cpu) / (args.baseline_rows / naive.cpu):.1f}x in CPU time)"
        )
        print(
            f"  whole delivery        {claims.rows:>12,} claim rows in {full.wall:7.2f} s "
            f"[{full.cpu:6.2f}] = {full_rate:>10,.0f} claim rows/s, every source and Parquet included"
        )
        total = 0
        for f in files:
            size = f.path.stat().st_size
            parquet = folder / "delivery" / "parquet" / f"{f.source.value}.parquet"
            total += size
            print(
                f"    {f.source.value:<15} {f.rows:>12,} rows  CSV {size / 1e6:9.1f} MB  "
                f"Parquet {parquet.stat().st_size / 1e6:8.1f} MB"
            )
        per_person = claims.rows / args.people
        print(
            f"  CSV total {total / 1e6:.1f} MB; {claims.path.stat().st_size / claims.rows:.0f} bytes "
            f"per claim row; {per_person:.1f} claims per person"
        )
        print(
            f"  10 million claim rows (about {TARGET / per_person:,.0f} people), extrapolated linearly: "
            f"claims alone {TARGET / claims_rate:.0f} s, whole delivery {TARGET / full_rate:.0f} s "
            f"(peak memory is one chunk of {CHUNK_PEOPLE:,} people)"
        )


if __name__ == "__main__":
    main()
