"""Statistical sanity of the synthetic population and care: the shapes a researcher expects.

Tolerances are a few standard errors wide for 20,000 people, so a broken distribution
(a lost age band, a province missing, cohorts without effect, no flu season) fails.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path
from statistics import median

import numpy as np
import pytest

from synthetic.generate import generate
from synthetic.reference import load

PEOPLE = 20_000


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    out = tmp_path_factory.mktemp("realism")
    generate(out, PEOPLE, 2025)
    names = [
        "population",
        "claims",
        "pharmacy",
        "hospital_stays",
        "lab_results",
        "clinical_notes",
        "wellness",
        "optout",
    ]
    return {n: _rows(out, n) for n in names}


def test_sex_and_age_structure_follow_statbel(data: dict[str, list[dict[str, str]]]) -> None:
    pyramid = load("age_sex")
    total = pyramid.num("male").sum() + pyramid.num("female").sum()
    old = (
        sum(
            m + f
            for m, f, a in zip(
                pyramid.num("male"), pyramid.num("female"), pyramid.int("age_from"), strict=True
            )
            if a >= 65
        )
        / total
    )
    young = (
        sum(
            m + f
            for m, f, a in zip(
                pyramid.num("male"), pyramid.num("female"), pyramid.int("age_from"), strict=True
            )
            if a < 20
        )
        / total
    )
    people = data["population"]
    men = sum(p["sex"] == "M" for p in people) / len(people)
    # Born before 1960 means 65 or more on 1 January 2025; born 2005 or later, under 20.
    over_65 = sum(int(p["birth_year"]) < 1960 for p in people) / len(people)
    under_20 = sum(int(p["birth_year"]) >= 2005 for p in people) / len(people)
    assert abs(men - pyramid.num("male").sum() / total) < 0.012
    assert abs(over_65 - old) < 0.012
    assert abs(under_20 - young) < 0.012
    old_women = sum(p["sex"] == "F" for p in people if int(p["birth_year"]) < 1940)
    old_men = sum(p["sex"] == "M" for p in people if int(p["birth_year"]) < 1940)
    assert old_women > 1.5 * old_men  # women outlive men


def test_provinces_follow_the_arrondissement_populations(data: dict[str, list[dict[str, str]]]) -> None:
    arrs = load("arrondissements")
    expected: Counter[str] = Counter()
    for province, population in zip(arrs["province_code"], arrs.num("population"), strict=True):
        expected[str(province)] += population / arrs.num("population").sum()
    seen = Counter(p["province"] for p in data["population"])
    assert set(seen) == set(expected) and len(seen) == 11
    for province, share in expected.items():
        assert abs(seen[province] / PEOPLE - share) < 0.012, province
    by_code = dict(zip(load("postcodes")["postcode"], load("postcodes")["arrondissement"], strict=True))
    assert all(by_code[p["postcode"]] == p["arrondissement"] for p in data["population"])


def test_every_record_belongs_to_a_person_of_the_population(data: dict[str, list[dict[str, str]]]) -> None:
    pids = {p["pid"] for p in data["population"]}
    for name in (
        "claims",
        "pharmacy",
        "hospital_stays",
        "lab_results",
        "clinical_notes",
        "wellness",
        "optout",
    ):
        assert {r["pid"] for r in data[name]} <= pids, name
    stays = {s["stay_id"]: s["pid"] for s in data["hospital_stays"]}
    assert all(stays[n["stay_id"]] == n["pid"] for n in data["clinical_notes"])


def test_nobody_receives_care_after_death(data: dict[str, list[dict[str, str]]]) -> None:
    died = {p["pid"]: p["death_date"] for p in data["population"] if p["death_date"]}
    assert 0.005 * PEOPLE < len(died) < 0.02 * PEOPLE  # about 1 % a year in Belgium
    for name, column in (
        ("claims", "service_date"),
        ("pharmacy", "delivery_date"),
        ("lab_results", "sample_date"),
        ("hospital_stays", "admission_date"),
        ("wellness", "day"),
    ):
        late = [r for r in data[name] if r["pid"] in died and r[column] > died[r["pid"]]]
        assert late == [], name


def test_cohorts_show_in_lab_values(data: dict[str, list[dict[str, str]]]) -> None:
    diabetic = {d["pid"] for d in data["pharmacy"] if d["atc_code"].startswith("A10")}
    atc = load("atc")
    hf_drugs = set(atc["code"][atc["cohort"] == "heart_failure"].tolist())
    failing = {d["pid"] for d in data["pharmacy"] if d["atc_code"] in hf_drugs}
    values: dict[str, dict[bool, list[float]]] = {}
    for r in data["lab_results"]:
        group = r["pid"] in (diabetic if r["loinc_code"] in ("4548-4", "2345-7") else failing)
        values.setdefault(r["loinc_code"], {True: [], False: []})[group].append(float(r["value"]))
    assert 0.04 * PEOPLE < len(diabetic) < 0.10 * PEOPLE
    assert median(values["4548-4"][True]) > 6.5  # HbA1c of treated diabetics
    assert median(values["2345-7"][True]) > median(values["2345-7"][False]) + 30  # glucose
    assert median(values["33762-6"][True]) > 4 * median(values["33762-6"][False])  # NT-proBNP
    assert median(values["62238-1"][True]) < median(values["62238-1"][False]) - 10  # eGFR
    flagged = [r for r in data["lab_results"] if r["loinc_code"] == "33762-6" and r["pid"] in failing]
    assert sum(r["abnormal_flag"] == "H" for r in flagged) > 0.8 * len(flagged)


def test_older_people_have_lower_egfr_and_more_care(data: dict[str, list[dict[str, str]]]) -> None:
    born = {p["pid"]: int(p["birth_year"]) for p in data["population"]}
    old = [
        float(r["value"])
        for r in data["lab_results"]
        if r["loinc_code"] == "62238-1" and born[r["pid"]] < 1945
    ]
    mid = [
        float(r["value"])
        for r in data["lab_results"]
        if r["loinc_code"] == "62238-1" and 1975 <= born[r["pid"]] < 1995
    ]
    assert median(old) < median(mid) - 15
    claims = Counter(born[c["pid"]] < 1945 for c in data["claims"])
    persons = Counter(b < 1945 for b in born.values())
    assert claims[True] / persons[True] > 1.8 * claims[False] / persons[False]


def test_flu_season_peaks_in_winter(data: dict[str, list[dict[str, str]]]) -> None:
    def month(day: str) -> int:
        return date.fromisoformat(day).month

    flu = Counter(
        month(s["admission_date"])
        for s in data["hospital_stays"]
        if s["main_diagnosis"].startswith(("J10", "J11", "J21"))
    )
    assert flu[1] + flu[2] > 4 * (flu[7] + flu[8] + 1)
    oseltamivir = Counter(month(d["delivery_date"]) for d in data["pharmacy"] if d["atc_code"] == "J05AH02")
    assert oseltamivir[1] + oseltamivir[2] > 3 * (oseltamivir[6] + oseltamivir[7] + oseltamivir[8] + 1)
    vaccine = Counter(month(d["delivery_date"]) for d in data["pharmacy"] if d["atc_code"] == "J07BB02")
    assert vaccine[10] + vaccine[11] > 0.6 * sum(vaccine.values())


def test_codes_are_skewed_so_cells_are_both_large_and_small(data: dict[str, list[dict[str, str]]]) -> None:
    province = {p["pid"]: p["province"] for p in data["population"]}
    persons: dict[tuple[str, str], set[str]] = {}
    for c in data["claims"]:
        persons.setdefault((c["nomenclature_code"], province[c["pid"]]), set()).add(c["pid"])
    sizes = sorted(len(p) for p in persons.values())
    assert sizes[-1] > 1000  # a GP consultation in Antwerp
    assert sum(s < 10 for s in sizes) > 50  # cells the output check must suppress
    assert len({code for code, _ in persons}) > 80  # most of the reference codes occur


def test_sex_and_age_specific_codes_respect_their_limits(data: dict[str, list[dict[str, str]]]) -> None:
    sex = {p["pid"]: p["sex"] for p in data["population"]}
    born = {p["pid"]: int(p["birth_year"]) for p in data["population"]}
    births = [s for s in data["hospital_stays"] if s["main_diagnosis"] in ("O80", "O82")]
    assert births and all(sex[s["pid"]] == "F" for s in births)
    assert not [r for r in data["lab_results"] if r["loinc_code"] == "2857-1" and sex[r["pid"]] == "F"]
    pill = [d for d in data["pharmacy"] if d["atc_code"] == "G03AA07"]
    assert pill and all(sex[d["pid"]] == "F" and 1970 <= born[d["pid"]] <= 2012 for d in pill)
    women = sum(1 for p in data["population"] if p["sex"] == "F" and 1980 <= int(p["birth_year"]) <= 2005)
    assert 0.03 < len(births) / women < 0.10  # Belgium: about 115,000 births for 1.9 million women


def test_notes_languages_follow_belgian_proportions(data: dict[str, list[dict[str, str]]]) -> None:
    share = Counter(n["language"] for n in data["clinical_notes"])
    total = sum(share.values())
    assert 0.52 < share["nl"] / total < 0.64
    assert 0.34 < share["fr"] / total < 0.46
    assert 0.005 < share["en"] / total < 0.04


def test_wellness_is_patient_entered_and_opt_outs_use_every_channel(
    data: dict[str, list[dict[str, str]]],
) -> None:
    assert {w["patient_entered"] for w in data["wellness"]} == {"true"}
    users = {w["pid"] for w in data["wellness"]}
    assert 0.05 * PEOPLE < len(users) < 0.3 * PEOPLE
    channels = Counter(o["channel"] for o in data["optout"])
    assert set(channels) == {"online", "phone", "desk"} and channels["online"] > channels["desk"]
    first_optout = {}
    for o in sorted(data["optout"], key=lambda o: o["event_time"]):
        if o["action"] == "optout":
            first_optout.setdefault(o["pid"], o["event_time"])
        else:
            assert o["pid"] in first_optout and first_optout[o["pid"]] < o["event_time"]


def test_repeated_results_of_a_person_agree(data: dict[str, list[dict[str, str]]]) -> None:
    series: dict[str, list[float]] = {}
    for r in data["lab_results"]:
        if r["loinc_code"] == "4548-4":
            series.setdefault(r["pid"], []).append(float(r["value"]))
    pairs = [(v[0], v[1]) for v in series.values() if len(v) >= 2]
    assert len(pairs) > 300
    first, second = zip(*pairs, strict=True)
    assert 0.3 < float(np.corrcoef(first, second)[0, 1]) < 0.7  # HbA1c of diabetics: a personal level
