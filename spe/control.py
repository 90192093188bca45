"""Disclosure control of one query result, from the query's companion data.

Order of work: groups behind fewer than ``min_persons`` persons are left out (their absence
then reads as "zero or small", the same as a true zero, and no note says that any were);
each remaining cell gets the
primary rules (``spe.disclosure``), then the differencing check of cells and of the totals
that can be added up from them against what the permit released before (``spe.differencing``,
pairs), then secondary suppression per value column (``spe.secondary``), then the linked
check of the cells still shown (sums and differences with every linked release) and
secondary suppression again if it held one back, then optional rounding. The persons
behind cells never leave this module; reports name the row, the column and the rule, never
a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from spe.differencing import PAIR_MEASURE, PERSONS_MEASURE, Released, ReleaseHistory, in_group
from spe.disclosure import CellStats, DisclosureSettings, Rule, cell_rule, round_count
from spe.errors import QueryRefused
from spe.linked import Persons, distinct, union_of
from spe.secondary import lines_of, secondary_suppression
from spe.shape import Aggregate, Measure, QueryShape

Key = tuple[Any, ...]


@dataclass
class Group:
    """One group of the result as the companion query sees it (never shown to anyone).

    Persons are sorted arrays of their 64-bit hashes (``spe.linked.Persons``)."""

    persons: Persons
    # Per aggregate: the rule inputs and the contributing persons (for a mean, those with a
    # value), then what releasing it tells: measures (before the group's keys qualify them,
    # ``in_group``) over persons; a mean of a 0/1 value also tells the count of its 1s, a
    # count in disguise.
    aggregates: list[tuple[CellStats, Persons]] = field(default_factory=list)
    told: list[list[tuple[str, Persons]]] = field(default_factory=list)


@dataclass
class Controlled:
    columns: list[str]
    rows: list[list[Any]]
    suppressed: list[dict[str, Any]]


_NOBODY: Persons = np.zeros(0, dtype=np.uint64)


def _persons_of(column: pa.ChunkedArray, flags: Sequence[str]) -> list[tuple[Persons, dict[str, Persons]]]:
    """Each group's persons and, per flag of ``grouped_companion_sql``'s structs (``c0``,
    ``z0``...), the persons for whom it is true: sorted arrays read from the Arrow buffers
    (millions of persons never become Python objects), each sorted once per group."""
    lists = column.combine_chunks()
    structs = lists.values
    hashes = structs.field("h")
    if hashes.null_count:
        raise QueryRefused("rows without a person cannot be traced by disclosure control", "shape")
    values = hashes.to_numpy()
    marks = {name: structs.field(name).to_numpy(zero_copy_only=False) for name in flags}
    offsets = lists.offsets.to_numpy()
    empty = lists.is_null().to_numpy(zero_copy_only=False)
    groups = []
    for row in range(len(lists)):
        start, end = (offsets[row], offsets[row]) if empty[row] else (offsets[row], offsets[row + 1])
        chunk = values[start:end]
        partial = {name: mark[start:end] for name, mark in marks.items() if not mark[start:end].all()}
        if not partial:  # every flag true for everyone, as for most counts: one sort
            everyone = distinct(np.sort(chunk))
            groups.append((everyone, dict.fromkeys(flags, everyone)))
            continue
        order = np.argsort(chunk)
        ordered = chunk[order]
        everyone = distinct(ordered)
        groups.append(
            (
                everyone,
                {
                    name: distinct(ordered[partial[name][order]]) if name in partial else everyone
                    for name in flags
                },
            )
        )
    return groups


def group_companion(shape: QueryShape, companion: pa.Table) -> dict[int, Group]:
    """Rows of ``grouped_companion_sql`` (the group's id, its persons, then four columns
    per aggregate) by the group's id (``spe.shape.GROUP_ID``)."""
    ids = companion.column(0).to_pylist()
    if len(set(ids)) != len(ids):
        raise QueryRefused(
            "disclosure control could not tell the result's groups apart; simplify the grouping expressions"
        )
    flags = [
        f"{kind}{i}"
        for i, agg in enumerate(shape.aggregates)
        for kind in ("cz" if agg.measure is Measure.MEAN else "c")
    ]
    persons = _persons_of(companion.column(1), flags)
    figures = [companion.column(j).to_pylist() for j in range(2, 2 + 4 * len(shape.aggregates))]
    groups: dict[int, Group] = {}
    for row, group_id in enumerate(ids):
        everyone, flagged = persons[row]
        group = Group(persons=everyone)
        for i, agg in enumerate(shape.aggregates):
            largest, total, zero_one, inputs = (column[row] for column in figures[4 * i : 4 * i + 4])
            who, nonzero = flagged[f"c{i}"], flagged.get(f"z{i}", _NOBODY)
            count_like = agg.measure is Measure.COUNT or (len(who) > 0 and bool(zero_one))
            sizes = tuple(largest or ()), float(total or 0.0)
            told: list[tuple[str, Persons]]
            if agg.measure is Measure.MEAN:
                stats = CellStats(count_like, len(nonzero), *sizes, denominator=len(who))
                if count_like:  # a proportion: the count of its values and of its 1s
                    once = (inputs or 0) == len(who)
                    told = [(m, who) for m in _counted(agg, once, agg.present_rows)]
                    told += [(m, nonzero) for m in _counted(agg, sizes[1] == len(nonzero), agg.rows)]
                    told += [(PAIR_MEASURE, who), (PAIR_MEASURE, nonzero)]
                else:
                    told = [(agg.measured, who)]
            else:
                stats = CellStats(count_like, len(who), *sizes)
                once = sizes[1] == len(who)
                measured = _counted(agg, once, agg.rows) if count_like else [agg.measured]
                told = [(m, who) for m in measured]
                if count_like:
                    told.append((PAIR_MEASURE, who))
            group.aggregates.append((stats, who))
            group.told.append(told)
        groups[group_id] = group
    return groups


def _counted(aggregate: Aggregate, once: bool, rows: str) -> list[str]:
    """The measures of a count, or of a count in disguise (a sum or mean of a 0/1 value),
    whose contributors each gave 1 when ``once``: then it counts persons, whatever the SQL
    (``count(*)`` on a table of one row per person), and its ``rows`` as well (so that the
    same rows with one person more, who gave 2, are compared with it); else only rows, or
    distinct values (``spe.differencing``)."""
    if aggregate.measured == PERSONS_MEASURE:
        return [PERSONS_MEASURE]
    if once and aggregate.additive:
        return [PERSONS_MEASURE, rows]
    return [aggregate.measured if aggregate.measure is Measure.COUNT else rows]


def _line_total(
    shape: QueryShape, aggregate: Aggregate, released: list[list[Released]], keys: list[Key]
) -> list[Released]:
    """What the sum of a line's released cells (of groups ``keys``; what each tells,
    ``released``) releases, if anything: each row lies in one group, so a total of rows (or
    of a sum) is the same measure over everyone in the line, in the groups' common keys; a
    total of persons is a count of persons only when no person is in two cells (else it
    counts some twice). The total of count-like cells is a count-like cell of the pair-only
    measure when it is one of rows, or of persons in no two cells; a total of distinct
    values is none."""
    cells = [r[0] for r in released]
    persons = union_of([c.persons for c in cells])
    measures = {c.measure for c in cells}
    disjoint = sum(len(c.persons) for c in cells) == len(persons)
    told = []
    if measures == {PERSONS_MEASURE} and disjoint:
        told.append(Released(PERSONS_MEASURE, persons))
    if (
        all(any(c.measure == PAIR_MEASURE for c in r) for r in released)
        and aggregate.additive
        and (disjoint or aggregate.measured != PERSONS_MEASURE)
    ):
        told.append(Released(PAIR_MEASURE, persons))
    if aggregate.measured == PERSONS_MEASURE or not aggregate.additive:
        return told
    if aggregate.measure is Measure.SUM and aggregate.measured in measures:
        return [*told, Released(aggregate.measured, persons)]
    common = [j for j in range(shape.n_keys) if len({key[j] for key in keys}) == 1]
    measure = in_group(aggregate.rows, [shape.key_sql[j] for j in common], [keys[0][j] for j in common])
    return [*told, Released(measure, persons)]


def _check_margins(
    shape: QueryShape,
    keys: list[Key],
    value_columns: list[int],
    releases: dict[tuple[int, int], list[Released]],
    rules: dict[tuple[int, int], Rule],
    behind: dict[tuple[int, int], Persons],
    history: ReleaseHistory,
) -> dict[tuple[int, tuple[int, ...]], list[Released]]:
    """Differencing of the totals a researcher can add up from this result.

    The sum of a fully released line (or of the whole table) is released too, in effect:
    it is compared with earlier releases like a cell (a line whose total differs from an
    earlier total by a small group loses its smallest cell), and returned so that it can be
    remembered for later queries as what it is (``_line_total``). Means, compound columns,
    distinct values and persons counted in two cells of the line do not add up to a
    release and are skipped.
    """
    lines = lines_of(keys)
    if len(keys) > 1 and shape.n_keys > 1:
        lines.append(list(range(len(keys))))
    margins: dict[tuple[int, tuple[int, ...]], list[Released]] = {}
    for c in value_columns:
        aggregates = shape.columns[c].aggregates
        if len(aggregates) != 1 or shape.aggregates[aggregates[0]].measure is Measure.MEAN:
            continue
        for line in lines:
            if any((r, c) in rules for r in line):
                continue
            told = [releases[r, c] for r in line]
            margin = _line_total(shape, shape.aggregates[aggregates[0]], told, [keys[r] for r in line])
            if not margin:
                continue
            rule = history.rule_for(margin)
            if rule is None:
                margins[c, tuple(line)] = margin
            else:
                smallest = min(line, key=lambda r: (len(behind[r, c]), r))
                rules[smallest, c] = rule
    return margins


Cell = tuple[int, int]  # (row, column) of the result


def _primary(
    shape: QueryShape,
    keys: list[Key],
    groups: list[Group],
    value_columns: list[int],
    small: set[int],
    settings: DisclosureSettings,
) -> tuple[dict[Cell, Rule], dict[Cell, Persons], dict[Cell, list[Released]]]:
    """Each cell's first broken rule, the persons behind it, and what releasing it would tell."""
    rules: dict[Cell, Rule] = {}
    behind: dict[Cell, Persons] = {}
    releases: dict[Cell, list[Released]] = {}
    for r, (key, group) in enumerate(zip(keys, groups, strict=True)):
        # What each aggregate tells, in this group: one ``Released`` per measure and persons.
        told = [[Released(in_group(m, shape.key_sql, key), who) for m, who in t] for t in group.told]
        for c in value_columns:
            behind[r, c] = group.persons
            if r in small:
                rules[r, c] = Rule.THRESHOLD
                continue
            cell_releases, persons = [], []
            for a in shape.columns[c].aggregates:
                stats, who = group.aggregates[a]
                rule = cell_rule(stats, settings)
                if rule is not None and (r, c) not in rules:
                    rules[r, c] = rule
                cell_releases.extend(told[a])
                persons.append(who)
            behind[r, c] = union_of(persons)
            releases[r, c] = cell_releases
    return rules, behind, releases


def _differencing(
    releases: dict[Cell, list[Released]], rules: dict[Cell, Rule], history: ReleaseHistory, *, linked: bool
) -> None:
    """Suppress each cell that, with what was released before or earlier in this result,
    would isolate fewer than ``min_persons`` persons by difference: the pair rule when
    ``linked`` is false, both rules over linked releases when it is true."""
    accepted: dict[int, Released] = {}  # by identity: comparing person sets costs more
    for cell, cells in releases.items():
        if cell in rules:
            continue
        rule = history.rule_for(cells, beside=list(accepted.values()), linked=linked)
        if rule is not None:
            rules[cell] = rule
        else:
            accepted.update((id(c), c) for c in cells)


def _secondary(
    keys: list[Key],
    value_columns: list[int],
    rules: dict[Cell, Rule],
    behind: dict[Cell, Persons],
    min_persons: int,
) -> None:
    """Per column, hide further cells so that no hidden one can be recovered from the others."""
    for c in value_columns:
        hidden = {r for r in range(len(keys)) if (r, c) in rules}
        extra = secondary_suppression(keys, [behind[r, c] for r in range(len(keys))], hidden, min_persons)
        for r in extra:
            rules[r, c] = Rule.SECONDARY


def _countable(shape: QueryShape, value_columns: list[int]) -> set[int]:
    """The columns that are one count, so rounding applies to them."""
    return {
        c
        for c in value_columns
        if len(shape.columns[c].aggregates) == 1
        and shape.aggregates[shape.columns[c].aggregates[0]].measure is Measure.COUNT
    }


def control(
    shape: QueryShape,
    columns: list[str],
    rows: Sequence[Sequence[Any]],
    companion: dict[int, Group],
    settings: DisclosureSettings,
    history: ReleaseHistory,
) -> Controlled:
    """The result as it may be shown, with the suppressed cells and their rules. Each row
    of ``rows`` ends with its hidden grouping keys, then its group's id."""
    visible = len(shape.columns)
    keys: list[Key] = [tuple(r[visible:-1]) for r in rows]
    if any(r[-1] not in companion for r in rows):
        raise QueryRefused(
            "disclosure control could not match the result to its groups; simplify the grouping expressions"
        )
    groups = [companion[r[-1]] for r in rows]
    value_columns = [c for c, col in enumerate(shape.columns) if not col.is_key]
    small = {r for r, group in enumerate(groups) if len(group.persons) < settings.min_persons}
    # Groups of fewer than min_persons persons leave the result: an absent group then
    # reads "none, or fewer than min_persons", like a true zero. An overall aggregate
    # (no keys) keeps its one row, every cell suppressed, whether the cohort is small or empty.
    dropped = small if shape.n_keys else set()
    rules, behind, releases = _primary(shape, keys, groups, value_columns, small, settings)
    _differencing(releases, rules, history, linked=False)
    margins = _check_margins(shape, keys, value_columns, releases, rules, behind, history)
    _secondary(keys, value_columns, rules, behind, settings.min_persons)
    # The linked rule judges what is still to be released; a cell it holds back may need a
    # partner in its line, so secondary suppression runs again.
    judged = len(rules)
    _differencing(releases, rules, history, linked=True)
    if len(rules) > judged:
        _secondary(keys, value_columns, rules, behind, settings.min_persons)

    for (c, members), margin in margins.items():
        if not any((r, c) in rules for r in members):
            history.record(margin)
    roundable = _countable(shape, value_columns)
    out_rows: list[list[Any]] = []
    suppressed: list[dict[str, Any]] = []
    for out_index, r in enumerate(r for r in range(len(rows)) if r not in dropped):
        line = list(rows[r][:visible])
        for c in value_columns:
            rule = rules.get((r, c))
            if rule is not None:
                line[c] = None
                # A zero is reported as below the threshold: naming it would disclose it.
                shown = Rule.THRESHOLD if rule is Rule.ZERO else rule
                suppressed.append({"row": out_index, "column": columns[c], "rule": shown.value})
            else:
                history.record(releases[r, c])
                if c in roundable and settings.rounding_base:
                    line[c] = round_count(line[c], settings.rounding_base)
        out_rows.append(line)
    return Controlled(columns=columns[:visible], rows=out_rows, suppressed=suppressed)
