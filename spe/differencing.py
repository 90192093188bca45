"""Differencing across a permit's outputs.

Every released aggregate is remembered with what it measures (counts of persons or rows,
or the sum of one expression) and the set of persons behind it, as 64-bit hashes computed
inside the sandbox. The sets are never returned or logged; ``spe.differencing_history`` keeps them
across sessions, per permit (every user of a permit: a team can difference as well as one
person). A new cell whose persons differ from an earlier released cell of
the same measure by fewer than ``min_persons`` persons in all (the symmetric difference;
for example two counts whose cohorts differ by a few persons) would let the difference
reveal a small group: it is suppressed.

Known limit: only pairs are compared. Combinations of three or more outputs (A - B - C)
are covered within one result by secondary suppression, not across results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from spe.disclosure import Rule
from spe.errors import CellDisclosive

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
    """What has been released so far, per measure.

    ``load`` gives the releases of one measure kept from earlier sessions (``spe.differencing_history``),
    read the first time a measure is needed; ``new`` lists what this session added.
    """

    min_persons: int
    load: Callable[[str], Iterable[Released]] | None = None
    new: list[Released] = field(default_factory=list)
    _released: dict[str, list[Released]] = field(default_factory=dict)

    def _of(self, measure: str) -> list[Released]:
        if measure not in self._released:
            self._released[measure] = list(self.load(measure)) if self.load else []
        return self._released[measure]

    def can_release(self, cells: Iterable[Released]) -> bool:
        """True when none of ``cells`` (the aggregates of one output cell) differences badly,
        with the earlier releases or with each other (``sum(x) - sum(x) FILTER (...)``)."""
        together = list(cells)
        return all(
            can_release_beside(c, [*self._of(c.measure), *together[:i]], self.min_persons)
            for i, c in enumerate(together)
        )

    def record(self, cells: Iterable[Released]) -> None:
        for cell in cells:
            released = self._of(cell.measure)
            if cell not in released:
                released.append(cell)
                self.new.append(cell)
