"""Differencing across a session's outputs.

Every released aggregate is remembered with what it measures (counts of persons or rows,
or the sum of one expression) and the set of persons behind it, as 64-bit hashes computed
inside the sandbox. The sets live only in this process's memory for the session and are
never returned or logged. A new cell whose persons differ from an earlier released cell of
the same measure by fewer than ``min_persons`` persons in all (the symmetric difference;
for example two counts whose cohorts differ by a few persons) would let the difference
reveal a small group: it is suppressed.

Known limit: only pairs are compared. Combinations of three or more outputs (A - B - C)
are covered within one result by secondary suppression, not across results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from spe.disclosure import CellDisclosive, Rule

COUNT_MEASURE = "count"


@dataclass(frozen=True)
class Released:
    measure: str
    persons: frozenset[int]


def can_release_beside(candidate: Released, earlier: Iterable[Released], min_persons: int) -> bool:
    """False when ``candidate`` and an earlier release of the same measure differ by a small group."""
    for old in earlier:
        if old.measure != candidate.measure or old.persons == candidate.persons:
            continue
        # The difference of the two values depends only on the persons in exactly one of
        # the two cohorts: it must stand for at least min_persons of them (nested cohorts
        # are the common case, where one side is empty).
        if not differ_by_at_least(candidate.persons, old.persons, min_persons):
            return False
    return True


def differ_by_at_least(a: frozenset[int], b: frozenset[int], n: int) -> bool:
    """Whether ``len(a ^ b) >= n``, stopping early: most pairs of cohorts differ a lot."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if len(large) - len(small) >= n:
        return True
    missing = 0
    for person in small:
        if person not in large:
            missing += 1
            if missing >= n:
                return True
    # |small - large| = missing; |large - small| = |large| - (|small| - missing).
    return 2 * missing + len(large) - len(small) >= n


def check_release_beside(candidate: Released, earlier: Iterable[Released], min_persons: int) -> None:
    """Raise ``CellDisclosive`` (differencing) when ``can_release_beside`` is false."""
    if not can_release_beside(candidate, earlier, min_persons):
        raise CellDisclosive(Rule.DIFFERENCING)


@dataclass
class ReleaseHistory:
    """What a session has released so far, per measure."""

    min_persons: int
    _released: dict[str, list[Released]] = field(default_factory=lambda: defaultdict(list))

    def can_release(self, cells: Iterable[Released]) -> bool:
        """True when none of ``cells`` (the aggregates of one output cell) differences badly,
        with the earlier releases or with each other (``sum(x) - sum(x) FILTER (...)``)."""
        together = list(cells)
        return all(can_release_beside(c, [*self._released[c.measure], *together[:i]], self.min_persons)
                   for i, c in enumerate(together))

    def record(self, cells: Iterable[Released]) -> None:
        for cell in cells:
            if cell not in self._released[cell.measure]:
                self._released[cell.measure].append(cell)

    def __len__(self) -> int:
        return sum(len(v) for v in self._released.values())
