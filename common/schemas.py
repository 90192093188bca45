"""Column contracts of the landing extracts, shared by the generator, bronze and quality.

Each extract arrives as CSV with a header; bronze keeps every column as delivered text and
silver types it. ``type`` is a Spark SQL type name.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.layout import Source

SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    sensitive: bool = False  # never copied into quarantine reasons or logs


@dataclass(frozen=True)
class ExtractSchema:
    source: Source
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


CLAIMS = ExtractSchema(
    Source.CLAIMS,
    (
        Column("pid", "string", "TTP pseudonym of the insured person", sensitive=True),
        Column("nomenclature_code", "string", "6-digit RIZIV/INAMI nomenclature code"),
        Column("service_date", "date", "date of service"),
        Column("provider_type", "string", "kind of provider (GP, specialist, ...)"),
        Column("provider_id", "string", "pseudonymised provider id"),
        Column("institution_id", "string", "institution id, empty outside institutions"),
        Column("amount_reimbursed", "decimal(12,2)", "amount reimbursed by the insurer, EUR"),
        Column("amount_copay", "decimal(12,2)", "patient co-payment, EUR"),
        Column("amount_supplement", "decimal(12,2)", "supplement charged, EUR"),
    ),
)

OPTOUT = ExtractSchema(
    Source.OPTOUT,
    (
        Column("pid", "string", "TTP pseudonym of the citizen", sensitive=True),
        Column("event_time", "timestamp", "when the citizen made the request (UTC)"),
        Column("action", "string", "optout or withdrawal"),
        Column("channel", "string", "online, phone or desk"),
    ),
)

SCHEMAS: dict[Source, ExtractSchema] = {s.source: s for s in (CLAIMS, OPTOUT)}
