"""What each extract must satisfy row by row, as data: one ``SourceRules`` per source.

The schema (``common.schemas``) gives each column's type; these rules add what a type
cannot say: which columns may be empty, which code lists are authoritative, allowed
values, hard ranges, dates that must come in order, and free-text columns that are
de-identified on the way to silver. ``quality.row_checks.check`` turns them into one reason
code per row; the quality suites then judge the delivery as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from common import reference
from common.layout import Source

ICD10CM = r"^[A-Z][0-9A-Z]{2}(\.[0-9A-Z]{1,4})?$"


@dataclass(frozen=True)
class SourceRules:
    """The row rules of one extract, besides what its schema's types imply."""

    source: Source
    optional: frozenset[str] = frozenset()  # columns that may be empty
    code_forms: dict[str, str] = field(default_factory=dict)  # column -> regex of a well-formed code
    code_lists: dict[str, str] = field(default_factory=dict)  # column -> authoritative reference table
    code_sets: dict[str, str] = field(default_factory=dict)  # column of codes joined by | -> table
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column -> allowed values
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)  # column -> possible range
    non_negative: tuple[str, ...] = ()
    ordered_dates: tuple[tuple[str, str], ...] = ()  # (earlier, later) pairs
    event_date: str | None = None  # when the care or measurement happened
    free_text: dict[str, str | None] = field(default_factory=dict)  # column -> its language column
    niss_exempt: tuple[str, ...] = ()  # free text de-identified instead of quarantined

    def codes(self, column: str) -> frozenset[str]:
        """The authoritative codes of ``column`` (from ``code_lists`` or ``code_sets``)."""
        table = self.code_lists.get(column) or self.code_sets[column]
        return reference.codes(table)


RULES: dict[Source, SourceRules] = {
    Source.POPULATION: SourceRules(
        Source.POPULATION,
        optional=frozenset({"death_date"}),
        code_forms={"postcode": r"^\d{4}$", "arrondissement": r"^\d{5}$", "insurer": r"^\d{3}$"},
        code_lists={"postcode": "postcodes", "arrondissement": "arrondissements", "insurer": "insurers"},
        allowed={"sex": ("F", "M"), "province": tuple(sorted(reference.provinces()))},
        ranges={"birth_month": (1, 12)},
    ),
    Source.CLAIMS: SourceRules(
        Source.CLAIMS,
        optional=frozenset({"provider_type", "provider_id", "institution_id"}),
        code_forms={"nomenclature_code": r"^\d{6}$"},
        code_lists={"nomenclature_code": "nomenclature"},
        non_negative=("amount_reimbursed", "amount_copay", "amount_supplement"),
        event_date="service_date",
    ),
    Source.PHARMACY: SourceRules(
        Source.PHARMACY,
        code_forms={"cnk_code": r"^\d{7}$", "atc_code": r"^[A-Z]\d{2}[A-Z]{2}(\d{2})?$"},
        code_lists={"cnk_code": "cnk", "atc_code": "atc"},
        non_negative=("ddd", "amount_reimbursed", "amount_copay"),
        event_date="delivery_date",
    ),
    Source.HOSPITAL_STAYS: SourceRules(
        Source.HOSPITAL_STAYS,
        optional=frozenset({"secondary_diagnoses", "procedures"}),
        code_forms={"main_diagnosis": ICD10CM, "apr_drg": r"^\d{3}$"},
        code_lists={"main_diagnosis": "icd10cm", "apr_drg": "apr_drg"},
        code_sets={"secondary_diagnoses": "icd10cm", "procedures": "icd10pcs"},
        allowed={"stay_type": ("classic", "day", "emergency")},
        ranges={"severity": (1, 4)},
        ordered_dates=(("admission_date", "discharge_date"),),
        event_date="admission_date",
    ),
    Source.LAB_RESULTS: SourceRules(
        Source.LAB_RESULTS,
        optional=frozenset({"ref_low", "ref_high", "abnormal_flag", "comment"}),
        code_forms={"loinc_code": r"^\d{1,7}-\d$"},
        code_lists={"loinc_code": "loinc"},
        allowed={"abnormal_flag": ("H", "L", "N"), "setting": ("ambulatory", "emergency", "hospital")},
        event_date="sample_date",
        # Lab remarks carry no language: both the French and the Dutch pipelines run.
        free_text={"comment": None},
    ),
    Source.CLINICAL_NOTES: SourceRules(
        Source.CLINICAL_NOTES,
        allowed={
            # The languages ``pseudonymisation.text.deidentify`` handles: a note in any other
            # cannot be de-identified, so it is quarantined.
            "language": ("de", "en", "fr", "nl"),
            "note_type": ("consultation", "discharge_letter", "emergency_report"),
        },
        event_date="note_date",
        free_text={"text": "language"},
        # Letters name the patient's national number on purpose; de-identification removes it.
        niss_exempt=("text",),
    ),
    Source.WELLNESS: SourceRules(
        Source.WELLNESS,
        optional=frozenset({"sleep_minutes", "resting_heart_rate"}),
        non_negative=("steps", "sleep_minutes", "resting_heart_rate"),
        event_date="day",
    ),
}
