"""Differencing across a permit's outputs.

Every released aggregate is remembered with what it measures and the set of persons behind
it, as 64-bit hashes computed inside the sandbox. A released number is the sum over its
persons of what each contributes, and only numbers that sum the same contribution are
combined, so the measure says what is counted:

- ``persons``: persons, each counted once: ``count(DISTINCT person_id)``, and any count (or
  sum of a 0/1 value) to which every person behind the cell contributes exactly 1, such as
  ``count(*)`` on a table of one row per person (in an anonymised dataset, its records),
  which is then a count of rows as well (both are remembered);
- ``rows:<tables>``: rows of those tables (joined), when some person contributes more than
  one (``count(*) FROM pharmacy``), whatever WHERE or FILTER chose the rows;
- ``distinct:<tables>:<expression>``: distinct values (``count(DISTINCT atc_code)``), which
  is no sum over persons;
- ``sum:<expression>``: sums and means of one expression.

A row count and a person count over the same persons are two measures: the linked rule
never combines them (which leaves ``rows - persons`` out of it, see SECURITY.md).

Every count-like cell (a count of any kind, or a sum or mean of a 0/1 value) is also
remembered under one more measure, ``count`` (``PAIR_MEASURE``), as the SPE did before
measures: all such cells in one, judged by the pair rule alone, against this session's
releases and every stored release of it. This keeps the earlier coverage of pairs whatever
the counts count: ``count(*) ... WHERE age < 30`` and ``... WHERE age < 31`` on a table of
several rows per person count different rows (two ``rows`` measures) of persons who differ
by a few. Release histories written before measures hold their count-like releases under
that name, and are read as it.

The sets are never returned or logged; ``spe.differencing_history`` keeps them across
sessions, per permit (every user of a permit: a team can difference as well as one person).
Two rules judge a new cell against the releases of the same measure:

- the pair rule (``Rule.DIFFERENCING``): a cell whose persons differ from one earlier
  released cell by fewer than ``min_persons`` persons in all (the symmetric difference; for
  example two counts whose cohorts differ by a few persons) is suppressed;
- the linked rule (``Rule.LINKED_DIFFERENCING``, ``spe.linked``): a cell that, with the
  earlier releases linked to it by shared persons, lets some sum and difference of released
  values depend on fewer than ``min_persons`` persons (``A + B - (A ∪ B)`` is ``A ∩ B``) is
  suppressed; so is a cell whose linked releases are too many to check.

The pair rule is the linked rule's two-release case; it runs first so that its name stays
on the cases it always caught.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from spe.disclosure import Rule
from spe.errors import CellDisclosive
from spe.linked import MAX_RELEASES, Persons, Verdict, as_persons, linked_verdict

PERSONS_MEASURE = "persons"  # persons, each once
# Every count-like cell, whatever it counts: the pair rule only. Release histories written
# before measures hold their count-like cells under this name, so they are read as it.
PAIR_MEASURE = "count"


def rows_measure(tables: Sequence[str], selection: str) -> str:
    """The measure of a count of the rows of ``tables`` joined on the person (in any order)
    that ``selection`` (conditions on the rows, not on the person alone) keeps."""
    return f"rows:{','.join(sorted(tables))}|{selection}"


def distinct_measure(tables: Sequence[str], selection: str, expression: str) -> str:
    """The measure of a count of the distinct values of ``expression`` over those rows."""
    return f"distinct:{','.join(sorted(tables))}|{selection}|{expression}"


def in_group(measure: str, keys: Sequence[str], values: Sequence[object]) -> str:
    """The measure of a cell of the group where the key expressions ``keys`` have ``values``:
    a group is a condition on rows, for a count of rows or of distinct values."""
    if not measure.startswith(("rows:", "distinct:")):
        return measure
    return measure + "".join(f"|{key}={value!r}" for key, value in zip(keys, values, strict=True))


@dataclass(frozen=True, eq=False)
class Released:
    """What releasing a cell tells: its measure over its persons, kept as a sorted array of
    distinct 64-bit hashes (any collection of them is accepted, and sorted once here)."""

    measure: str
    persons: Persons

    def __post_init__(self) -> None:
        persons = self.persons
        if not (isinstance(persons, np.ndarray) and persons.dtype == np.uint64 and _increasing(persons)):
            object.__setattr__(self, "persons", as_persons(persons))

    @property
    def array(self) -> Persons:
        return self.persons


def _increasing(persons: Persons) -> bool:
    return len(persons) < 2 or bool((persons[1:] > persons[:-1]).all())


def can_release_beside(candidate: Released, earlier: Iterable[Released], min_persons: int) -> bool:
    """False when ``candidate`` and an earlier release of the same measure differ by a small group."""
    for old in earlier:
        if old.measure != candidate.measure:
            continue
        # The difference of the two values depends only on the persons in exactly one of
        # the two cohorts: it must stand for at least min_persons of them (nested cohorts
        # are the common case, where one side is empty).
        if _differ_by_fewer(candidate.array, old.array, min_persons):
            return False
    return True


def check_release_beside(candidate: Released, earlier: Iterable[Released], min_persons: int) -> None:
    """Raise ``CellDisclosive`` (differencing) when ``can_release_beside`` is false."""
    if not can_release_beside(candidate, earlier, min_persons):
        raise CellDisclosive(Rule.DIFFERENCING)


class ReleaseStore(Protocol):
    """Where earlier sessions' releases are kept (``spe.differencing_history.ReleaseLog``)."""

    def linked(
        self, measure: str, persons: Sequence[Persons], known: set[int], limit: int
    ) -> dict[int, Persons] | None:
        """The stored releases of ``measure`` linked to any of the person arrays ``persons``
        by chains of shared persons (whole components), by id, less ``known``; None when
        more than ``limit``."""
        ...

    def holds(self, measure: str, persons: Persons) -> bool:
        """Whether the very release ``measure`` over exactly ``persons`` is stored."""
        ...

    def near(self, measure: str, size: int, spread: int) -> Iterable[Persons]:
        """The stored releases of ``measure`` of ``size - spread`` to ``size + spread`` persons."""
        ...


def _differ_by_fewer(a: Persons, b: Persons, n: int) -> bool:
    """Whether two different sorted person arrays differ by fewer than ``n`` persons (equal
    arrays are one cohort released twice: no difference to fear)."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if len(large) - len(small) >= n:
        return False  # most pairs of cohorts differ by much more than their sizes' gap
    if len(a) == len(b) and np.array_equal(a, b):
        return False
    if _differ_below(a, b) >= n:
        return False
    return len(a) + len(b) - 2 * _shared(small, large) < n


# Persons compared first, from the front of two large arrays (see ``_below``).
_PREFIX = 4_096


def _below(a: Persons, b: Persons) -> tuple[Persons, Persons] | None:
    """The persons of ``a`` and of ``b`` up to the smaller of their ``_PREFIX``-th hashes,
    or None when either is not longer than that. Up to that value both are complete, so
    what they share or not there, they share or not in all: an exact part of the whole
    comparison, at the cost of a few thousand persons instead of millions (hashes are
    uniform, so two cohorts that differ much differ there too)."""
    if len(a) <= _PREFIX or len(b) <= _PREFIX:
        return None
    bound = min(a[_PREFIX - 1], b[_PREFIX - 1])
    return a[: np.searchsorted(a, bound, side="right")], b[: np.searchsorted(b, bound, side="right")]


def _differ_below(a: Persons, b: Persons) -> int:
    """A lower bound of how many persons are in exactly one of ``a`` and ``b``: those below
    the prefixes' bound (0 when the arrays are short: then the exact count is cheap)."""
    fronts = _below(a, b)
    if fronts is None:
        return 0
    small, large = sorted(fronts, key=len)
    return len(small) + len(large) - 2 * _shared(small, large)


def _shared(small: Persons, large: Persons) -> int:
    """How many persons two sorted arrays of distinct persons share: a binary search of each
    of the smaller's in the larger (no sort, no copy of the larger)."""
    if not len(small) or not len(large):
        return 0
    at = np.searchsorted(large, small)
    at[at == len(large)] = 0
    return int(np.count_nonzero(large[at] == small))


def _overlaps(a: Persons, b: Persons) -> bool:
    """Whether two sorted arrays of distinct persons share a person."""
    if not len(a) or not len(b) or a[-1] < b[0] or b[-1] < a[0]:
        return False
    fronts = _below(a, b)
    if fronts is not None and _shared(*sorted(fronts, key=len)) > 0:
        return True
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return _shared(small, large) > 0


@dataclass
class ReleaseHistory:
    """What has been released so far: earlier sessions' releases in ``store`` (none when it
    is None), and ``new``, what this session added.

    ``rule_for`` judges a cell against both, with the pair rule (``Rule.DIFFERENCING``) and
    the linked rule (``Rule.LINKED_DIFFERENCING``, ``spe.linked``) over the cell's component;
    a cell of ``PAIR_MEASURE`` with the pair rule alone, against every release of it.
    """

    min_persons: int
    store: ReleaseStore | None = None
    new: list[Released] = field(default_factory=list)
    max_releases: int = MAX_RELEASES  # past this many linked releases, the check suppresses
    past_bound: int = 0  # how many checks suppressed because they were past their bounds

    def rule_for(
        self, cells: Iterable[Released], beside: Sequence[Released] = (), *, linked: bool = True
    ) -> Rule | None:
        """The rule that suppresses ``cells`` (the aggregates of one output cell), or None.

        Each is judged against the releases so far, ``beside`` (cells accepted earlier in
        the same result) and the ones before it in ``cells`` (``sum(x) - sum(x) FILTER (...)``);
        with ``linked`` false, by the pair rule only (against this session's releases and
        ``beside``, then the stored ones the linked search finds).
        """
        together = list(cells)
        for i, cell in enumerate(together):
            rule = self._rule(cell, [*beside, *together[:i]], linked)
            if rule is not None:
                return rule
        return None

    def can_release(self, cells: Iterable[Released], beside: Sequence[Released] = ()) -> bool:
        return self.rule_for(cells, beside) is None

    def _rule(self, candidate: Released, extra: list[Released], linked: bool) -> Rule | None:
        pool = [r for r in (*self.new, *extra) if r.measure == candidate.measure]
        if not can_release_beside(candidate, pool, self.min_persons):
            return Rule.DIFFERENCING
        persons = candidate.array
        if any(_equal(persons, old.array) for old in pool):
            # Released already in this session, exactly: the same sum of the same persons
            # adds nothing to any sum or difference (the linked rule finds the same).
            return None
        if self.store is not None and self.store.holds(candidate.measure, persons):
            # Released before, exactly: it adds no value to any sum or difference of the
            # releases (the pair rule treats equal cohorts alike), and it was judged then.
            return None
        if candidate.measure == PAIR_MEASURE:
            return self._pair_only(persons)
        component = self._component(candidate, persons, pool)
        if component is None:
            self.past_bound += 1
            return Rule.LINKED_DIFFERENCING  # too many linked releases to check: in doubt
        stored, in_memory = component
        if any(_differ_by_fewer(persons, old, self.min_persons) for old in stored):
            return Rule.DIFFERENCING
        if not linked:
            return None
        verdict = linked_verdict(persons, [*stored, *in_memory], self.min_persons)
        if verdict is Verdict.SAFE:
            return None
        self.past_bound += verdict is Verdict.PAST_BOUND
        return Rule.LINKED_DIFFERENCING

    def _pair_only(self, persons: Persons) -> Rule | None:
        """The pair rule against the stored releases of ``PAIR_MEASURE``: only those within
        ``min_persons - 1`` persons of the cell's size can differ from it by fewer."""
        if self.store is None:
            return None
        near = self.store.near(PAIR_MEASURE, len(persons), self.min_persons - 1)
        if any(_differ_by_fewer(persons, old, self.min_persons) for old in near):
            return Rule.DIFFERENCING
        return None

    def _component(
        self, candidate: Released, persons: Persons, pool: list[Released]
    ) -> tuple[list[Persons], list[Persons]] | None:
        """The stored and in-memory releases linked to ``candidate`` by shared persons; None
        past ``max_releases``. Stored components come whole from the store; a
        release of this session can join two of them, so the search goes on until nothing
        more is linked."""
        stored: dict[int, Persons] = {}
        waiting = {i: r.array for i, r in enumerate(pool)}
        linked: list[Persons] = []
        added = [persons]
        ask_store = [persons]
        while added:
            if self.store is not None and ask_store:
                limit = self.max_releases - len(stored) - len(linked) - 1
                found = self.store.linked(candidate.measure, ask_store, set(stored), limit)
                if found is None:
                    return None
                stored.update(found)
                added.extend(found.values())
            ask_store = []
            grown: list[Persons] = []
            while waiting and added:
                reached, added = added, []
                for i, other in list(waiting.items()):
                    if any(_overlaps(other, one) for one in reached):
                        del waiting[i]
                        added.append(other)
                        ask_store.append(other)
                grown.extend(added)
            linked.extend(grown)
            added = grown
            if len(stored) + len(linked) + 1 > self.max_releases:
                return None
        return list(stored.values()), linked

    def record(self, cells: Iterable[Released]) -> None:
        for cell in cells:
            if not any(_same(cell, old) for old in self.new):
                self.new.append(cell)


def _same(a: Released, b: Released) -> bool:
    """The same measure over the same persons."""
    return a is b or (a.measure == b.measure and _equal(a.persons, b.persons))


def _equal(a: Persons, b: Persons) -> bool:
    return a is b or (len(a) == len(b) and bool(np.array_equal(a, b)))
