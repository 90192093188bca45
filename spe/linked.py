"""Linked differencing: can sums and differences of released cells isolate a small group?

A released cell of one measure (a count, or the sum of one expression) is the sum over its
persons of their value. Whoever holds several released cells of that measure knows every
linear combination of them, with any coefficients: ``A + B - (A ∪ B)`` is the count of
``A ∩ B``. Such a combination depends exactly on the persons where its coefficients do not
cancel, so the rule is:

    A new cell is released only if no linear combination of it and the cells released
    before (same measure, coefficient of the new cell not zero) depends on the values of
    between 1 and ``min_persons - 1`` persons.

Two cells of cohorts differing by a few persons are the case of two (``spe.differencing``'s
pair rule); this rule covers any number. It is stricter than "no group smaller than the
threshold has its count in the span": it also refuses combinations such as ``x_a - x_b``
of two small groups, which tell the difference of two small counts.

How it is checked, exactly (rational arithmetic, no rounding):

1. Only the releases linked to the new cell by chains of shared persons matter (its
   connected component); a combination using releases outside it depends on their persons too.
2. The persons of the component fall into *atoms*: persons in exactly the same releases.
   Every combination is constant on an atom, so releases become 0/1 rows over atoms. Atoms
   are found with a 128-bit random signature per release (XOR over a person's releases),
   drawn afresh per check: two atoms merge only on a signature collision (probability
   below 2**-100 for the sizes here), which no one can aim at.
3. Atoms of ``min_persons`` or more persons are *big*; a combination on fewer than
   ``min_persons`` persons must cancel on every big atom. The earlier rows are brought to
   reduced row echelon form with big atoms first, and the new row is reduced against them
   (the remainder ``r``). If ``r`` is zero, the new cell is a combination of released ones
   and tells nothing new; if ``r`` is not zero on some big atom, no new combination avoids
   the big atoms (every new one contains ``r`` on the big atoms): released. Otherwise the new
   combinations are ``r + w`` with ``w`` in the span of the earlier rows that vanish on big
   atoms (only those linked to ``r`` by shared atoms: the others only add persons); their
   smallest support is found among the elementary (minimal-support) vectors of
   ``span(r, w...)``, each fixed by the atoms where it is zero, enumerated exactly. Atoms
   whose columns are multiples of one another over these rows are zero together in every
   combination: they are enumerated as one.

Cost and fallback: the check refuses (``Verdict.PAST_BOUND``: the cell is suppressed) when
it cannot decide within its bounds: a component of more than ``MAX_RELEASES`` releases, more
than ``MAX_ATOMS`` atoms, or more than ``MAX_SUPPORTS`` zero sets to enumerate. That is the
trade: a permit that releases hundreds of overlapping cells of one measure sees further
overlapping cells suppressed rather than checked. Not covered: bounds from non-negativity (a
combination that only *bounds* a small group), and combinations across measures.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from itertools import combinations
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from spe.errors import TooLarge

MAX_RELEASES = 200
MAX_ATOMS = 4_000
MAX_SUPPORTS = 500

Persons = npt.NDArray[np.uint64]
Number = TypeVar("Number", bound=np.generic)
Row = dict[int, Fraction]


@dataclass(frozen=True)
class Atoms:
    """The atoms of a family of releases: each release as the atoms it holds, each atom's size."""

    rows: list[list[int]]
    sizes: npt.NDArray[np.int64]


def as_persons(persons: frozenset[int] | Sequence[int] | npt.NDArray[np.uint64]) -> Persons:
    """A sorted array of distinct 64-bit person hashes."""
    if isinstance(persons, np.ndarray):
        return sorted_unique(persons.astype(np.uint64, copy=False))
    return sorted_unique(np.fromiter(persons, dtype=np.uint64, count=len(persons)))


def sorted_unique(values: npt.NDArray[Number], *, runs: bool = False) -> npt.NDArray[Number]:
    """``values`` sorted, each once: ``np.unique`` without its hash table, which costs
    about twenty times a sort on a million persons. ``runs``: the values are sorted arrays
    one after another, which a stable sort merges (faster than sorting them anew)."""
    return distinct(np.sort(values, kind="stable" if runs else None))


def distinct(ordered: npt.NDArray[Number]) -> npt.NDArray[Number]:
    """A sorted array, each value once (two persons whose hashes collide are one)."""
    if len(ordered) < 2:
        return ordered
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


def union_of(arrays: Sequence[Persons]) -> Persons:
    """The persons in any of ``arrays`` (sorted arrays of distinct persons), sorted, each once."""
    if not arrays:
        return np.zeros(0, dtype=np.uint64)
    if all(len(a) == len(arrays[0]) and np.array_equal(a, arrays[0]) for a in arrays[1:]):
        return arrays[0]
    return sorted_unique(np.concatenate(arrays), runs=True)


def atoms_of(family: Sequence[Persons]) -> Atoms:
    """Split the persons of ``family`` (sorted unique arrays) into atoms (see the module)."""
    sizes = np.array([len(f) for f in family], dtype=np.int64)
    if not sizes.sum():
        return Atoms([[] for _ in family], np.zeros(0, dtype=np.int64))
    everyone = np.concatenate(family)
    release = np.repeat(np.arange(len(family)), sizes)
    # A stable sort merges the family's sorted runs (several times faster than a quicksort
    # of the whole); XOR does not care in which order a person's releases come.
    order = np.argsort(everyone, kind="stable")
    everyone, release = everyone[order], release[order]
    starts = np.flatnonzero(np.r_[True, everyone[1:] != everyone[:-1]])
    person = np.cumsum(np.r_[False, everyone[1:] != everyone[:-1]])  # the entry's person index
    keys = np.frombuffer(secrets.token_bytes(16 * len(family)), dtype=np.uint64).reshape(-1, 2)
    signature = np.stack(
        [
            np.bitwise_xor.reduceat(keys[release, 0], starts),
            np.bitwise_xor.reduceat(keys[release, 1], starts),
        ],
        axis=1,
    )
    # The atoms are the distinct signatures: sorted by both halves (np.unique with an axis
    # does the same several times slower), numbered by run.
    by_signature = np.lexsort((signature[:, 1], signature[:, 0]))
    ordered = signature[by_signature]
    first = np.r_[True, (ordered[1:] != ordered[:-1]).any(axis=1)]
    atom = np.empty(len(signature), dtype=np.int64)
    atom[by_signature] = np.cumsum(first) - 1
    counts = np.diff(np.r_[np.flatnonzero(first), len(signature)])
    pairs = sorted_unique(release.astype(np.int64) * len(counts) + atom[person])
    rows: list[list[int]] = [[] for _ in family]
    for r, a in zip((pairs // len(counts)).tolist(), (pairs % len(counts)).tolist(), strict=True):
        rows[r].append(a)
    return Atoms(rows, counts.astype(np.int64))


class _Echelon:
    """Rows in reduced row echelon form over columns 0..n (lower columns pivot first)."""

    def __init__(self) -> None:
        self.rows: dict[int, Row] = {}  # pivot column -> row, the pivot entry is 1

    def reduce(self, row: Row) -> Row:
        v = dict(row)
        for col in [c for c in v if c in self.rows]:
            factor = v.get(col)
            if not factor:
                continue
            for c, x in self.rows[col].items():
                value = v.get(c, Fraction(0)) - factor * x
                if value:
                    v[c] = value
                else:
                    v.pop(c, None)
        return v

    def add(self, row: Row) -> Row:
        """Reduce ``row`` and keep its remainder (when not zero); returns the remainder."""
        v = self.reduce(row)
        if v:
            pivot = min(v)
            scale = v[pivot]
            v = {c: x / scale for c, x in v.items()}
            for other in self.rows.values():
                factor = other.get(pivot)
                if factor:
                    for c, x in v.items():
                        value = other.get(c, Fraction(0)) - factor * x
                        if value:
                            other[c] = value
                        else:
                            other.pop(c, None)
            self.rows[pivot] = v
        return v


def _smallest_new_support(r: Row, old: list[Row], weight: list[int], min_persons: int) -> int | None:
    """The fewest persons a combination ``r + w`` (``w`` in the span of ``old``) depends on,
    if below ``min_persons``; else None. Raises ``TooLarge`` past ``MAX_SUPPORTS`` cases."""
    basis, weight = _merge_parallel([r, *_sharing_columns(r, old)], weight)
    columns = sorted(set().union(*basis))
    smallest = None
    # An elementary vector of span(basis) (dimension d) is zero on d - 1 columns that fix it.
    cases = combinations(columns, len(basis) - 1)
    for n, zeros in enumerate(cases):
        if n >= MAX_SUPPORTS:
            raise TooLarge
        vector = _fixed_by(basis, zeros)
        if vector is None or not vector[0]:
            continue  # not one line, or inside the old span (coefficient of r is zero)
        combined: Row = {}
        for coefficient, row in zip(vector, basis, strict=True):
            if coefficient:
                for c, x in row.items():
                    combined[c] = combined.get(c, Fraction(0)) + coefficient * x
        persons = sum(weight[c] for c, x in combined.items() if x)
        if 0 < persons < min_persons and (smallest is None or persons < smallest):
            smallest = persons
    return smallest


def _merge_parallel(basis: list[Row], weight: list[int]) -> tuple[list[Row], list[int]]:
    """``basis`` with one column for each set of columns that are multiples of one another
    (over the basis rows), carrying their persons. Such columns are zero together in every
    combination of the rows, so a combination's support is unchanged, and far fewer zero
    sets are left to enumerate (atoms in the same releases of the basis are one column)."""
    classes: dict[tuple[Fraction, ...], list[int]] = {}
    for c in sorted(set().union(*basis)):
        column = [row.get(c, Fraction(0)) for row in basis]
        first = next(x for x in column if x)
        classes.setdefault(tuple(x / first for x in column), []).append(c)
    merged = list(weight)
    kept = set()
    for members in classes.values():
        merged[members[0]] = sum(weight[c] for c in members)
        kept.add(members[0])
    return [{c: x for c, x in row.items() if c in kept} for row in basis], merged


def _sharing_columns(r: Row, old: list[Row]) -> list[Row]:
    """The rows of ``old`` linked to ``r`` by shared columns. The others change nothing: a
    row of the echelon form is alone on its pivot, so adding one that shares no column with
    ``r`` and the rows linked to it only adds persons to a combination."""
    reached = set(r)
    linked: list[Row] = []
    waiting = list(old)
    grown = True
    while grown:
        grown = False
        for row in list(waiting):
            if not reached.isdisjoint(row):
                waiting.remove(row)
                linked.append(row)
                reached.update(row)
                grown = True
    return linked


def _fixed_by(basis: list[Row], zeros: tuple[int, ...]) -> list[Fraction] | None:
    """Coefficients of the one combination of ``basis`` that is zero on ``zeros`` (up to
    scale), or None when the combinations zero there are not exactly one line."""
    echelon = _Echelon()
    # Coefficient space: columns are the basis rows; each zero column is an equation.
    for col in zeros:
        echelon.add({i: row[col] for i, row in enumerate(basis) if col in row})
    free = [i for i in range(len(basis)) if i not in echelon.rows]
    if len(free) != 1:
        return None
    coefficients = [Fraction(0)] * len(basis)
    coefficients[free[0]] = Fraction(1)
    for pivot, row in echelon.rows.items():
        coefficients[pivot] = -row.get(free[0], Fraction(0))
    return coefficients


class Verdict(Enum):
    SAFE = "safe"
    ISOLATES = "isolates"  # a combination stands for fewer than min_persons persons
    PAST_BOUND = "past-bound"  # too large to check: suppressed in doubt


def linked_verdict(candidate: Persons, earlier: Sequence[Persons], min_persons: int) -> Verdict:
    """Whether some linear combination of ``candidate`` and ``earlier`` (one measure, the
    candidate's coefficient not zero) depends on between 1 and ``min_persons - 1`` persons.
    ``earlier`` should be the candidate's component; releases outside it change nothing."""
    if len(earlier) + 1 > MAX_RELEASES:
        return Verdict.PAST_BOUND
    found = atoms_of([candidate, *earlier])
    if len(found.sizes) > MAX_ATOMS:
        return Verdict.PAST_BOUND
    small = found.sizes < min_persons
    if not small.any():
        return Verdict.SAFE  # every combination that is not zero holds a big atom
    # Columns: big atoms first, so that pivots fall on big atoms whenever they can.
    order = np.argsort(small, kind="stable")
    column = np.empty_like(order)
    column[order] = np.arange(len(order))
    n_big = int((~small).sum())
    weight = found.sizes[order].tolist()
    echelon = _Echelon()
    for atoms in found.rows[1:]:
        echelon.add({int(column[a]): Fraction(1) for a in atoms})
    remainder = echelon.reduce({int(column[a]): Fraction(1) for a in found.rows[0]})
    if not remainder or min(remainder) < n_big:
        return Verdict.SAFE
    vanishing = [row for pivot, row in echelon.rows.items() if pivot >= n_big]
    try:
        found_small = _smallest_new_support(remainder, vanishing, weight, min_persons)
    except TooLarge:
        return Verdict.PAST_BOUND
    return Verdict.SAFE if found_small is None else Verdict.ISOLATES


def isolates_small_group(candidate: Persons, earlier: Sequence[Persons], min_persons: int) -> bool:
    """``linked_verdict`` as a bool: True (suppress) when it isolates or is past its bounds."""
    return linked_verdict(candidate, earlier, min_persons) is not Verdict.SAFE
