"""Recall and precision of de-identification on the synthetic generator's notes, scored
against its ground-truth span file (``truth/clinical_notes_pii.csv``).

The figures are printed (run with ``-s``; ``pseudonymisation/README.md`` records them) and
floors sit just below them. Read them as a regression guard, not as the recall to expect
on real notes: the generator writes every note from a handful of templates, so a pattern
that fits a template fits all its notes. Only counts and ratios are printed.
"""

from __future__ import annotations

import pytest

from pseudonymisation.engine import get_engine
from pseudonymisation.evaluation import Note, Scores, load_span_file
from synthetic.generate import PII_TRUTH, TRUTH_DIR, generate

# English is about 2 % of the notes: 10,000 people give about 1,900 notes, 30 of them in
# English (300 people would give one). Generating takes a few seconds.
PEOPLE, SEED = 10_000, 20260401

# Floors: language -> (recall, precision, person recall), a little below the measured values.
FLOORS = {
    "fr": (0.99, 0.98, 0.99),
    "nl": (0.99, 0.99, 0.99),
    "en": (0.99, 0.98, 0.97),
}


@pytest.fixture(scope="module")
def generated_notes(tmp_path_factory: pytest.TempPathFactory) -> list[Note]:
    out = tmp_path_factory.mktemp("generated")
    generate(out, PEOPLE, SEED, parquet=False)
    return load_span_file(out / "clinical_notes.csv", out / TRUTH_DIR / PII_TRUTH)


@pytest.mark.parametrize("language", sorted(FLOORS))
def test_recall_and_precision_on_generated_notes(generated_notes: list[Note], language: str) -> None:
    chosen = [n for n in generated_notes if n.language == language]
    found = get_engine().analyze_batch([n.text for n in chosen], language)
    scores = Scores()
    for note, results in zip(chosen, found, strict=True):
        scores.add(note.text, note.spans, [(r.start, r.end, r.entity_type) for r in results])
    print(f"\n[deid] {scores.summary(f'generated {language} ({len(chosen)} notes)')}")
    print(f"[deid] {scores.by_type(f'generated {language} by type')}")
    min_recall, min_precision, min_person = FLOORS[language]
    assert scores.true_by_type["PERSON"] >= 50
    assert scores.recall >= min_recall, f"recall {scores.recall:.3f} below {min_recall}"
    assert scores.precision >= min_precision, f"precision {scores.precision:.3f} below {min_precision}"
    person = scores.recall_of("PERSON")
    assert person >= min_person, f"person recall {person:.3f} below {min_person}"
