"""Linked differencing: sums and differences of three or more releases that isolate a small group."""

from __future__ import annotations

import itertools
import json
import sqlite3
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.db.engine import Catalog
from catalog.db.gateway import unit_of_work
from catalog.db.store import SqlStore
from catalog.demo import DEMO_PERMIT_ID, RESEARCHER
from catalog.people import users
from catalog.people.domain import Role
from common.layout import LakeLayout
from common.settings import Settings
from spe.differencing import PERSONS_MEASURE, Released, ReleaseHistory
from spe.differencing_history import ReleaseLog, history_path
from spe.disclosure import Rule
from spe.linked import as_persons, atoms_of, isolates_small_group
from spe.service import QUERY_EVENT, run_permit_query
from spe.session import SandboxSession
from tests.catalog.fixtures import catalog_url, demo_catalog  # noqa: F401 (fixtures)
from tests.catalog.fixtures import settings as catalog_settings  # noqa: F401
from tests.spe.factories import persons, write_rows

K = 10


def people(*ranges: range) -> frozenset[int]:
    return frozenset(i for r in ranges for i in r)


def count(*ranges: range) -> Released:
    return Released(PERSONS_MEASURE, people(*ranges))


def judged(history: ReleaseHistory, *cells: Released) -> list[Rule | None]:
    """Each cell judged in turn, recorded when released (what a run of queries does)."""
    rules = []
    for cell in cells:
        rule = history.rule_for([cell])
        if rule is None:
            history.record([cell])
        rules.append(rule)
    return rules


# A: 0..29, B: 29..59; they share one person (29).
A, B, UNION = count(range(30)), count(range(29, 60)), count(range(60))


def test_two_cohorts_and_their_union_give_away_the_one_person_they_share() -> None:
    # Each pair differs by 30 persons or more: the pair rule alone released all three.
    assert judged(ReleaseHistory(K), A, B, UNION) == [None, None, Rule.LINKED_DIFFERENCING]
    # In any order, the third is the one held back.
    assert judged(ReleaseHistory(K), UNION, A, B) == [None, None, Rule.LINKED_DIFFERENCING]


def test_overlapping_cohorts_sharing_enough_persons_are_released() -> None:
    # A ∩ B holds 10 persons, A - B 20, B - A 20: no combination stands for fewer than 10.
    a, b, union = count(range(30)), count(range(20, 50)), count(range(50))
    assert judged(ReleaseHistory(K), a, b, union) == [None, None, None]
    # The intersection itself is a fourth safe release (it is A + B - union, known already).
    assert judged(ReleaseHistory(K), a, b, union, count(range(20, 30))) == [None] * 4


def test_a_combination_with_a_coefficient_of_two_isolates_one_person() -> None:
    # P, Q, R of 20 persons each and z, one person: every pair differs by 20 or more, and
    # no three of them isolate z, but (A + B + C) / 2 - D = z.
    p, q, r, z = range(0, 20), range(20, 40), range(40, 60), range(60, 61)
    a, b, c, d = count(p, q), count(q, r, z), count(p, r), count(p, q, r)
    assert judged(ReleaseHistory(K), a, b, c, d) == [None, None, None, Rule.LINKED_DIFFERENCING]
    assert judged(ReleaseHistory(K), a, b, c) == [None, None, None]


def test_nested_cohorts_whose_signed_sum_isolates_a_region() -> None:
    # T ⊃ X, T ⊃ Y, X and Y disjoint: T - X - Y is what is left, 4 persons.
    t, x, y = count(range(54)), count(range(0, 25)), count(range(25, 50))
    assert judged(ReleaseHistory(K), t, x, y) == [None, None, Rule.LINKED_DIFFERENCING]


def test_other_measures_and_disjoint_cohorts_are_not_linked() -> None:
    history = ReleaseHistory(K)
    assert judged(history, A, B) == [None, None]
    assert judged(history, Released("sum:amount", UNION.persons)) == [None]
    assert judged(history, count(range(100, 140)), count(range(140, 180))) == [None, None]


def test_a_component_past_the_bound_is_suppressed_not_checked() -> None:
    history = ReleaseHistory(K, max_releases=4)
    chain = [count(range(20 * i, 20 * i + 40)) for i in range(4)]  # each overlaps the next by 20
    assert judged(history, *chain) == [None, None, None, None]
    assert judged(history, count(range(70, 130))) == [Rule.LINKED_DIFFERENCING]
    assert judged(history, count(range(500, 540))) == [None]  # unlinked: checked as usual


def test_atoms_are_the_persons_in_exactly_the_same_releases() -> None:
    found = atoms_of([as_persons(A.persons), as_persons(B.persons), as_persons(UNION.persons)])
    assert sorted(found.sizes.tolist()) == [1, 29, 30]
    assert sorted(len(row) for row in found.rows) == [2, 2, 3]


# Through sessions: the queries a researcher runs, and the permit's history on disk.


@pytest.fixture
def claims(tmp_path: Path) -> Path:
    return write_rows(
        tmp_path / "claims",
        persons("GP", 30) + persons("SPEC", 30, start=29) + persons("LAB", 20, start=100),
        columns=("person_id", "kind", "amount", "flag"),
    )


GP = "SELECT count(DISTINCT person_id) AS n FROM claims WHERE kind = 'GP'"
SPEC = "SELECT count(DISTINCT person_id) AS n FROM claims WHERE kind = 'SPEC'"
EITHER = "SELECT count(DISTINCT person_id) AS n FROM claims WHERE kind IN ('GP', 'SPEC')"


def test_three_queries_in_separate_sessions_of_one_permit(claims: Path, tmp_path: Path) -> None:
    log = tmp_path / "permit.releases.sqlite"
    answers = []
    for sql in (GP, SPEC, EITHER):
        with ReleaseLog(log) as releases:
            history = releases.history(K)
            with SandboxSession({"claims": claims}, history=history) as session:
                answers.append(session.run(sql))
            releases.save(history)
    assert [a.rows for a in answers] == [[[30]], [[30]], [[None]]]
    assert answers[2].suppressed == [{"row": 0, "column": "n", "rule": "linked-differencing"}]


def test_a_grouped_result_after_a_total_loses_the_cell_that_closes_the_sum(claims: Path) -> None:
    with SandboxSession({"claims": claims}) as session:
        total = session.run("SELECT count(DISTINCT person_id) AS n FROM claims WHERE kind <> 'LAB'")
        lab = session.run("SELECT count(DISTINCT person_id) AS n FROM claims WHERE kind = 'LAB'")
        both = session.run(
            "SELECT kind, count(DISTINCT person_id) AS n FROM claims WHERE kind IN ('GP', 'SPEC') "
            "GROUP BY kind ORDER BY kind"
        )
    assert (total.rows, lab.rows) == ([[59]], [[20]])
    # GP (30) and SPEC (30) share person 29: with the total (59), GP + SPEC - total = 1.
    assert both.rows == [["GP", None], ["SPEC", None]]
    assert sorted(e["rule"] for e in both.suppressed) == ["linked-differencing", "secondary"]


def test_the_history_of_an_older_file_is_indexed_when_opened(tmp_path: Path) -> None:
    log = tmp_path / "old.releases.sqlite"
    with ReleaseLog(log) as releases:
        history = releases.history(K)
        history.record([A, B])
        releases.save(history)
    # Take the file back to its earlier form: the released table alone.
    con = sqlite3.connect(log)
    con.execute("DROP TABLE members")
    con.execute("DROP TABLE measures")
    con.execute("DROP INDEX released_component")
    con.execute("ALTER TABLE released DROP COLUMN component")
    con.commit()
    con.close()
    with ReleaseLog(log) as releases:
        assert releases.history(K).rule_for([UNION]) is Rule.LINKED_DIFFERENCING
        assert releases.history(K).rule_for([count(range(10, 50))]) is None


# Property: whatever a researcher asks, no combination of what was released isolates a small group.


def isolating_combination(family: list[frozenset[int]], k: int) -> tuple[int, ...] | None:
    """Brute force: coefficients in {-1, 0, 1} whose combination stands for 1..k-1 persons."""
    for coefficients in itertools.product((-1, 0, 1), repeat=len(family)):
        weights: dict[int, int] = {}
        for coefficient, cohort in zip(coefficients, family, strict=True):
            for person in cohort:
                weights[person] = weights.get(person, 0) + coefficient
        if 0 < sum(1 for w in weights.values() if w) < k:
            return coefficients
    return None


families = st.lists(st.frozensets(st.integers(0, 11), min_size=1, max_size=12), min_size=1, max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(families, st.integers(2, 4))
def test_no_released_family_isolates_a_small_group(asked: list[frozenset[int]], k: int) -> None:
    history = ReleaseHistory(k)
    cells = [Released(PERSONS_MEASURE, a) for a in asked]
    rules = judged(history, *cells)
    released = [c.persons for c, rule in zip(cells, rules, strict=True) if rule is None]
    assert isolating_combination(released, k) is None
    # And a cohort that adds nothing (the same as one released) is never held back.
    if released:
        assert history.rule_for([Released(PERSONS_MEASURE, released[0])]) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(families, st.integers(2, 4))
def test_the_history_on_disk_decides_as_one_session_does(asked: list[frozenset[int]], k: int) -> None:
    cells = [Released(PERSONS_MEASURE, a) for a in asked]
    in_memory = judged(ReleaseHistory(k), *cells)
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "permit.releases.sqlite"
        on_disk = []
        for cell in cells:  # each query its own session
            with ReleaseLog(log) as releases:
                history = releases.history(k)
                on_disk.extend(judged(history, cell))
                releases.save(history)
    assert on_disk == in_memory


def test_every_isolating_combination_of_small_families_is_caught() -> None:
    """Over many small families: when a {-1, 0, 1} combination isolates a group only with
    the candidate, the check suppresses it; and it does not suppress everything."""
    cohorts = [frozenset(c) for n in (3, 4, 5) for c in itertools.combinations(range(8), n)][::11]
    caught = passed = 0
    for earlier in itertools.combinations(cohorts, 2):
        if isolating_combination(list(earlier), 3) is not None:
            continue
        for candidate in cohorts:
            found = isolates_small_group(as_persons(candidate), [as_persons(e) for e in earlier], 3)
            if isolating_combination([*earlier, candidate], 3) is not None:
                assert found, (earlier, candidate)
                caught += 1
            elif not found:
                passed += 1
    assert caught > 100 and passed > 100


# Through the audited entry point the CLI and the portal call.


def _publish(settings: Settings) -> None:
    table = LakeLayout(settings.lake).permit_table(DEMO_PERMIT_ID, "claims")
    write_rows(table, persons("GP", 30) + persons("SPEC", 30, start=29) + persons("LAB", 20, start=100))


@pytest.mark.usefixtures("demo")
def test_two_users_of_a_permit_cannot_link_their_releases(
    demo_catalog: Catalog,  # noqa: F811
    catalog_settings: Settings,  # noqa: F811
) -> None:
    settings = catalog_settings
    _publish(settings)
    colleague = "colleague@demo"
    with unit_of_work(settings) as store:
        users.create_user(store, store.get_user("system"), colleague, {Role.RESEARCHER}, "a long password 12")
        permit = store.get_application(DEMO_PERMIT_ID)
        store.update_application(replace(permit, data_users=(*permit.data_users, colleague)))
    first = run_permit_query(DEMO_PERMIT_ID, RESEARCHER, GP, settings).result
    second = run_permit_query(DEMO_PERMIT_ID, colleague, SPEC, settings).result
    third = run_permit_query(DEMO_PERMIT_ID, RESEARCHER, EITHER, settings).result
    assert [first.rows, second.rows, third.rows] == [[[30]], [[30]], [[None]]]
    assert third.suppressed == [{"row": 0, "column": "n", "rule": "linked-differencing"}]
    with demo_catalog.session() as session:
        entries = [e for e in SqlStore(session).audit_entries() if e.action == QUERY_EVENT]
    assert [(e.actor, e.details["status"], e.details["rules"], e.details["suppressed"]) for e in entries] == [
        (RESEARCHER, "ok", [], 0),
        (colleague, "ok", [], 0),
        (RESEARCHER, "ok", ["linked-differencing"], 1),
    ]
    written = json.dumps([{k: v for k, v in e.details.items() if k != "sql_sha256"} for e in entries])
    for fragment in ("SELECT", "GP", "SPEC", "p29", "30", "59"):
        assert fragment not in written
    content = history_path(settings, DEMO_PERMIT_ID).read_bytes()
    for raw in (b"p29", b"GP", b"SELECT"):
        assert raw not in content
