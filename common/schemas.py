"""Column contracts of the landing extracts, shared by the generator, bronze and quality.

Each extract arrives as CSV with a header (``<source>.csv``, UTF-8, ``\\n`` line ends,
one record per line); bronze keeps every column as delivered text and silver types it.
``type`` is a Spark SQL type name. ``sensitive`` marks columns whose values must never be
copied into quarantine reasons or logs (person pseudonyms, free text, exact dates of
birth or death). ``identifier`` marks ids of records and of care providers: they link rows
(a stay to its notes, a provider to every patient they saw), so they never go into an
anonymised permit dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.layout import Source

# 2: every source has a schema (population, pharmacy, hospital stays, lab results, clinical
# notes, wellness join claims and opt-out, whose columns are unchanged since 1).
SCHEMA_VERSION = "2"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    sensitive: bool = False  # never copied into quarantine reasons or logs
    identifier: bool = False  # id of a record or a care provider: not in anonymised data
    free_text: bool = False  # written by people: de-identified in silver, never in anonymised data


@dataclass(frozen=True)
class ExtractSchema:
    source: Source
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # columns that identify a row; empty when rows have no key
    description: str = ""

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def identifiers(self) -> frozenset[str]:
        """Columns that identify a record or a care provider."""
        return frozenset(c.name for c in self.columns if c.identifier)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


# The column of an anonymised permit dataset that numbers its rows (unique within one Delta
# version, no link to a person or across tables): the unit of the SPE's disclosure control
# where a dataset has no person column.
ROW_ID = "row_id"

_PID = Column("pid", "string", "TTP pseudonym of the person", sensitive=True)

POPULATION = ExtractSchema(
    Source.POPULATION,
    (
        _PID,
        Column("birth_year", "int", "year of birth"),
        Column("birth_month", "int", "month of birth, 1 to 12"),
        Column("sex", "string", "M or F"),
        Column("postcode", "string", "4-digit Belgian postcode of the legal address"),
        Column("arrondissement", "string", "NIS code of the administrative arrondissement"),
        Column("province", "string", "NIS code of the province (04000 for Brussels-Capital)"),
        Column("insurer", "string", "3-digit code of the health insurance fund (mutuality)"),
        Column("increased_reimbursement", "boolean", "entitled to increased reimbursement (BIM/VT)"),
        Column("death_date", "date", "date of death, empty when alive", sensitive=True),
    ),
    key=("pid",),
    description="insured population on 1 January of the extract year",
)

CLAIMS = ExtractSchema(
    Source.CLAIMS,
    (
        Column("pid", "string", "TTP pseudonym of the insured person", sensitive=True),
        Column("nomenclature_code", "string", "6-digit RIZIV/INAMI nomenclature code"),
        Column("service_date", "date", "date of service"),
        Column("provider_type", "string", "kind of provider (GP, specialist, ...)"),
        Column("provider_id", "string", "pseudonymised provider id", identifier=True),
        Column("institution_id", "string", "institution id, empty outside institutions", identifier=True),
        Column("amount_reimbursed", "decimal(12,2)", "amount reimbursed by the insurer, EUR"),
        Column("amount_copay", "decimal(12,2)", "patient co-payment, EUR"),
        Column("amount_supplement", "decimal(12,2)", "supplement charged, EUR"),
    ),
    description="reimbursed ambulatory and hospital care (IMA/AIM health care data)",
)

PHARMACY = ExtractSchema(
    Source.PHARMACY,
    (
        Column("delivery_id", "string", "id of one delivery line", identifier=True),
        _PID,
        Column("delivery_date", "date", "date the pharmacy delivered the product"),
        Column("cnk_code", "string", "7-digit CNK product code"),
        Column("atc_code", "string", "ATC code of the product"),
        Column("ddd", "decimal(10,2)", "defined daily doses delivered"),
        Column("amount_reimbursed", "decimal(12,2)", "amount reimbursed by the insurer, EUR"),
        Column("amount_copay", "decimal(12,2)", "patient co-payment, EUR"),
        Column("prescriber_id", "string", "pseudonymised prescriber id", identifier=True),
        Column("pharmacy_id", "string", "pseudonymised pharmacy id", identifier=True),
    ),
    key=("delivery_id",),
    description="reimbursed medicines delivered by public pharmacies (Farmanet)",
)

HOSPITAL_STAYS = ExtractSchema(
    Source.HOSPITAL_STAYS,
    (
        Column("stay_id", "string", "id of the stay", identifier=True),
        _PID,
        Column("hospital_id", "string", "pseudonymised hospital id", identifier=True),
        Column("admission_date", "date", "date of admission"),
        Column("discharge_date", "date", "date of discharge, on or after admission"),
        Column("stay_type", "string", "classic, day or emergency"),
        Column("main_diagnosis", "string", "main diagnosis, ICD-10-CM"),
        Column("secondary_diagnoses", "string", "secondary diagnoses, ICD-10-CM, separated by |"),
        Column("procedures", "string", "procedures, ICD-10-PCS, separated by |"),
        Column("apr_drg", "string", "3-digit APR-DRG"),
        Column("severity", "int", "APR-DRG severity of illness, 1 to 4"),
    ),
    key=("stay_id",),
    description="hospital stays (Minimal Hospital Data, MZG/RHM)",
)

LAB_RESULTS = ExtractSchema(
    Source.LAB_RESULTS,
    (
        Column("result_id", "string", "id of one result", identifier=True),
        _PID,
        Column("sample_date", "date", "date the sample was taken"),
        Column("loinc_code", "string", "LOINC code of the test"),
        Column("value", "double", "numeric result"),
        Column("unit", "string", "UCUM unit of the value"),
        Column("ref_low", "double", "lower limit of the reference range"),
        Column("ref_high", "double", "upper limit of the reference range"),
        Column("abnormal_flag", "string", "L (below), N (within) or H (above the range)"),
        Column("setting", "string", "ordering setting: ambulatory, hospital or emergency"),
        Column("lab_id", "string", "pseudonymised laboratory id", identifier=True),
        Column(
            "comment", "string", "free-text remark of the lab, mostly empty", sensitive=True, free_text=True
        ),
    ),
    key=("result_id",),
    description="results of hospital and ambulatory clinical laboratories",
)

CLINICAL_NOTES = ExtractSchema(
    Source.CLINICAL_NOTES,
    (
        Column("note_id", "string", "id of the note", identifier=True),
        Column("stay_id", "string", "hospital stay the note belongs to", identifier=True),
        _PID,
        Column("note_date", "date", "date the note was written"),
        Column("note_type", "string", "discharge_letter or consultation"),
        Column("language", "string", "fr, nl or en"),
        Column(
            "text", "string", "free text, holds personal data to be removed", sensitive=True, free_text=True
        ),
    ),
    key=("note_id",),
    description="clinical notes (discharge letters) in the patient's language",
)

WELLNESS = ExtractSchema(
    Source.WELLNESS,
    (
        _PID,
        Column("day", "date", "day the measurements cover"),
        Column("steps", "int", "steps counted"),
        Column("sleep_minutes", "int", "minutes asleep"),
        Column("resting_heart_rate", "int", "resting heart rate, beats per minute"),
        Column("source_app", "string", "app or device the person shared the data from"),
        Column("patient_entered", "boolean", "always true: data the person added themselves"),
    ),
    key=("pid", "day"),
    description="data people add themselves from wellness apps and watches (patient-entered)",
)

OPTOUT = ExtractSchema(
    Source.OPTOUT,
    (
        Column("pid", "string", "TTP pseudonym of the citizen", sensitive=True),
        Column("event_time", "timestamp", "when the citizen made the request (UTC)"),
        Column("action", "string", "optout or withdrawal"),
        Column("channel", "string", "online, phone or desk"),
    ),
    description="opt-out of secondary use and its withdrawal, as registered",
)

SCHEMAS: dict[Source, ExtractSchema] = {
    s.source: s
    for s in (POPULATION, CLAIMS, PHARMACY, HOSPITAL_STAYS, LAB_RESULTS, CLINICAL_NOTES, WELLNESS, OPTOUT)
}
