"""Every row of a clean delivery is valid; with --faults, exactly the listed lines are bad.

The checks below are written from the schemas and the reference tables, independently
of the generator's code: a clean extract must pass all of them, and a faulty one must
fail on precisely the lines of ``truth/faults.csv``, each for the reason its kind names.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from common.layout import Source
from common.schemas import SCHEMAS
from synthetic.generate import generate
from synthetic.reference import load

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
AMOUNT = re.compile(r"^\d{1,10}\.\d{2}$")
APPS = {"Apple Health", "Google Fit", "Fitbit", "Garmin Connect", "Samsung Health", "Withings Health Mate"}
COMMENTS = {
    "",
    "Hémolyse légère",
    "Échantillon non à jeun",
    "Résultat contrôlé",
    "Prélèvement tardif",
    "Licht gehemolyseerd",
    "Niet nuchter afgenomen",
    "Resultaat gecontroleerd",
    "Laattijdige afname",
}
PEOPLE = 2500


def niss_valid(text: str) -> bool:
    digits = re.sub(r"[.\-\s]", "", text)
    if not re.fullmatch(r"\d{11}", digits):
        return False
    base, check = int(digits[:9]), int(digits[9:])
    return check in (97 - base % 97, 97 - (2_000_000_000 + base) % 97)


def _date(value: str, reasons: set[str]) -> date | None:
    if not DATE.match(value):
        reasons.add("malformed_date")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        reasons.add("impossible_date")
        return None


def _code(value: str, allowed: set[str], reasons: set[str]) -> None:
    if value not in allowed:
        reasons.add("unknown_code")


def _amounts(row: dict[str, str], columns: tuple[str, ...], reasons: set[str]) -> None:
    for c in columns:
        if row[c].startswith("-"):
            reasons.add("negative_amount")
        elif not AMOUNT.match(row[c]):
            reasons.add("bad_amount")


def _ident(value: str, pattern: str, reasons: set[str]) -> None:
    if niss_valid(value):
        reasons.add("niss_in_free_field")
    elif not re.fullmatch(pattern, value):
        reasons.add("bad_identifier")


class Checker:
    """Row checks per source; ``seen`` keys find duplicates on their second occurrence."""

    def __init__(self) -> None:
        self.seen: dict[Source, set[tuple[str, ...]]] = {s: set() for s in Source}
        self.pcs = load("postcodes")
        self.postcodes = set(self.pcs["postcode"].tolist())
        self.nomenclature = load("nomenclature").codes()
        self.provider_types = set(load("nomenclature")["provider_type"].tolist())
        atc, cnk = load("atc"), load("cnk")
        self.atc = atc.codes()
        self.atc_of_cnk = dict(zip(cnk["cnk"].tolist(), cnk["atc"].tolist(), strict=True))
        self.icd, self.pcs_codes = load("icd10cm").codes(), load("icd10pcs").codes()
        self.drg = load("apr_drg").codes()
        lab = load("loinc")
        self.units = dict(zip(lab["loinc"].tolist(), lab["unit"].tolist(), strict=True))

    def duplicate(self, source: Source, key: tuple[str, ...], reasons: set[str]) -> None:
        if key in self.seen[source]:
            reasons.add("duplicate_key")
        self.seen[source].add(key)

    def population(self, r: dict[str, str], why: set[str]) -> None:
        self.duplicate(Source.POPULATION, (r["pid"],), why)
        _code(r["postcode"], self.postcodes, why)
        if r["arrondissement"] not in set(load("arrondissements")["nis_code"].tolist()):
            why.add("unknown_code")
        if not (1900 <= int(r["birth_year"]) <= 2025 and 1 <= int(r["birth_month"]) <= 12):
            why.add("bad_birth")
        insurers = {"100", "200", "300", "400", "500", "600", "900"}
        if r["sex"] not in ("M", "F") or r["insurer"] not in insurers:
            why.add("unknown_code")
        if r["death_date"]:
            _date(r["death_date"], why)

    def claims(self, r: dict[str, str], why: set[str]) -> None:
        self.duplicate(Source.CLAIMS, (r["pid"], r["service_date"], r["nomenclature_code"]), why)
        _code(r["nomenclature_code"], self.nomenclature, why)
        _code(r["provider_type"], self.provider_types, why)
        day = _date(r["service_date"], why)
        if day is not None and day.year != 2025:
            why.add("out_of_period")
        _ident(r["provider_id"], r"PRV\d{5}", why)
        if r["institution_id"]:
            _ident(r["institution_id"], r"INST\d{4}", why)
        _amounts(r, ("amount_reimbursed", "amount_copay", "amount_supplement"), why)

    def pharmacy(self, r: dict[str, str], why: set[str]) -> None:
        self.duplicate(Source.PHARMACY, (r["delivery_id"],), why)
        _date(r["delivery_date"], why)
        if r["cnk_code"] not in self.atc_of_cnk or r["atc_code"] not in self.atc:
            why.add("unknown_code")
        elif self.atc_of_cnk[r["cnk_code"]] != r["atc_code"]:
            why.add("cnk_atc_mismatch")
        _amounts(r, ("ddd", "amount_reimbursed", "amount_copay"), why)
        _ident(r["prescriber_id"], r"PRV\d{5}", why)
        _ident(r["pharmacy_id"], r"PH\d{5}", why)

    def hospital_stays(self, r: dict[str, str], why: set[str]) -> None:
        self.duplicate(Source.HOSPITAL_STAYS, (r["stay_id"],), why)
        admitted, discharged = _date(r["admission_date"], why), _date(r["discharge_date"], why)
        if admitted and discharged and discharged < admitted:
            why.add("discharge_before_admission")
        _code(r["stay_type"], {"classic", "day", "emergency"}, why)
        _code(r["main_diagnosis"], self.icd, why)
        if niss_valid(r["secondary_diagnoses"]):
            why.add("niss_in_free_field")
        elif any(c not in self.icd for c in r["secondary_diagnoses"].split("|") if c):
            why.add("unknown_code")
        if any(c not in self.pcs_codes for c in r["procedures"].split("|") if c):
            why.add("unknown_code")
        _code(r["apr_drg"], self.drg, why)
        _code(r["severity"], {"1", "2", "3", "4"}, why)
        _ident(r["hospital_id"], r"INST\d{4}", why)

    def lab_results(self, r: dict[str, str], why: set[str]) -> None:
        self.duplicate(Source.LAB_RESULTS, (r["result_id"],), why)
        _date(r["sample_date"], why)
        if r["loinc_code"] not in self.units:
            why.add("unknown_code")
            return
        value, low, high = float(r["value"]), float(r["ref_low"]), float(r["ref_high"])
        expected = "L" if value < low else "H" if value > high else "N"
        if r["unit"] != self.units[r["loinc_code"]] or r["abnormal_flag"] != expected:
            why.add("inconsistent_result")
        _code(r["setting"], {"ambulatory", "hospital", "emergency"}, why)
        if niss_valid(r["comment"]):
            why.add("niss_in_free_field")
        elif r["comment"] not in COMMENTS:
            why.add("unknown_comment")

    def clinical_notes(self, r: dict[str, str], why: set[str]) -> None:
        self.duplicate(Source.CLINICAL_NOTES, (r["note_id"],), why)
        _date(r["note_date"], why)
        _code(r["language"], {"fr", "nl", "en"}, why)
        _code(r["note_type"], {"discharge_letter", "emergency_report"}, why)
        if len(r["text"]) < 100:
            why.add("short_text")

    def wellness(self, r: dict[str, str], why: set[str]) -> None:
        self.duplicate(Source.WELLNESS, (r["pid"], r["day"]), why)
        _date(r["day"], why)
        if int(r["steps"]) < 0:
            why.add("negative_amount")
        if not (120 <= int(r["sleep_minutes"]) <= 720 and 38 <= int(r["resting_heart_rate"]) <= 130):
            why.add("implausible_value")
        if niss_valid(r["source_app"]):
            why.add("niss_in_free_field")
        elif r["source_app"] not in APPS:
            why.add("unknown_code")
        if r["patient_entered"] != "true":
            why.add("not_patient_entered")

    def optout(self, r: dict[str, str], why: set[str]) -> None:
        self.duplicate(Source.OPTOUT, tuple(r.values()), why)
        value = r["event_time"]
        if not TIMESTAMP.match(value):
            if DATE.match(value[:10]) and TIMESTAMP.match(value[:10] + "T00:00:00Z"):
                _date(value[:10], why)
            else:
                why.add("malformed_date")
        else:
            _date(value[:10], why)
        _code(r["action"], {"optout", "withdrawal"}, why)
        _code(r["channel"], {"online", "phone", "desk"}, why)


def violations(folder: Path, source: Source, checker: Checker) -> dict[int, set[str]]:
    """Reasons per line number (header is line 1) for every line that breaks a rule."""
    names = SCHEMAS[source].names
    check: Callable[[dict[str, str], set[str]], None] = getattr(checker, source.value)
    lines = (folder / f"{source.value}.csv").read_bytes().split(b"\n")
    assert lines[-1] == b"" and next(csv.reader([lines[0].decode()])) == names
    found: dict[int, set[str]] = {}
    for number, raw in enumerate(lines[1:-1], start=2):
        why: set[str] = set()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            why.add("non_utf8")
            text = raw.decode("latin-1")
        fields = next(csv.reader([text]))
        if len(fields) != len(names):
            why.add("wrong_column_count")
        else:
            check(dict(zip(names, fields, strict=True)), why)
        if why:
            found[number] = why
    return found


def _generate(out: Path, faults: bool) -> Path:
    # Small chunks, so the deliveries span several chunks as large ones do.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("synthetic.generate.CHUNK_PEOPLE", 1000)
        generate(out, PEOPLE, 21, faults=faults)
    return out


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("clean"), faults=False)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("faulty"), faults=True)


def _manifest(folder: Path) -> list[dict[str, str]]:
    with (folder / "truth" / "faults.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("source", list(SCHEMAS))
def test_clean_delivery_has_no_bad_line(clean: Path, source: Source) -> None:
    assert violations(clean, source, Checker()) == {}
    assert not (clean / "truth" / "faults.csv").exists()


@pytest.mark.parametrize("source", list(SCHEMAS))
def test_exactly_the_listed_lines_are_bad_each_for_its_kind(faulty: Path, source: Source) -> None:
    listed = [f for f in _manifest(faulty) if f["file"] == f"{source.value}.csv"]
    found = violations(faulty, source, Checker())
    assert {int(f["line"]) for f in listed} == set(found)
    for fault in listed:
        assert fault["kind"] in found[int(fault["line"])], fault


def test_every_source_gets_faults_and_every_kind_is_planted(faulty: Path) -> None:
    listed = _manifest(faulty)
    assert {f["file"] for f in listed} == {f"{s.value}.csv" for s in SCHEMAS}
    assert {f["kind"] for f in listed} == {
        "malformed_date",
        "impossible_date",
        "unknown_code",
        "negative_amount",
        "duplicate_key",
        "discharge_before_admission",
        "wrong_column_count",
        "non_utf8",
        "niss_in_free_field",
    }
    assert len({(f["file"], f["line"]) for f in listed}) == len(listed)


def test_faults_leave_the_other_lines_untouched(clean: Path, faulty: Path) -> None:
    listed = {(f["file"], int(f["line"])) for f in _manifest(faulty)}
    for source in SCHEMAS:
        a = (clean / f"{source.value}.csv").read_bytes().split(b"\n")
        b = (faulty / f"{source.value}.csv").read_bytes().split(b"\n")
        assert len(a) == len(b)
        changed = {i + 1 for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y}
        assert changed == {line for file, line in listed if file == f"{source.value}.csv"}


def test_a_duplicate_repeats_the_key_of_the_line_above(faulty: Path) -> None:
    dups = [f for f in _manifest(faulty) if f["kind"] == "duplicate_key"]
    assert dups
    for fault in dups:
        line = int(fault["line"])
        assert fault["detail"].endswith(f"line {line - 1}")


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("85.07.30-033.28", True),  # born 1985
        ("85073003328", True),
        ("85073003329", False),
        ("03.04.05-001.66", True),  # born 2003: a 2 before the nine digits
        ("03.04.05-001.71", False),
        ("", False),
        ("PRV00042", False),
    ],
)
def test_niss_check_used_by_these_tests(text: str, valid: bool) -> None:
    assert niss_valid(text) is valid
