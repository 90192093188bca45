"""Recall of identifiers and share of clinical terms kept, per language, on the clinical
letters and notes of ``tests/data/deid_letters*.txt`` (FR/NL/EN/DE; goal 0.95 each).

The recognisers were tuned on ``deid_letters.txt``, on ``deid_letters_holdout.txt`` (held
out until its misses were read) and on ``deid_letters_blind.txt`` to ``_blind4.txt``
(written blind by someone who never read the recognisers, each measured once, then read:
``_blind4.txt``, 120 notes, scored 0.875/1.0 (fr), 0.895/0.987 (nl), 0.847/0.988 (en) and
0.880/1.0 (de) recall/kept on version 6 before its misses were read). ``HOLDOUT`` names the
file that is only measured: ``_blind5.txt``, 100 notes written blind the same way after
version 7 was finished; nobody has read its misses. The goal holds per language on the
tuning notes, on the held-out notes and on all files together; the held-out notes also have
floors, the figures first measured, rounded down (a regression guard). All are printed with
``-s``. The engine is built once for the module. Failure messages carry counts and ratios
only, never note text.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from pseudonymisation.engine import LANGUAGES, Engine, get_engine
from pseudonymisation.evaluation import Note, Scores, load_notes

DATA = Path(__file__).resolve().parents[1] / "data"
TUNING = (
    "deid_letters.txt",
    "deid_letters_holdout.txt",
    "deid_letters_blind.txt",
    "deid_letters_blind2.txt",
    "deid_letters_blind3.txt",
    "deid_letters_blind4.txt",
)
HOLDOUT = "deid_letters_blind5.txt"
GOAL = 0.95
# Held-out floors per language (recall, kept): the figures measured when the recognisers
# were finished, rounded down, so that a change that loses ground on unseen notes fails.
HOLDOUT_FLOORS = {"fr": (0.95, 1.0), "nl": (0.96, 0.98), "en": (0.95, 0.98), "de": (0.96, 0.98)}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return get_engine()


@pytest.fixture(scope="module")
def notes() -> dict[str, list[Note]]:
    tuning = [note for corpus in TUNING for note in load_notes(DATA / corpus)]
    return {"tuning": tuning, "held-out": load_notes(DATA / HOLDOUT)}


def measure(engine: Engine, notes: list[Note], language: str) -> Scores:
    chosen = [n for n in notes if n.language == language]
    found = engine.analyze_batch([n.text for n in chosen], language)
    scores = Scores()
    for note, results in zip(chosen, found, strict=True):
        scores.add(note.text, note.spans, [(r.start, r.end, r.entity_type) for r in results], note.keep)
    return scores


def test_the_set_is_large_enough_and_has_every_class(notes: dict[str, list[Note]]) -> None:
    every = notes["tuning"] + notes["held-out"]
    by_language = Counter(n.language for n in every)
    assert len(every) >= 150
    assert by_language["de"] >= 25
    assert set(by_language) == set(LANGUAGES)
    for corpus in ("tuning", "held-out"):
        for language in LANGUAGES:
            classes = {s.entity for n in notes[corpus] if n.language == language for s in n.spans}
            assert classes >= {"PERSON", "DATE", "PHONE", "NISS", "AGE", "ID", "ROOM", "ORG"}, (
                corpus,
                language,
            )
            assert sum(len(n.keep) for n in notes[corpus] if n.language == language) >= 10


@pytest.mark.parametrize("language", LANGUAGES)
def test_recall_and_kept_reach_the_goal_per_language(
    engine: Engine, notes: dict[str, list[Note]], language: str
) -> None:
    tuning = measure(engine, notes["tuning"], language)
    both = measure(engine, notes["tuning"] + notes["held-out"], language)
    print(f"\n[deid] {tuning.summary(f'tuning {language}')}\n[deid] {both.summary(f'all {language}')}")
    for label, scores in (("tuning", tuning), ("all", both)):
        assert scores.recall >= GOAL, f"{label} recall {scores.recall:.3f} below {GOAL}"
        assert scores.kept_ratio >= GOAL, f"{label} kept {scores.kept_ratio:.3f} below {GOAL}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_held_out_notes_stay_above_their_floors(
    engine: Engine, notes: dict[str, list[Note]], language: str
) -> None:
    scores = measure(engine, notes["held-out"], language)
    print(f"\n[deid] {scores.summary(f'{HOLDOUT} {language}')}")
    min_recall, min_kept = HOLDOUT_FLOORS[language]
    assert scores.true_spans >= 30
    assert scores.recall >= min_recall, f"held-out recall {scores.recall:.3f} below {min_recall}"
    assert scores.kept_ratio >= min_kept, f"held-out kept {scores.kept_ratio:.3f} below {min_kept}"
