"""Secondary suppression: suppressed cells must not be recomputable from margins.

The output of a GROUP BY over keys k1..kn is a table; its *lines* are the sets of rows
that share every key but one (for one key: the whole output). A researcher can learn a
line's total from another query, so in every line that has a suppressed cell:

- at least two cells are suppressed, and together they stand for at least ``min_persons``
  persons (else the difference with the total reveals a small group); and
- no primarily suppressed cell is determined by the system of line equations (the audit:
  the cell's unit vector must not lie in the row space of the line-membership matrix).
  A cell that is alone in its line in some dimension is its own margin (grand total minus
  the other lines' totals): no suppression in this table can protect it, so the audit
  skips it; the query that would publish that margin protects it, and the differencing
  check compares the two.

Cells are added smallest first until both hold or the line has nothing left to suppress.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from spe.linked import Persons, union_of

Key = tuple[object, ...]
MAX_AUDITED_CELLS = 2_000


def _all_lines(keys: Sequence[Key]) -> list[list[int]]:
    if not keys or not keys[0]:
        return []
    lines: list[list[int]] = []
    for dim in range(len(keys[0])):
        groups: dict[Key, list[int]] = defaultdict(list)
        for row, key in enumerate(keys):
            groups[key[:dim] + key[dim + 1 :]].append(row)
        lines.extend(groups.values())
    return lines


def lines_of(keys: Sequence[Key]) -> list[list[int]]:
    """Row indexes of every line: rows sharing all keys but one, per dimension (size ≥ 2)."""
    return [rows for rows in _all_lines(keys) if len(rows) > 1]


def alone_in_a_line(keys: Sequence[Key]) -> set[int]:
    """Rows that are the only cell of their line in some dimension (for two or more keys)."""
    if not keys or len(keys[0]) < 2:
        return set()
    return {rows[0] for rows in _all_lines(keys) if len(rows) == 1}


def _determined(cells: list[int], lines: list[list[int]]) -> set[int]:
    """Cells whose value follows from the line totals and the released cells."""
    if not cells or len(cells) > MAX_AUDITED_CELLS:
        return set()
    position = {cell: i for i, cell in enumerate(cells)}
    equations = [
        [1.0 if c in set(line) else 0.0 for c in cells] for line in lines if any(c in position for c in line)
    ]
    if not equations:
        return set()
    matrix = np.array(equations)
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for cell, i in position.items():
        unit = np.zeros(len(cells))
        unit[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(cell)
    return found


def secondary_suppression(
    keys: Sequence[Key], persons: Sequence[Persons], suppressed: set[int], min_persons: int
) -> set[int]:
    """Rows to suppress in addition to ``suppressed`` (one value column) so margins reveal nothing.

    ``keys`` are the rows' grouping keys, ``persons`` the persons behind each row's cell.
    """
    lines = lines_of(keys)
    primary = set(suppressed)
    audited = primary - alone_in_a_line(keys)
    hidden = set(suppressed)

    def add_one(line: list[int]) -> bool:
        free = [r for r in line if r not in hidden]
        if not free:
            return False
        hidden.add(min(free, key=lambda r: (len(persons[r]), r)))
        return True

    changed = True
    while changed:
        changed = False
        for line in lines:
            inside = [r for r in line if r in hidden]
            if not inside:
                continue
            together = len(union_of([persons[r] for r in inside]))
            if (len(inside) < 2 or together < min_persons) and add_one(line):
                changed = True
        if changed:
            continue
        for cell in sorted(_determined(sorted(hidden), lines) & audited):
            for line in lines:
                if cell in line and add_one(line):
                    changed = True
                    break
            if changed:
                break
    return hidden - primary
