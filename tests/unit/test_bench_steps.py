"""The pipeline benchmark counts a stage's wall-clock time once when its steps overlap."""

from bench.pipeline import Steps, covered
from common.progress import Step


def test_overlapping_spans_count_once() -> None:
    assert covered([]) == 0.0
    assert covered([(0.0, 2.0), (1.0, 3.0), (5.0, 6.0), (5.5, 5.8)]) == 4.0


def test_a_stage_s_seconds_are_its_wall_clock_time() -> None:
    steps = Steps()
    for subject, started, elapsed, rows in (("claims", 10.0, 4.0, 100), ("pharmacy", 11.0, 2.0, 50)):
        steps.finished(Step("bronze", subject, started, rows=rows, elapsed=elapsed))
    steps.finished(Step("silver", "claims", 20.0, rows=100, elapsed=3.0))
    assert (dict(steps.seconds), dict(steps.rows)) == (
        {"bronze": 4.0, "silver": 3.0},
        {"bronze": 150, "silver": 100},
    )
