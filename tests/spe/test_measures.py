"""What a released number counts: persons, rows or distinct values, and which are combined.

A row count (``count(*) FROM pharmacy``, several rows per person) and a person count over the
same persons are two measures; the linked rule combines releases of one measure only. The
pair rule also compares every count-like cell with every other, whatever it counts (the
pair-only measure, ``tests/spe/test_pair_coverage.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spe.disclosure import Rule
from spe.session import SandboxSession
from tests.spe.factories import persons, write_rows

COLUMNS = ("person_id", "kind", "amount", "flag")


def several_rows(kind: str, n: int, *, start: int = 0) -> list[tuple[str, str, float, bool]]:
    """``n`` persons of one kind with 2 to 4 rows each."""
    return [row for i in range(n) for row in persons(kind, 1, start=start + i, rows_each=2 + i % 3)]


@pytest.fixture
def tables(tmp_path: Path) -> dict[str, Path]:
    """Claims of 60 persons (GP 0-29, SPEC 30-59, two claims each) and pharmacy deliveries of
    62 persons (0-61, 2 to 4 each, of 3 medicines): two more than the claims."""
    claims = write_rows(
        tmp_path / "claims", persons("GP", 30, rows_each=2) + persons("SPEC", 30, start=30, rows_each=2)
    )
    deliveries = [
        (person, f"A0{i % 3}", amount, flag)
        for i, (person, _, amount, flag) in enumerate(several_rows("x", 62))
    ]
    pharmacy = write_rows(
        tmp_path / "pharmacy", deliveries, columns=("person_id", "atc_code", "amount", "flag")
    )
    return {"claims": claims, "pharmacy": pharmacy}


BY_KIND = "SELECT kind, count(DISTINCT person_id) AS persons FROM claims GROUP BY kind ORDER BY kind"


def test_every_count_of_persons_two_away_is_suppressed_whatever_it_counts(tables: dict[str, Path]) -> None:
    # The pair-only measure (as before measures): every count-like cell against every other.
    # The kinds' total is a count of their 60 persons (no person in both); the pharmacy's
    # persons are those and two more, so a count of their deliveries, medicines or persons
    # differs from it by those two; the join is of the same 60 persons (equal: nothing new).
    with SandboxSession(tables) as session:
        by_kind = session.run(BY_KIND)
        answers = [
            session.run(f"SELECT {aggregate} AS n FROM pharmacy")
            for aggregate in ("count(*)", "count(DISTINCT atc_code)", "count(DISTINCT person_id)")
        ]
        joined = session.run(
            "SELECT c.kind, count(DISTINCT c.person_id) AS persons, count(DISTINCT p.atc_code) AS medicines "
            "FROM claims c JOIN pharmacy p ON p.person_id = c.person_id GROUP BY c.kind ORDER BY c.kind"
        )
    assert (by_kind.rows, by_kind.suppressed) == ([["GP", 30], ["SPEC", 30]], [])
    assert [a.rows for a in answers] == [[[None]]] * 3
    assert [a.suppressed for a in answers] == [[{"row": 0, "column": "n", "rule": "differencing"}]] * 3
    assert (joined.rows, joined.suppressed) == ([["GP", 30, 3], ["SPEC", 30, 3]], [])


def test_the_linked_rule_does_not_combine_a_row_count_with_person_counts(tmp_path: Path) -> None:
    # A and B, 30 persons each, share person 29; the rows of A ∪ B (2 to 4 per person) are
    # no count of its persons, so A + B - rows(A ∪ B) is no count of A ∩ B: released.
    rows = [(f"p{i}", "x", float(i), False) for i in range(80) for _ in range(2 + i % 3)]
    visits = write_rows(tmp_path / "visits", rows)
    with SandboxSession({"visits": visits}) as session:
        a = session.run(f"SELECT count(DISTINCT person_id) AS n FROM visits WHERE {A}")
        b = session.run(f"SELECT count(DISTINCT person_id) AS n FROM visits WHERE {B}")
        union = session.run(f"SELECT count(*) AS n FROM visits WHERE {UNION}")
    assert (a.rows, b.rows) == ([[30]], [[30]])
    assert (union.rows, union.suppressed) == ([[sum(2 + i % 3 for i in range(59))]], [])


def test_row_counts_are_compared_with_row_counts(tables: dict[str, Path]) -> None:
    with SandboxSession(tables) as session:
        total = session.run("SELECT count(*) AS n FROM pharmacy")
        # The same rows less one person's, by WHERE and by FILTER: that person's deliveries.
        where = session.run("SELECT count(*) AS n FROM pharmacy WHERE person_id <> 'p3'")
    with SandboxSession(tables) as session:  # the claims' 60 persons are two from the pharmacy's
        both = session.run("SELECT count(*) AS c, count(*) FILTER (WHERE person_id <> 'p0') AS d FROM claims")
    assert total.suppressed == []
    assert where.suppressed == [{"row": 0, "column": "n", "rule": "differencing"}]
    assert both.rows == [[120, None]]
    assert both.suppressed == [{"row": 0, "column": "d", "rule": "differencing"}]


@pytest.fixture
def people(tmp_path: Path) -> Path:
    """One row per person: p0..p79, ``amount`` their age (0..79)."""
    return write_rows(tmp_path / "people", [(f"p{i}", "x", float(i), False) for i in range(80)])


@pytest.fixture
def many_rows(tmp_path: Path) -> Path:
    """Two to four rows per person: p0..p79, ``amount`` their age (0..79) on every row."""
    rows = [(f"p{i}", "x", float(i), False) for i in range(80) for _ in range(2 + i % 3)]
    return write_rows(tmp_path / "people", rows)


# Two cohorts sharing one person (29), and their union: A + B - (A ∪ B) is that person.
A, B, UNION = "amount < 30", "amount BETWEEN 29 AND 58", "amount < 59"


def test_the_linked_attack_with_person_counts_on_several_rows_per_person(many_rows: Path) -> None:
    with SandboxSession({"people": many_rows}) as session:
        answers = [
            session.run(f"SELECT count(DISTINCT person_id) AS n FROM people WHERE {cohort}")
            for cohort in (A, B, UNION)
        ]
    assert [a.rows for a in answers] == [[[30]], [[30]], [[None]]]
    assert answers[2].suppressed == [{"row": 0, "column": "n", "rule": "linked-differencing"}]


@pytest.mark.parametrize(
    "spelled",
    [
        ("count(*)", "count(*)", "count(*)"),
        ("count(*)", "count(DISTINCT person_id)", "count(person_id)"),
        ("sum(CASE WHEN kind = 'x' THEN 1 ELSE 0 END)", "count(*)", "count_if(amount >= 0)"),
    ],
)
def test_the_linked_attack_with_row_counts_of_one_row_per_person(
    people: Path, spelled: tuple[str, ...]
) -> None:
    # On a table of one row per person a row count is a count of persons, however spelled.
    with SandboxSession({"people": people}) as session:
        answers = [
            session.run(f"SELECT {aggregate} AS n FROM people WHERE {cohort}")
            for aggregate, cohort in zip(spelled, (A, B, UNION), strict=True)
        ]
    assert [a.rows for a in answers] == [[[30]], [[30]], [[None]]]
    assert answers[2].suppressed == [{"row": 0, "column": "n", "rule": "linked-differencing"}]


def test_the_linked_attack_with_row_counts_of_cohorts(people: Path, many_rows: Path) -> None:
    # Rows of the same table for three cohorts of persons: A + B - (A ∪ B) = person 29's rows.
    tables = {"people": people, "visits": many_rows}
    with SandboxSession(tables) as session:
        answers = [
            session.run(
                "SELECT count(*) AS n FROM visits WHERE person_id IN "
                f"(SELECT person_id FROM people WHERE {cohort})"
            )
            for cohort in (A, B, UNION)
        ]
    assert answers[2].rows == [[None]]
    assert answers[2].suppressed == [{"row": 0, "column": "n", "rule": "linked-differencing"}]


def test_row_counts_of_other_rows_are_not_combined(many_rows: Path) -> None:
    # Known limit, written down (SECURITY.md): a condition on the rows (here on a column that
    # happens to be the same on all of a person's rows) makes a count of other rows, which
    # the rules do not combine; counted in persons, the same cohorts are (the test above).
    with SandboxSession({"people": many_rows}) as session:
        answers = [
            session.run(f"SELECT count(*) AS n FROM people WHERE {cohort}") for cohort in (A, B, UNION)
        ]
    assert [a.suppressed for a in answers] == [[], [], []]


# Line totals: what the sum of a released line tells, remembered as what it is.


def test_a_line_total_of_persons_sharing_groups_is_not_recorded(tmp_path: Path) -> None:
    # GP 0-29, SPEC 29-58: person 29 had both kinds of claims.
    claims = write_rows(tmp_path / "claims", persons("GP", 30, rows_each=2) + persons("SPEC", 30, start=29))
    with SandboxSession({"claims": claims}) as session:
        groups = session.run(BY_KIND)
        union = session.run("SELECT count(DISTINCT person_id) AS n FROM claims")
    assert (groups.rows, groups.suppressed) == ([["GP", 30], ["SPEC", 30]], [])
    # Had the groups' sum (60) been recorded as the count of their 59 persons, this query of
    # exactly those persons would pass as already released.
    assert union.rows == [[None]]
    assert union.suppressed == [{"row": 0, "column": "n", "rule": "linked-differencing"}]


def test_a_line_total_of_rows_is_recorded_as_the_rows_of_everyone_in_the_line(tmp_path: Path) -> None:
    # Person 29 has claims of both kinds: the kinds' row counts add up to the rows of all
    # 59, which is released (the total) and recorded, so a later count of all rows but one
    # person's differs from it by that person: the pair rule (the linked rule alone would
    # have found it from the two groups).
    claims = write_rows(tmp_path / "claims", persons("GP", 30, rows_each=2) + persons("SPEC", 30, start=29))
    with SandboxSession({"claims": claims}) as session:
        groups = session.run("SELECT kind, count(*) AS n FROM claims GROUP BY kind ORDER BY kind")
        less_one = session.run("SELECT count(*) AS n FROM claims WHERE person_id <> 'p5'")
        total = session.run("SELECT count(*) AS n FROM claims")
    assert (groups.rows, groups.suppressed) == ([["GP", 60], ["SPEC", 30]], [])
    assert less_one.suppressed == [{"row": 0, "column": "n", "rule": Rule.DIFFERENCING.value}]
    assert (total.rows, total.suppressed) == ([[90]], [])


def test_the_line_totals_of_a_two_way_table_are_the_rows_of_their_common_group(tmp_path: Path) -> None:
    # Kind by flag: each kind's line adds up to that kind's rows, whatever the flag, and is
    # remembered as such: a later count of one kind's rows less one person is caught by the
    # pair rule against it.
    rows = (
        persons("GP", 20, rows_each=2)
        + persons("GP", 20, start=20, rows_each=2, flag=True)
        + persons("SPEC", 20, start=40, rows_each=3)
        + persons("SPEC", 20, start=60, rows_each=3, flag=True)
    )
    claims = write_rows(tmp_path / "claims", rows)
    with SandboxSession({"claims": claims}) as session:
        table = session.run(
            "SELECT kind, flag, count(*) AS n FROM claims GROUP BY kind, flag ORDER BY kind, flag"
        )
        by_kind = session.run(
            "SELECT kind, count(*) AS n FROM claims WHERE person_id <> 'p5' GROUP BY kind ORDER BY kind"
        )
    assert (table.rows, table.suppressed) == (
        [["GP", False, 40], ["GP", True, 40], ["SPEC", False, 60], ["SPEC", True, 60]],
        [],
    )
    assert by_kind.rows == [["GP", None], ["SPEC", None]]
    assert by_kind.suppressed == [
        {"row": 0, "column": "n", "rule": "differencing"},
        {"row": 1, "column": "n", "rule": "secondary"},
    ]


def test_a_count_of_persons_is_also_a_count_of_its_rows(tmp_path: Path) -> None:
    # p0..p29 have one claim each, p30 two: the first count is of persons (each gives 1)
    # and of rows; the second, of rows only (p30 gives 2), is compared with the first as
    # rows, and their difference is p30's claims.
    claims = write_rows(tmp_path / "claims", persons("GP", 30) + persons("GP", 1, start=30, rows_each=2))
    with SandboxSession({"claims": claims}) as session:
        first = session.run("SELECT count(*) AS n FROM claims WHERE person_id <> 'p30'")
        second = session.run("SELECT count(*) AS n FROM claims")
    assert (first.rows, first.suppressed) == ([[30]], [])
    assert second.suppressed == [{"row": 0, "column": "n", "rule": "differencing"}]
