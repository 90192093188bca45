"""What a query in the SPE answers, and how an answer crosses the SPE service's socket.

This module imports nothing heavy (no DuckDB, Arrow or SQLAlchemy): the ``haven query``
client process loads it to rebuild the service's answer without paying for the engine.

On the wire a result is JSON. Values JSON has no type for (DuckDB returns decimals, dates
and timestamps) travel tagged (``{"$decimal": "12.50"}``) and come back as the same Python
values, so the client prints and stores exactly what an in-process query would; anything
else travels as its text (``{"$text": ...}``), which is also what the CLI would print.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

__all__ = ["PermitQuery", "QueryResult", "decode_value", "encode_value", "result_from_wire", "result_to_wire"]


@dataclass
class QueryResult:
    status: str
    reason: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    suppressed: list[dict[str, Any]] = field(default_factory=list)
    # What disclosure control counted behind each cell: "persons", or "records" in anonymised
    # datasets (which have no person column); None for a refused query.
    unit: str | None = None
    # The refusal rule (``QueryRefused.rule``) of a refused query; for the audit log, not the JSON.
    rule: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "columns": self.columns,
            "rows": self.rows,
            "suppressed": self.suppressed,
            "unit": self.unit,
        }


@dataclass(frozen=True)
class PermitQuery:
    """A query's result (after disclosure control) and the Delta versions its session read."""

    result: QueryResult
    versions: dict[str, int]


# Checked in this order: datetime is a date.
_TAGGED: tuple[tuple[type, str, Callable[[str], Any]], ...] = (
    (Decimal, "$decimal", Decimal),
    (datetime, "$datetime", datetime.fromisoformat),
    (date, "$date", date.fromisoformat),
    (time, "$time", time.fromisoformat),
)


def encode_value(value: Any) -> Any:
    """A result value as JSON can carry it and ``decode_value`` can restore it."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [encode_value(v) for v in value]
    for kind, tag, _ in _TAGGED:
        if isinstance(value, kind):
            return {tag: value.isoformat() if hasattr(value, "isoformat") else str(value)}
    return {"$text": str(value)}


def decode_value(value: Any) -> Any:
    """The Python value ``encode_value`` carried (its text for a type without a tag)."""
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    if isinstance(value, dict):
        if len(value) != 1:
            raise ValueError("a tagged value has exactly one key")
        ((tag, text),) = value.items()
        if not isinstance(text, str):
            raise ValueError("a tagged value is text")
        if tag == "$text":
            return text
        for _, known, parse in _TAGGED:
            if tag == known:
                return parse(text)
        raise ValueError(f"unknown value tag {tag!r}")
    return value


def result_to_wire(ran: PermitQuery) -> dict[str, Any]:
    """``ran`` as a JSON object (every field, the refusal rule and the versions included)."""
    result = ran.result
    return {
        "status": result.status,
        "reason": result.reason,
        "columns": list(result.columns),
        "rows": [[encode_value(v) for v in row] for row in result.rows],
        "suppressed": [dict(cell) for cell in result.suppressed],
        "unit": result.unit,
        "rule": result.rule,
        "versions": dict(ran.versions),
    }


def result_from_wire(data: Mapping[str, Any]) -> PermitQuery:
    """The ``PermitQuery`` that ``result_to_wire`` sent; ``ValueError`` on a malformed answer."""
    try:
        result = QueryResult(
            status=str(data["status"]),
            reason=data["reason"],
            columns=[str(c) for c in data["columns"]],
            rows=[[decode_value(v) for v in row] for row in data["rows"]],
            suppressed=[dict(cell) for cell in data["suppressed"]],
            unit=data["unit"],
            rule=data["rule"],
        )
        versions = {str(k): int(v) for k, v in data["versions"].items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed SPE answer: {type(exc).__name__}") from None
    return PermitQuery(result, versions)
