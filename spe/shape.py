"""Which researcher queries disclosure control can analyse, and their companion queries.

A query is accepted only in a shape where every output cell can be traced to the persons
behind it: one SELECT over one permit table or joins of them on the person, an optional
WHERE (its subqueries may only select cohorts of persons), a GROUP BY (or none, for one
overall group), ORDER BY on keys, and output columns that are either grouping keys or
expressions over the allowed aggregates (count, sum, avg). No HAVING, LIMIT, windows,
CTEs or set operations. Anything else is refused with the reason: better refuse than leak.

Anonymised datasets have no person column: there a cell is traced to its records, numbered
by ``row_id`` (``Unit.RECORDS``), and a query reads one table, without joins or cohort
subqueries, since no row may be linked to another.

For an accepted query, the shape gives statements built from DuckDB's own syntax tree:
``run_sql``, the researcher's query with the grouping keys and the group's id appended as
hidden columns (so each output row can be matched to its group); ``companion_sql``, the
same FROM/WHERE grouped by the keys *and the person*, giving each person's contribution to
each aggregate; and, when every output adds up from those contributions, ``derived``: the
researcher's query computed from the companion's per-person rows, so that the tables are
scanned once (``spe.session``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from common.schemas import ROW_ID
from spe.differencing import PERSONS_MEASURE, distinct_measure, rows_measure
from spe.errors import ParseFailed, QueryRefused
from spe.sqltree import (
    Node,
    aggregate_function_names,
    expression_sql,
    function_name,
    is_function,
    parse_expression,
    parse_select,
    to_sql,
    walk,
    without_locations,
)

PERSON_COLUMN = "person_id"
ROW_COLUMN = ROW_ID  # anonymised datasets: the record is the unit of disclosure control
HIDDEN_PREFIX = "__haven_"
GROUP_ID = f"{HIDDEN_PREFIX}g"  # the last hidden column of ``run_sql``: the group's id


class Measure(StrEnum):
    COUNT = "count"
    SUM = "sum"
    MEAN = "mean"


ALLOWED_AGGREGATES: dict[str, Measure] = {
    "count": Measure.COUNT,
    "count_star": Measure.COUNT,
    "count_if": Measure.COUNT,
    "countif": Measure.COUNT,
    "sum": Measure.SUM,
    "fsum": Measure.SUM,
    "kahan_sum": Measure.SUM,
    "sumkahan": Measure.SUM,
    "avg": Measure.MEAN,
    "mean": Measure.MEAN,
    "favg": Measure.MEAN,
}
# Scalar functions that read the environment, settings or column statistics.
_DENIED_FUNCTIONS = frozenset(
    {
        "current_setting",
        "getenv",
        "getvariable",
        "current_database",
        "current_catalog",
        "current_schema",
        "current_schemas",
        "current_role",
        "current_user",
        "user",
        "session_user",
        "current_query",
        "in_search_path",
        "stats",
        "error",
        "sleep_ms",
        "pg_sleep",
        "version",
        # Not deterministic: the result and its companion query would see different rows.
        "random",
        "setseed",
        "uuid",
        "gen_random_uuid",
        "uuidv4",
        "uuidv7",
        "nextval",
        "currval",
        "now",
        "get_current_time",
        "get_current_timestamp",
        "current_timestamp",
        "current_time",
        "current_localtime",
        "current_localtimestamp",
        "current_transaction_id",
        "current_query_id",
        "current_connection_id",
        "txid_current",
        "transaction_timestamp",
        # Values whose size a parameter sets: one row can ask for gigabytes, outside the
        # engine's memory limit (string and list buffers); the service caps its address
        # space as well (spe.server).
        "repeat",
        "lpad",
        "rpad",
        "range",
        "generate_series",
        "list_resize",
        "array_resize",
        "bar",
        "bitstring",
        "printf",
        "format",
    }
)
_DENIED_PREFIXES = ("duckdb_", "pragma_", "pg_", "has_", "read_", "json_execute")


@dataclass(frozen=True)
class Aggregate:
    """One aggregate of the query, and its per-person counterparts in the companion query."""

    measure: Measure
    text: str  # for reasons: the researcher's own expression
    # What it counts or sums, for differencing (``spe.differencing``): "persons" (persons,
    # count(DISTINCT person_id)), "rows:<tables>", "distinct:<tables>:<expr>" or "sum:<expr>".
    measured: str
    per_person: str  # SQL of each person's contribution (count or sum)
    present: str  # SQL of each person's number of non-null inputs
    indicator: str | None  # SQL: are all inputs 0 or 1 (a count in disguise)?
    rows: str  # the measure of the rows it counts, or of those where a 0/1 value is 1
    present_rows: str  # the measure of the rows where it has a value (a mean's denominator)
    additive: bool = True  # the value is the sum of the per-person contributions


@dataclass(frozen=True)
class OutputColumn:
    name: str
    aggregates: tuple[int, ...]  # indexes into QueryShape.aggregates; empty for key columns

    @property
    def is_key(self) -> bool:
        return not self.aggregates


class Unit(StrEnum):
    """What disclosure control counts behind a cell."""

    PERSONS = "persons"  # distinct persons (``person_id``): pseudonymised datasets
    RECORDS = "records"  # rows (``row_id``): anonymised datasets, which link no row to a person


@dataclass(frozen=True)
class QueryShape:
    run_sql: str
    companion_sql: str
    columns: tuple[OutputColumn, ...]
    aggregates: tuple[Aggregate, ...]
    n_keys: int
    unit: Unit = Unit.PERSONS
    key_sql: tuple[str, ...] = ()  # the grouping expressions, as text
    person_table: str | None = None  # the table whose person column the companion reads
    # The query computed from its per-person rows, and which of its aggregates are means
    # (``_derived_sql``); None when it cannot be.
    derived: tuple[str, tuple[int, ...]] | None = None


def _refuse(reason: str) -> QueryRefused:
    return QueryRefused(reason)


def check_tree(node: Node, tables: Mapping[str, tuple[str, ...]]) -> None:
    """Refuse any table, function, window or clause the SPE does not allow, anywhere in the tree."""
    aggregates = aggregate_function_names()
    for item in walk(node):
        kind = item.get("type")
        if kind == "SET_OPERATION_NODE":
            raise _refuse("UNION, INTERSECT and EXCEPT are not supported by disclosure control")
        if kind in ("TABLE_FUNCTION", "SHOW_REF", "EXPRESSION_LIST", "PIVOT", "COLUMN_DATA"):
            raise _refuse("only the permit's tables can be read (no table functions, files or DESCRIBE)")
        if kind == "BASE_TABLE":
            if item.get("schema_name") or item.get("catalog_name") or item.get("at_clause"):
                raise _refuse("tables are named without schema, catalog or AT clause")
            if item.get("table_name") not in tables:
                raise _refuse(
                    f"unknown table {item.get('table_name')!r}: this permit has {', '.join(sorted(tables))}"
                )
        if item.get("cte_map", {}).get("map"):
            raise _refuse(
                "WITH (common table expressions) is not supported by disclosure control; "
                "write the cohort as a WHERE condition"
            )
        if item.get("sample"):
            raise _refuse("sampling is not supported by disclosure control")
        if item.get("class") == "WINDOW":
            raise _refuse("window functions give row-level results and are not allowed")
        if is_function(item):
            name = function_name(item)
            if item.get("schema") or item.get("catalog"):
                raise _refuse("functions are named without schema or catalog")
            if name in _DENIED_FUNCTIONS or name.startswith(_DENIED_PREFIXES):
                raise _refuse(
                    f"function {name} is not allowed in the SPE (environment, statistics, side effects "
                    "or values of a size the query sets)"
                )
            if name in aggregates and name not in ALLOWED_AGGREGATES:
                raise _refuse(
                    f"aggregate {name} is not allowed: only count, sum and avg "
                    "(minima, maxima, quantiles and lists disclose single values)"
                )


def _contains(expr: Node, pred: Any) -> bool:
    return any(pred(item) for item in walk(expr))


def _is_aggregate(item: Node) -> bool:
    return is_function(item) and function_name(item) in ALLOWED_AGGREGATES


def _resolve_keys(node: Node, columns: tuple[str, ...]) -> list[Node]:
    """The grouping expressions, with positions (GROUP BY 1), aliases and GROUP BY ALL resolved."""
    select = node["select_list"]
    if node.get("aggregate_handling") == "FORCE_AGGREGATES":
        return [copy.deepcopy(e) for e in select if not _contains(e, _is_aggregate)]
    aliases = {e.get("alias"): e for e in select if e.get("alias")}
    keys: list[Node] = []
    for expr in node.get("group_expressions", []):
        literal = expr.get("literal", {}) if expr.get("class") == "CONSTANT" else {}
        names = expr.get("column_names", []) if expr.get("class") == "COLUMN_REF" else []
        if literal.get("kind") in ("INTEGER", "BIGINT"):
            position = int(literal["text"])
            if not 1 <= position <= len(select):
                raise _refuse("GROUP BY position out of range")
            keys.append(copy.deepcopy(select[position - 1]))
        elif len(names) == 1 and names[0] not in columns and names[0] in aliases:
            keys.append(copy.deepcopy(aliases[names[0]]))
        else:
            keys.append(copy.deepcopy(expr))
    for key in keys:
        key["alias"] = ""
        if _contains(key, _is_aggregate):
            raise _refuse("GROUP BY on an aggregate is not allowed")
    return keys


@dataclass(frozen=True)
class _Reading:
    """What every aggregate of the query reads: the tables, the unit column and the WHERE."""

    tables: tuple[str, ...]
    unit_column: str
    where: Node | None

    def selection(self, *conditions: Node | str | None) -> str:
        """The rows an aggregate takes, as text for its measure: the conditions of WHERE,
        its FILTER and ``conditions`` that are not on the person alone, sorted. A condition
        on the person alone (``person_id <> 'p3'``, ``person_id IN (SELECT ...)``) selects a
        cohort, whose persons the differencing rules compare, not rows."""
        kept = set()
        for condition in (self.where, *conditions):
            if isinstance(condition, str):
                kept.add(condition)
                continue
            for conjunct in _conjuncts(condition):
                if any(not _is_column(ref, self.unit_column) for ref in _column_refs(conjunct)):
                    kept.add(expression_sql(conjunct))
        return " AND ".join(sorted(kept))


def _conjuncts(condition: Node | None) -> list[Node]:
    if not condition:
        return []
    if condition.get("type") == "CONJUNCTION_AND":
        return [c for child in condition.get("children", []) for c in _conjuncts(child)]
    return [condition]


def _column_refs(value: Any) -> list[Node]:
    """The column references of an expression, outside its subqueries (a cohort's own WHERE)."""
    if isinstance(value, list):
        return [ref for child in value for ref in _column_refs(child)]
    if not isinstance(value, dict):
        return []
    own = [value] if value.get("class") == "COLUMN_REF" else []
    return own + [ref for key, child in value.items() if key != "subquery" for ref in _column_refs(child)]


def _aggregate(expr: Node, reading: _Reading) -> Aggregate:
    """One allowed aggregate of the query, with what it counts or sums (``spe.differencing``)."""
    name = function_name(expr)
    measure = ALLOWED_AGGREGATES[name]
    text = expression_sql(expr)
    tables, unit = reading.tables, reading.unit_column
    args = [a.get("expression", a) for a in expr.get("arguments") or expr.get("children") or []]
    counted_sql = [expression_sql(a) for a in args if not _is_column(a, unit)]
    if measure is Measure.COUNT:
        if name in ("count_if", "countif"):
            rows = rows_measure(tables, reading.selection(expr.get("filter"), *args))
        else:  # count(*), count(x): the rows where x is not null
            rows = rows_measure(
                tables, reading.selection(expr.get("filter"), *(f"{a} IS NOT NULL" for a in counted_sql))
            )
        counted = rows
        if expr.get("distinct"):
            # count(DISTINCT person_id) counts each person once; count(DISTINCT x) counts
            # values, which is no sum over persons: a measure of its own.
            if len(args) == 1 and _is_column(args[0], unit):
                counted = PERSONS_MEASURE
            else:
                selected = reading.selection(expr.get("filter"))
                counted = distinct_measure(tables, selected, ", ".join(expression_sql(a) for a in args))
        # Per person, a count of persons is 1 when the person has a row: the same count
        # without DISTINCT, capped at 1 (a DISTINCT per person and group costs several
        # times the whole query on millions of rows).
        per_person = text
        if counted == PERSONS_MEASURE:
            per_person = f"least({expression_sql(dict(expr, distinct=False))}, 1)"
        return Aggregate(
            measure,
            text,
            counted,
            per_person=per_person,
            present=per_person,
            indicator=None,
            rows=rows,
            present_rows=rows,
            additive=not expr.get("distinct") or counted == PERSONS_MEASURE,
        )
    if expr.get("distinct"):
        raise _refuse(f"{name}(DISTINCT ...) is not supported by disclosure control")
    if len(args) != 1:
        raise _refuse(f"{name} takes exactly one argument here")
    arg_sql = expression_sql(args[0])
    where = f" FILTER (WHERE {expression_sql(expr['filter'])})" if expr.get("filter") else ""
    return Aggregate(
        measure,
        text,
        f"sum:{arg_sql}",
        per_person=f"sum({arg_sql}){where}",
        present=f"count({arg_sql}){where}",
        indicator=f"bool_and(CAST(({arg_sql}) AS DOUBLE) IN (0, 1)){where}",
        rows=rows_measure(tables, reading.selection(expr.get("filter"), f"({arg_sql}) = 1")),
        present_rows=rows_measure(tables, reading.selection(expr.get("filter"), f"({arg_sql}) IS NOT NULL")),
    )


def _is_column(expr: Node, name: str) -> bool:
    return expr.get("class") == "COLUMN_REF" and expr.get("column_names", [""])[-1] == name


def _is_person(expr: Node | None) -> bool:
    return bool(expr) and _is_column(expr or {}, PERSON_COLUMN)


def _links_persons(condition: Node | None) -> bool:
    """Whether a join condition has a conjunct ``x.person_id = y.person_id``."""
    if not condition:
        return False
    if condition.get("type") == "CONJUNCTION_AND":
        return any(_links_persons(c) for c in condition.get("children", []))
    return (
        condition.get("type") == "COMPARE_EQUAL"
        and _is_person(condition.get("left"))
        and _is_person(condition.get("right"))
        and condition["left"]["column_names"] != condition["right"]["column_names"]
    )


def _tables_read(source: Node) -> list[Node]:
    """The permit tables of FROM, left to right: one table, or joins of tables on the person."""
    if source.get("type") == "BASE_TABLE":
        return [source]
    if source.get("type") != "JOIN":
        raise _refuse("read permit tables only (no subqueries or functions in FROM)")
    if source.get("join_type") not in ("INNER", "LEFT") or source.get("ref_type") != "REGULAR":
        raise _refuse("only INNER and LEFT joins are supported")
    if source.get("using_columns") != [PERSON_COLUMN] and not _links_persons(source.get("condition")):
        raise _refuse(
            f"joins must link the same person: ON a.{PERSON_COLUMN} = b.{PERSON_COLUMN} "
            f"or USING ({PERSON_COLUMN})"
        )
    return _tables_read(source["left"]) + _tables_read(source["right"])


def _unit(leaves: list[Node], tables: Mapping[str, tuple[str, ...]]) -> tuple[Unit, str]:
    """What the query's cells are counted in, and the column that identifies one of them."""
    names = [leaf["table_name"] for leaf in leaves]
    if all(PERSON_COLUMN in tables[name] for name in names):
        return Unit.PERSONS, PERSON_COLUMN
    if len(names) == 1 and ROW_COLUMN in tables[names[0]]:
        return Unit.RECORDS, ROW_COLUMN
    lacking = next(name for name in names if PERSON_COLUMN not in tables[name])
    if ROW_COLUMN in tables[lacking]:
        raise _refuse(
            f"table {lacking} is anonymised (no {PERSON_COLUMN}): its rows link to no "
            "person, so it cannot be joined; query one table at a time"
        )
    raise _refuse(f"table {lacking} has no {PERSON_COLUMN}: persons cannot be counted")


def _check_where_subqueries(where: Node) -> None:
    """Subqueries may only define a cohort of persons: ``person_id [NOT] IN (SELECT person_id ...)``.

    Any other subquery is an oracle: a condition on other rows (one person's value, say)
    that switches the whole result on or off, or picks the groups shown.
    """
    for item in walk(where):
        if item.get("class") != "SUBQUERY":
            continue
        inner = item.get("subquery", {}).get("node", {})
        select = inner.get("select_list", [])
        if (
            item.get("subquery_type") != "ANY"
            or item.get("comparison_type") != "COMPARE_EQUAL"
            or not _is_person(item.get("child"))
            or len(select) != 1
            or not _is_person(select[0])
        ):
            raise _refuse(
                f"subqueries may only select a cohort: {PERSON_COLUMN} IN "
                f"(SELECT {PERSON_COLUMN} FROM ... WHERE ...)"
            )
        if inner.get("modifiers"):
            raise _refuse("ORDER BY and LIMIT are not allowed in a cohort subquery")
        _tables_read(inner.get("from_table") or {})


def _check_modifiers(node: Node) -> None:
    """ORDER BY only on keys (an order by aggregates ranks suppressed cells); no LIMIT/OFFSET."""
    select = node["select_list"]
    aggregate_aliases = {e.get("alias") for e in select if e.get("alias") and _contains(e, _is_aggregate)}
    for modifier in node.get("modifiers", []):
        if modifier.get("type") != "ORDER_MODIFIER":
            raise _refuse("LIMIT and OFFSET are not allowed: results are checked as whole tables")
        for order in modifier.get("orders", []):
            expr = order.get("expression", {})
            literal = expr.get("literal", {}) if expr.get("class") == "CONSTANT" else {}
            by_position = (
                literal.get("kind") in ("INTEGER", "BIGINT")
                and 1 <= int(literal["text"]) <= len(select)
                and _contains(select[int(literal["text"]) - 1], _is_aggregate)
            )
            by_alias = (
                expr.get("class") == "COLUMN_REF" and expr.get("column_names", [""])[-1] in aggregate_aliases
            )
            if by_position or by_alias or _contains(expr, _is_aggregate):
                raise _refuse(
                    "ORDER BY is allowed on grouping keys only (an order of aggregates "
                    "ranks suppressed cells)"
                )


def _check_statement_type(sql: str) -> Node:
    try:
        return parse_select(sql)
    except ParseFailed as exc:
        raise _refuse(f"only one SELECT statement is allowed ({exc})") from None


def _check_clauses(node: Node, unit: Unit) -> None:
    """Refuse the clauses that give row-level results or can probe suppressed values."""
    if unit is Unit.RECORDS and _contains(
        node.get("where_clause") or {}, lambda i: i.get("class") == "SUBQUERY"
    ):
        raise _refuse(
            "anonymised datasets have no person column: cohorts are written as WHERE "
            "conditions on the table itself, without subqueries"
        )
    _check_where_subqueries(node.get("where_clause") or {})
    if any(m.get("type") == "DISTINCT_MODIFIER" for m in node.get("modifiers", [])):
        raise _refuse("SELECT DISTINCT gives row-level results; use GROUP BY with an aggregate")
    if node.get("qualify"):
        raise _refuse("QUALIFY is not allowed")
    if node.get("having"):
        raise _refuse("HAVING is not allowed: filtering groups on aggregates can probe suppressed values")
    for part in ("select_list", "group_expressions", "having", "modifiers"):
        if _contains(node.get(part) or {}, lambda i: i.get("class") == "SUBQUERY"):
            raise _refuse("subqueries are allowed only in WHERE")
    if any(e.get("class") == "STAR" or e.get("type") == "STAR" for e in node["select_list"]):
        raise _refuse("SELECT * gives row-level results; use GROUP BY with an aggregate")
    if len(node.get("group_sets", [])) > 1:
        raise _refuse("ROLLUP, CUBE and GROUPING SETS are not supported; query each grouping separately")


def _outputs(node: Node, reading: _Reading) -> tuple[list[Aggregate], list[OutputColumn]]:
    """The aggregates of the select list, and each output column with the aggregates it uses."""
    aggregates: list[Aggregate] = []
    out: list[OutputColumn] = []
    for index, expr in enumerate(node["select_list"]):
        found = [a for a in walk(expr) if _is_aggregate(a)]
        start = len(aggregates)
        aggregates.extend(_aggregate(a, reading) for a in found)
        name = expr.get("alias") or expression_sql(expr)
        out.append(OutputColumn(name=name or f"col{index}", aggregates=tuple(range(start, len(aggregates)))))
    if not aggregates:
        raise _refuse(
            "row-level results are refused: aggregate with count, sum or avg (with GROUP BY for groups)"
        )
    return aggregates, out


def _companion(
    node: Node, keys: list[Node], aggregates: list[Aggregate], alias: str, unit_column: str
) -> str:
    """The companion query: per group and person, what each aggregate takes from them."""
    # The person itself: ``grouped_companion_sql`` hashes it once per group and person,
    # not once per row.
    person = parse_expression(f'"{alias}".{unit_column}')
    companion = copy.deepcopy(node)
    select: list[Node] = [dict(copy.deepcopy(k), alias=f"{HIDDEN_PREFIX}k{i}") for i, k in enumerate(keys)]
    select.append(dict(person, alias=f"{HIDDEN_PREFIX}p"))
    for i, agg in enumerate(aggregates):
        select.append(dict(parse_expression(agg.per_person), alias=f"{HIDDEN_PREFIX}v{i}"))
        select.append(dict(parse_expression(agg.present), alias=f"{HIDDEN_PREFIX}n{i}"))
        flag = agg.indicator or "true"
        select.append(dict(parse_expression(flag), alias=f"{HIDDEN_PREFIX}i{i}"))
    companion.update(
        select_list=select,
        group_expressions=[*(copy.deepcopy(k) for k in keys), copy.deepcopy(person)],
        group_sets=[list(range(len(keys) + 1))],
        aggregate_handling="STANDARD_HANDLING",
        having=None,
        modifiers=[],
    )
    return to_sql(companion)


PER_PERSON_TABLE = f"{HIDDEN_PREFIX}pp"  # the per-person rows of one query (``per_person_sql``)


def _recombined(expr: Node, aggregate: Aggregate, i: int) -> str | None:
    """SQL of aggregate ``i`` added up again from the per-person rows, when that is the
    same number: counts (persons with a count of 1 each), sums, and means of a value
    whose per-person sum is a double (``_derived_sql``); else None."""
    h = HIDDEN_PREFIX
    name = function_name(expr)
    if aggregate.measure is Measure.COUNT:
        if expr.get("distinct") and aggregate.measured != PERSONS_MEASURE:
            return None  # distinct values are no sum over persons
        return f"CAST(coalesce(sum({h}v{i}), 0) AS BIGINT)"
    if name == "sum":
        return f"sum({h}v{i})"
    if name in ("avg", "mean"):
        return f"sum({h}v{i}) / sum({h}n{i})"
    return None  # Kahan sums: added up per person first, they need not give the same digits


@dataclass(frozen=True)
class _Rewriter:
    """Rewrites the researcher's expressions over the per-person rows: each aggregate (by
    identity) to its ``_recombined`` form, each grouping key to its hidden column."""

    replacements: dict[int, Node]
    keys: list[Any]  # the grouping expressions, without aliases or positions

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if id(value) in self.replacements:
            return dict(self.replacements[id(value)], alias="")
        if "class" in value and (j := self.key_of(value)) is not None:
            return parse_expression(f"{HIDDEN_PREFIX}k{j}")
        return {k: self(v) for k, v in value.items()}

    def key_of(self, expr: Node) -> int | None:
        plain = without_locations(dict(expr, alias=""))
        return next((j for j, key in enumerate(self.keys) if plain == key), None)


def _derived_orders(node: Node, rewrite: _Rewriter) -> list[Node]:
    """The query's ORDER BY over the per-person rows (an output's alias: that output)."""
    aliases = {e["alias"]: e for e in node["select_list"] if e.get("alias")}
    orders = []
    for modifier in node.get("modifiers", []):
        for order in modifier.get("orders", []):
            expr = order["expression"]
            names = expr.get("column_names", []) if expr.get("class") == "COLUMN_REF" else []
            if len(names) == 1 and names[0] in aliases and rewrite.key_of(expr) is None:
                expr = aliases[names[0]]
            orders.append(dict(order, expression=dict(rewrite(expr), alias="")))
    return orders


def _derived_sql(
    node: Node, keys: list[Node], aggregates: list[Aggregate]
) -> tuple[str, tuple[int, ...]] | None:
    """The researcher's query computed from its per-person rows (``PER_PERSON_TABLE``)
    instead of the tables, with the hidden keys and group id of ``run_sql``; and the
    aggregates that are means (``spe.session`` checks their per-person sums are doubles:
    DuckDB divides an exact integer or decimal sum its own way). None when some output
    is not a function of the keys and of aggregates that add up (``_recombined``)."""
    found = [a for item in node["select_list"] for a in walk(item) if _is_aggregate(a)]
    replacements: dict[int, Node] = {}
    for i, (expr, aggregate) in enumerate(zip(found, aggregates, strict=True)):
        text = _recombined(expr, aggregate, i)
        if text is None:
            return None
        replacements[id(expr)] = parse_expression(text)
    rewrite = _Rewriter(replacements, [without_locations(dict(key, alias="")) for key in keys])
    items = [dict(rewrite(item), alias=f"{HIDDEN_PREFIX}o{j}") for j, item in enumerate(node["select_list"])]
    orders = _derived_orders(node, rewrite)
    for item in walk([*items, *orders]):
        names = item.get("column_names", []) if item.get("class") == "COLUMN_REF" else []
        if (names and not names[-1].startswith(HIDDEN_PREFIX)) or item.get("class") == "SUBQUERY":
            return None  # a column that is no key, outside any aggregate
    key_names = [f"{HIDDEN_PREFIX}k{j}" for j in range(len(keys))]
    derived = copy.deepcopy(parse_select(f"SELECT 1 FROM {PER_PERSON_TABLE}"))
    derived["select_list"] = [
        *items,
        *(parse_expression(f"{name} AS {name}") for name in key_names),
        parse_expression(f"{_group_id(key_names)} AS {GROUP_ID}"),
    ]
    if keys:
        derived["group_expressions"] = [parse_expression(name) for name in key_names]
        derived["group_sets"] = [list(range(len(keys)))]
    if orders:
        derived["modifiers"] = [{"type": "ORDER_MODIFIER", "orders": orders}]
    means = tuple(i for i, aggregate in enumerate(aggregates) if aggregate.measure is Measure.MEAN)
    return to_sql(derived), means


def analyse(sql: str, tables: Mapping[str, tuple[str, ...]]) -> QueryShape:
    """The shape of an aggregate query over one permit table, or ``QueryRefused`` with the reason."""
    node = _check_statement_type(sql)
    if node.get("type") != "SELECT_NODE":
        raise _refuse("only plain SELECT queries are supported by disclosure control")
    check_tree(node, tables)
    leaves = _tables_read(node.get("from_table") or {})
    columns: tuple[str, ...] = tuple(c for leaf in leaves for c in tables[leaf["table_name"]])
    unit, unit_column = _unit(leaves, tables)
    _check_clauses(node, unit)
    keys = _resolve_keys(node, columns)
    _check_modifiers(node)
    reading = _Reading(tuple(leaf["table_name"] for leaf in leaves), unit_column, node.get("where_clause"))
    aggregates, out = _outputs(node, reading)
    for key in keys:
        if _contains(
            key, lambda i: i.get("class") == "COLUMN_REF" and i.get("column_names", [""])[-1] == unit_column
        ):
            raise _refuse(f"grouping by {unit_column} gives row-level results")
    run = copy.deepcopy(node)
    run["select_list"] = [
        *run["select_list"],
        *(dict(copy.deepcopy(k), alias=f"{HIDDEN_PREFIX}k{i}") for i, k in enumerate(keys)),
        dict(parse_expression(_group_id([expression_sql(k) for k in keys])), alias=GROUP_ID),
    ]
    alias = leaves[0].get("alias") or leaves[0]["table_name"]
    return QueryShape(
        run_sql=to_sql(run),
        companion_sql=_companion(node, keys, aggregates, alias, unit_column),
        columns=tuple(out),
        aggregates=tuple(aggregates),
        n_keys=len(keys),
        unit=unit,
        key_sql=tuple(expression_sql(k) for k in keys),
        person_table=leaves[0]["table_name"] if unit is Unit.PERSONS else None,
        derived=_derived_sql(node, keys, aggregates),
    )


def analysed(sql: str, tables: Mapping[str, tuple[str, ...]]) -> QueryShape:
    """``analyse``, remembered for the last ``_REMEMBERED`` statements and table layouts.

    A long-lived service is asked the same statements again and again (dashboards,
    indicators, a researcher refining one query), and the analysis takes about 20 ms
    however small the data. The shape depends on the text and the tables' columns alone,
    and is immutable; a refused statement is analysed again each time (nothing is kept)."""
    return _analysed(sql, tuple(sorted(tables.items())))


_REMEMBERED = 256


@lru_cache(maxsize=_REMEMBERED)
def _analysed(sql: str, tables: tuple[tuple[str, tuple[str, ...]], ...]) -> QueryShape:
    return analyse(sql, dict(tables))


def _contributes(agg: Aggregate, i: int) -> str:
    """SQL: does this person contribute to aggregate ``i`` (over the per-person companion)?"""
    if agg.measure is Measure.COUNT:
        return f"{HIDDEN_PREFIX}v{i} > 0"
    if agg.measure is Measure.SUM:
        return f"{HIDDEN_PREFIX}v{i} IS NOT NULL AND {HIDDEN_PREFIX}v{i} <> 0"
    return f"{HIDDEN_PREFIX}n{i} > 0"


def _group_id(keys: list[str]) -> str:
    """SQL of a group's id, the same in the query and its companion in one connection (a
    hash of the grouping keys' values): the companion's rows are read as Arrow, whose
    values need not equal the query's own Python values, so groups are matched by it."""
    return f"hash({', '.join(keys)})" if keys else "CAST(0 AS UBIGINT)"


def person_hash_sql(column: str) -> str:
    """SQL of a person's stable 64-bit hash: the low half of MD5, the same in every DuckDB
    version, as the release history keeps these across sessions."""
    return f"md5_number_lower(CAST({column} AS VARCHAR))"


def per_person_sql(shape: QueryShape, hashes: str | None = None) -> str:
    """The companion's per-person rows with each person's hash (``h``), to be kept as
    ``PER_PERSON_TABLE`` for both the result (``QueryShape.derived``) and the companion
    (``grouped_companion_sql(..., per_person=True)``). ``hashes`` as there."""
    h = HIDDEN_PREFIX
    return (
        f"WITH {h}pp AS MATERIALIZED ({shape.companion_sql}), {h}hs AS ({_hashed(hashes)}) "
        f"SELECT * FROM {h}pp LEFT JOIN {h}hs USING ({h}p)"
    )


def _hashed(hashes: str | None) -> str:
    h = HIDDEN_PREFIX
    if hashes:
        return f"SELECT p AS {h}p, h AS {h}h FROM {hashes}"
    return f"SELECT {h}p, {person_hash_sql(f'{h}p')} AS {h}h FROM (SELECT DISTINCT {h}p FROM {h}pp)"


def grouped_companion_sql(
    shape: QueryShape, top_n: int, hashes: str | None = None, *, per_person: bool = False
) -> str:
    """Per group: its id (``GROUP_ID``); its persons as a list of structs, each a person's
    hash ``h`` and, per aggregate ``i``, whether the person contributes to it (``c{i}``)
    and for a mean whether their value is not zero (``z{i}``, its numerator's persons);
    then per aggregate the ``top_n`` largest contributions, their total, whether all
    inputs were 0/1, and the number of inputs the contributors gave (their rows). One row
    per group, also for an overall aggregate of an empty cohort.

    ``hashes`` names a table of the leading table's persons (``p``) with their hashes
    (``h``), when a long-lived service keeps one (``spe.snapshots``); else each person is
    hashed here, once per person: MD5 costs several times the query itself when computed
    per row or per cell. ``per_person``: read ``PER_PERSON_TABLE`` (``per_person_sql``)."""
    keys = [f"{HIDDEN_PREFIX}k{i}" for i in range(shape.n_keys)]
    h = HIDDEN_PREFIX
    fields = [f"'h': {h}h"]
    parts = [_group_id(keys)]
    for i, agg in enumerate(shape.aggregates):
        contributes = _contributes(agg, i)
        where = f" FILTER (WHERE {contributes})"
        size = f"abs(CAST({h}v{i} AS DOUBLE))"
        fields.append(f"'c{i}': coalesce({contributes}, false)")
        if agg.measure is Measure.MEAN:
            fields.append(f"'z{i}': coalesce({h}v{i} <> 0, false)")
        parts += [
            f"max({size}, {top_n}){where}",
            f"sum({size}){where}",
            f"bool_and({h}i{i} IS NOT false){where}",
            f"sum({h}n{i}){where}",
        ]
    parts.insert(1, f"list({{{', '.join(fields)}}})")
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    if per_person:
        return f"SELECT {', '.join(parts)} FROM {PER_PERSON_TABLE}{group}"
    return (
        f"WITH {h}pp AS MATERIALIZED ({shape.companion_sql}), {h}hs AS ({_hashed(hashes)}) "
        f"SELECT {', '.join(parts)} FROM {h}pp LEFT JOIN {h}hs USING ({h}p){group}"
    )
