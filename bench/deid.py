"""Free-text de-identification: batched Spark against Presidio's per-text analyze loop.

``python -m bench.deid [--copies N]`` takes the hand-made FR/NL/EN notes and the FR/NL/EN/DE
clinical letters of ``tests/data`` (repeated ``N`` times), and times

* the baseline: a default Presidio ``AnalyzerEngine`` (predefined recognisers plus Haven's,
  full spaCy pipelines) called once per text, then the anonymiser, in one process;
* Haven: ``deidentify_column`` in local Spark (engine built once per worker, trimmed
  spaCy pipeline, one ``nlp.pipe`` per Arrow batch), cold (first run: Python workers start
  and build their engines) and warm (best of two more runs: the steady state of a large
  job, where start-up is amortised); and the batched engine in one process.

The Presidio loop and the one-process engine take turns on four equal shares of the
workload, so a change of load on a shared machine falls on both; their process time (CPU
seconds) is printed beside the wall-clock time. It prints the times, the ratios (goal
>= 5x), and the recall, precision and share of clinical terms kept of each on the ground
truth (goal: Haven's recall equal or better).
Only counts and ratios are printed.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_anonymizer import AnonymizerEngine

from bench._spark import bench_spark
from pseudonymisation.engine import LANGUAGES, Engine, HavenNlpEngine, haven_recognizers, quiet_offline
from pseudonymisation.evaluation import Note, Scores, load_notes
from pseudonymisation.spark_text import deidentify_column

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
ROUNDS = 4


def baseline_analyzer() -> AnalyzerEngine:
    """What a first Presidio integration looks like: predefined recognisers, full models."""
    quiet_offline()
    nlp_engine = HavenNlpEngine(full_pipeline=True)
    nlp_engine.load()
    registry = RecognizerRegistry(supported_languages=list(LANGUAGES))
    registry.load_predefined_recognizers(languages=list(LANGUAGES), nlp_engine=nlp_engine)
    for language in LANGUAGES:
        for recognizer in haven_recognizers(language, statistical_ner=True):
            registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=list(LANGUAGES))


def score(notes: list[Note], found: list[list[tuple[int, int]]]) -> Scores:
    scores = Scores()
    for note, spans in zip(notes, found, strict=True):
        scores.add(note.text, note.spans, spans, note.keep)
    return scores


# Long on purpose: the bench's steps in the order it prints them, baseline and Haven side by side.
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=20)
    args = parser.parse_args(argv)
    corpora = ("deid_notes.txt", "deid_notes_holdout.txt", "deid_letters.txt", "deid_letters_holdout.txt")
    notes = [note for corpus in corpora for note in load_notes(DATA / corpus)]
    workload = [(n.language, n.text) for n in notes] * args.copies

    baseline = baseline_analyzer()
    anonymizer = AnonymizerEngine()
    baseline_found = [
        [(r.start, r.end) for r in baseline.analyze(n.text, n.language, score_threshold=0.5)] for n in notes
    ]
    engine = Engine()
    haven_found = []
    for language in LANGUAGES:
        chosen = [n for n in notes if n.language == language]
        for note, results in zip(
            chosen, engine.analyze_batch([n.text for n in chosen], language), strict=True
        ):
            haven_found.append((note, [(r.start, r.end) for r in results]))

    # The two one-process runs take turns on equal shares of the workload, so a change of
    # load on a shared machine falls on both; each one's time is the sum of its turns.
    # Process time (CPU seconds of this process) is printed too: it moves less with load.
    rounds = max(1, min(ROUNDS, args.copies))
    share = [(n.language, n.text) for n in notes] * (args.copies // rounds)
    t_baseline = t_batched = cpu_baseline = cpu_batched = 0.0
    for _ in range(rounds):
        start, cpu = time.perf_counter(), time.process_time()
        for language, text in share:
            results = baseline.analyze(text, language, score_threshold=0.5)
            anonymizer.anonymize(text=text, analyzer_results=results)  # type: ignore[arg-type]
        t_baseline += time.perf_counter() - start
        cpu_baseline += time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        for language in LANGUAGES:
            engine.deidentify_batch([t for lang, t in share if lang == language], language)
        t_batched += time.perf_counter() - start
        cpu_batched += time.process_time() - cpu
    timed = len(share) * rounds
    per_note = t_baseline / timed

    spark = bench_spark()
    df = spark.createDataFrame(workload, "lang string, note string").repartition(2).cache()
    df.count()
    out = df.select(deidentify_column("note", "lang").alias("note"))
    timings = []
    for _ in range(3):  # the first run starts the Python workers and builds their engines
        start = time.perf_counter()
        out.write.format("noop").mode("overwrite").save()
        timings.append(time.perf_counter() - start)
    t_cold, t_spark = timings[0], min(timings[1:])
    spark.stop()

    base_scores = score(notes, baseline_found)
    haven_scores = score([n for n, _ in haven_found], [f for _, f in haven_found])
    print(
        f"notes: {len(workload):,} ({len(notes)} hand-made FR/NL/EN/DE notes x {args.copies}); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"Presidio per-text analyze loop : {t_baseline:7.2f} s  {timed / t_baseline:8,.0f} notes/s")
    print(f"Haven batched, one process     : {t_batched:7.2f} s  {timed / t_batched:8,.0f} notes/s")
    print(f"Haven Spark, cold (worker start): {t_cold:6.2f} s  {len(workload) / t_cold:8,.0f} notes/s")
    print(f"Haven batched Spark (local[2]) : {t_spark:7.2f} s  {len(workload) / t_spark:8,.0f} notes/s")
    print(
        f"speed-up Spark warm: {per_note / (t_spark / len(workload)):.1f}x, "
        f"cold: {per_note / (t_cold / len(workload)):.1f}x, "
        f"one process: {t_baseline / t_batched:.1f}x (goal >= 5x; warm = engines already built "
        "in the reused Python workers, the steady state of a large job)"
    )
    print(
        f"one process in process time: Presidio loop {cpu_baseline:.2f} s, Haven {cpu_batched:.2f} s, "
        f"{cpu_baseline / cpu_batched:.1f}x ({rounds} interleaved rounds of {len(share):,} notes)"
    )
    print(base_scores.summary("baseline"))
    print(haven_scores.summary("haven   "))


if __name__ == "__main__":
    main()
