"""DuckDB's own SQL parser as a library: statements to JSON syntax trees and back.

The SPE never interprets researcher SQL with regular expressions: it asks DuckDB to parse
it (``json_serialize_sql``), checks and rewrites the tree, and asks DuckDB to print the
rewritten tree (``json_deserialize_sql``). Parsing runs on a private connection that holds
no data, so nothing here executes researcher SQL.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import duckdb

from spe.errors import ParseFailed

Node = dict[str, Any]

_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _parser() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:", config={"enable_external_access": "false"})


def parse_select(sql: str) -> Node:
    """The syntax tree of one SELECT statement (its ``node``), or ``ParseFailed``."""
    with _LOCK:
        text = _parser().execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    tree: dict[str, Any] = json.loads(text[0]) if text else {"error": True}
    if tree.get("error"):
        raise ParseFailed(str(tree.get("error_type", "parse error")))
    statements = tree["statements"]
    if len(statements) != 1:
        raise ParseFailed("exactly one statement")
    node: Node = statements[0]["node"]
    return node


def to_sql(node: Node) -> str:
    """SQL text of a statement tree, printed by DuckDB."""
    wrapped = {"error": False, "statements": [{"node": node}]}
    with _LOCK:
        row = _parser().execute("SELECT json_deserialize_sql(?::JSON)", [json.dumps(wrapped)]).fetchone()
    assert row is not None
    return str(row[0])


def parse_expression(sql: str) -> Node:
    """The tree of one scalar or aggregate expression."""
    node: Node = parse_select(f"SELECT {sql}")["select_list"][0]
    return node


def expression_sql(expr: Node) -> str:
    """SQL text of one expression tree."""
    node = parse_select("SELECT 1")
    node["select_list"] = [dict(expr, alias="")]
    text = to_sql(node)
    assert text.startswith("SELECT ")
    return text[len("SELECT ") :]


@lru_cache(maxsize=1)
def aggregate_function_names() -> frozenset[str]:
    """Names of every aggregate function DuckDB knows (they parse as plain functions)."""
    with _LOCK:
        rows = (
            _parser()
            .execute(
                "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'aggregate'"
            )
            .fetchall()
        )
    return frozenset(r[0] for r in rows)


def walk(value: Any) -> Iterator[Node]:
    """Every dict in a tree, depth first (expressions, table references, query nodes)."""
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from walk(child)


def without_locations(expr: Node) -> Any:
    """The tree without aliases and query positions, to compare two expressions."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: strip(v)
                for k, v in value.items()
                if k not in ("alias", "query_location", "query_location_length")
            }
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(copy.deepcopy(expr))


def is_function(node: Node) -> bool:
    return node.get("class") == "FUNCTION" and "function_name" in node


def function_name(node: Node) -> str:
    return str(node["function_name"]).lower()
