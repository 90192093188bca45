"""Hospital stays (MZG/RHM-like) and lab results, consistent with the chronic cohorts.

Stays: general diagnoses by age/sex stratum and season, births for women of child-bearing
age, and extra cohort stays (heart failure decompensation, COPD exacerbation, diabetes).
Secondary diagnoses repeat the person's chronic conditions and common comorbidities;
procedures and APR-DRG follow the main diagnosis. Lab results come in panels (routine,
diabetes follow-up, heart failure, inflammation, admission) whose values shift with the
cohorts, so that HbA1c, eGFR, LDL, NT-proBNP and CRP differ as they would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from common.schemas import HOSPITAL_STAYS, LAB_RESULTS
from synthetic import fmt
from synthetic.population import People
from synthetic.reference import load
from synthetic.sampling import calendar, draw_by_stratum, draw_days, strata, stratum_weights

STAY_TYPES = ("classic", "day", "emergency")
_COHORT_STAYS = {"heart_failure": 0.55, "copd": 0.35, "diabetes": 0.08}
_N_HOSPITALS = 43 * 3
_OWN = 0.7  # weight of the person's own level in a lab value (correlation of repeats: 0.49)
_LAB_SINGLES = {  # loinc: (yearly rate, minimum age, sex or "")
    "3016-3": (0.12, 0, ""),
    "2276-4": (0.08, 0, ""),
    "2857-1": (0.30, 50, "M"),
    "62292-8": (0.10, 18, ""),
    "6301-6": (0.08, 60, ""),
    "3084-1": (0.05, 18, ""),
    "1751-7": (0.05, 40, ""),
    "33959-8": (0.02, 0, ""),
    "48065-7": (0.03, 18, ""),
    "1975-2": (0.05, 0, ""),
    "1920-8": (0.10, 0, ""),
    "2324-2": (0.10, 0, ""),
    "33762-6": (0.04, 50, ""),  # NT-proBNP to rule out heart failure in breathless patients
}
_COMMENTS = {
    "fr": ["Hémolyse légère", "Échantillon non à jeun", "Résultat contrôlé", "Prélèvement tardif"],
    "nl": ["Licht gehemolyseerd", "Niet nuchter afgenomen", "Resultaat gecontroleerd", "Laattijdige afname"],
}


@dataclass(frozen=True)
class Stays:
    """Stays of one chunk, sorted by pid then admission, with their delivered table."""

    owner: np.ndarray
    admission: np.ndarray
    discharge: np.ndarray
    stay_type: np.ndarray  # index into STAY_TYPES
    main: np.ndarray  # index into tables/icd10cm.csv
    stay_id: pa.Array
    table: pa.Table


def _secondary(
    rng: np.random.Generator, people: People, owner: np.ndarray, main: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    """Secondary diagnoses joined by ``|`` and how many each stay has."""
    icd = load("icd10cm")
    index = {c: i for i, c in enumerate(icd["code"])}
    age, male = people.age[owner], people.male[owner]
    cohort = icd["cohort"][main]
    u = lambda: rng.random(len(owner))  # noqa: E731
    diab, hf, copd = people.diabetes[owner], people.heart_failure[owner], people.copd[owner]
    hip = np.char.startswith(icd["code"][main], "S72")
    candidates = [
        ("E11.9", diab & (cohort != "diabetes")),
        ("Z79.4", diab & (u() < 0.3)),
        ("I50.9", hf & (cohort != "heart_failure")),
        ("J44.9", copd & (cohort != "copd")),
        ("Z87.891", copd & (u() < 0.6)),
        ("Z99.81", copd & (u() < 0.1)),
        ("I10", u() < np.interp(age, [30, 50, 70, 90], [0.02, 0.15, 0.4, 0.55])),
        ("E78.5", u() < np.interp(age, [30, 50, 70, 90], [0.01, 0.1, 0.25, 0.25])),
        ("N18.3", (age >= 50) & (u() < 0.03 + 0.1 * diab + 0.15 * hf)),
        ("E03.9", ~male & (age >= 40) & (u() < 0.06)),
        ("F03.90", (age >= 80) & (u() < 0.12)),
        ("M81.0", ~male & (age >= 60) & (u() < 0.08)),
        ("W19.XXXA", hip),
        ("D64.9", u() < 0.04),
    ]
    parts: list[tuple[np.ndarray, pa.Array | str]] = []
    count = np.zeros(len(owner), dtype=np.int64)
    for code, present in candidates:
        present = present & (main != index[code])
        count += present
        parts.append((present, code))
    return fmt.join_present(parts), count


def stays(rng: np.random.Generator, people: People, start: date, days: int, first_id: int) -> Stays:
    """Hospital stays of one chunk; ``stay_id`` numbers start at ``first_id``."""
    icd = load("icd10cm")
    alive = people.end / days
    general = np.where(np.isin(icd["cohort"], ["", "flu"]), 1.0, 0.0)
    rate = np.interp(
        people.age, [0, 1, 5, 18, 40, 65, 80, 95], [0.5, 0.17, 0.08, 0.11, 0.16, 0.28, 0.55, 0.75]
    )
    owner = np.repeat(np.arange(len(people)), rng.poisson(rate * alive))
    main = draw_by_stratum(rng, strata(people.age, people.male)[owner], stratum_weights(icd, general))
    births = np.interp(people.age, [17, 18, 25, 30, 35, 40, 45], [0, 0.01, 0.07, 0.11, 0.07, 0.02, 0])
    extra = {**_COHORT_STAYS, "birth": 1.0}
    for cohort, stay_rate in extra.items():
        member = ~people.male * births if cohort == "birth" else getattr(people, cohort) * stay_rate
        o = np.repeat(np.arange(len(people)), rng.poisson(member * alive))
        pool = np.flatnonzero((icd["cohort"] == cohort) & (icd.num("weight") > 0))
        w = icd.num("weight")[pool]
        owner = np.concatenate([owner, o])
        main = np.concatenate([main, pool[rng.choice(len(pool), size=len(o), p=w / w.sum())]])
    admission = draw_days(rng, icd.int("season")[main], people.end[owner], calendar(start, days))
    order = np.lexsort((admission, owner))
    owner, main, admission = owner[order], main[order], admission[order]
    n = len(owner)

    stay_type = np.select([icd["stay_type"][main] == t for t in STAY_TYPES], range(3))
    los = np.select(
        [stay_type == 0, stay_type == 1],
        [1 + rng.poisson(np.maximum(icd.num("los")[main] - 1, 0)), np.zeros(n, dtype=np.int64)],
        (rng.random(n) < 0.2).astype(np.int64),
    )
    dies = people.death[owner] >= 0
    discharge = np.where(
        dies, np.minimum(admission + los, np.maximum(people.death[owner], admission)), admission + los
    )
    secondary, n_secondary = _secondary(rng, people, owner, main)
    has_pcs = (icd["pcs"][main] != "") & (rng.random(n) < 0.85)
    transfused = (stay_type == 0) & (rng.random(n) < 0.03) & (icd["pcs"][main] != "30233N1")
    procedures = fmt.join_present([(has_pcs, fmt.pick(icd["pcs"], main)), (transfused, "30233N1")])
    severity = 1 + np.minimum(3, n_secondary // 2 + (people.age[owner] >= 75) + (rng.random(n) < 0.1))
    hospital = np.where(rng.random(n) < 0.85, people.hospital[owner], rng.integers(0, _N_HOSPITALS, n))
    stay_id = fmt.ident("S", np.arange(first_id, first_id + n), 9)
    columns = {
        "stay_id": stay_id,
        "pid": pa.array(people.pid).take(pa.array(owner)),
        "hospital_id": fmt.ident("INST", hospital + 1, 4),
        "admission_date": fmt.dates(start, admission),
        "discharge_date": fmt.dates(start, discharge),
        "stay_type": fmt.pick(list(STAY_TYPES), stay_type),
        "main_diagnosis": fmt.pick(icd["code"], main),
        "secondary_diagnoses": secondary,
        "procedures": procedures,
        "apr_drg": fmt.pick(icd["apr_drg"], main),
        "severity": fmt.ints(severity),
    }
    table = pa.table([columns[c] for c in HOSPITAL_STAYS.names], names=HOSPITAL_STAYS.names)
    return Stays(owner, admission, discharge, stay_type, main, stay_id, table)


def _panel(name: str) -> np.ndarray:
    lab = load("loinc")
    return np.flatnonzero(np.array([name in p.split("|") for p in lab["panels"]]))


# Long on purpose: one column after another of one extract, in the order of its schema;
# split up, the draws would no longer read against the columns they fill.
def lab_table(
    rng: np.random.Generator, people: People, hospital_stays: Stays, start: date, days: int, first_id: int
) -> pa.Table:
    """Lab results of one chunk; ``result_id`` numbers start at ``first_id``."""
    lab = load("loinc")
    alive = people.end / days
    flat = calendar(start, days)
    events: list[tuple[np.ndarray, np.ndarray, np.ndarray, str]] = []  # owner, day, setting, panel

    def ambulatory(rate: np.ndarray, panel: str) -> None:
        owner = np.repeat(np.arange(len(people)), rng.poisson(rate * alive))
        day = draw_days(rng, np.zeros(len(owner), dtype=np.int64), people.end[owner], flat)
        setting = np.where(rng.random(len(owner)) < 0.1, 1, 0)
        events.append((owner, day, setting, panel))

    ambulatory(np.interp(people.age, [0, 18, 40, 65, 80], [0.15, 0.4, 0.7, 1.2, 1.6]), "routine")
    for cohort, rate in (("diabetes", 3.0), ("heart_failure", 3.0), ("copd", 1.5)):
        ambulatory(getattr(people, cohort) * rate, cohort)
    admitted = hospital_stays.stay_type != 1
    events.append(
        (
            hospital_stays.owner[admitted],
            hospital_stays.admission[admitted],
            np.where(hospital_stays.stay_type[admitted] == 2, 2, 1),
            "admission",
        )
    )
    owners, daylist, settings, tests = [], [], [], []
    for owner, day, setting, panel in events:
        codes = _panel(panel)
        owners.append(np.repeat(owner, len(codes)))
        daylist.append(np.repeat(day, len(codes)))
        settings.append(np.repeat(setting, len(codes)))
        tests.append(np.tile(codes, len(owner)))
    index = {c: i for i, c in enumerate(lab["loinc"])}
    for code, (rate, min_age, sex) in _LAB_SINGLES.items():
        fits = (people.age >= min_age) & (people.male if sex == "M" else True)
        ambulatory(rate * fits, "")
        owner, day, setting, _ = events.pop()
        owners.append(owner)
        daylist.append(day)
        settings.append(setting)
        tests.append(np.full(len(owner), index[code]))
    owner, day = np.concatenate(owners), np.concatenate(daylist)
    setting, test = np.concatenate(settings), np.concatenate(tests)
    order = np.lexsort((test, day, owner))
    owner, day, setting, test = owner[order], day[order], setting[order], test[order]
    n = len(owner)

    shift = (
        lab.num("mu")[test]
        + lab.num("age_slope")[test] * (people.age[owner] - 50)
        + lab.num("diabetes")[test] * people.diabetes[owner]
        + lab.num("heart_failure")[test] * people.heart_failure[owner]
        + lab.num("copd")[test] * people.copd[owner]
    )
    # Half the variance is the person's own level, so repeated results of a person agree.
    own = rng.standard_normal((len(people), len(lab)))[owner, test]
    draw = shift + lab.num("sigma")[test] * (_OWN * own + np.sqrt(1 - _OWN**2) * rng.standard_normal(n))
    value = np.where(lab["dist"][test] == "lognormal", np.exp(draw), draw)
    value = np.clip(value, lab.num("min")[test], lab.num("max")[test])
    places = lab.int("decimals")[test]
    value = np.round(value * 10.0**places) / 10.0**places
    low, high = lab.num("ref_low")[test], lab.num("ref_high")[test]
    flag = np.select([value < low, value > high], [0, 2], 1)
    lab_no = np.where(setting == 0, people.arrondissement[owner] + 1, 100 + people.hospital[owner])
    commented = rng.random(n) < 0.02
    pick = rng.integers(0, 4, size=n)
    comment = pc.if_else(
        pa.array(people.french[owner]), fmt.pick(_COMMENTS["fr"], pick), fmt.pick(_COMMENTS["nl"], pick)
    )
    columns = {
        "result_id": fmt.ident("R", np.arange(first_id, first_id + n), 10),
        "pid": pa.array(people.pid).take(pa.array(owner)),
        "sample_date": fmt.dates(start, day),
        "loinc_code": fmt.pick(lab["loinc"], test),
        "value": fmt.decimals(value, places),
        "unit": fmt.pick(lab["unit"], test),
        "ref_low": fmt.pick(lab["ref_low"], test),
        "ref_high": fmt.pick(lab["ref_high"], test),
        "abnormal_flag": fmt.pick(["L", "N", "H"], flag),
        "setting": fmt.pick(["ambulatory", "hospital", "emergency"], setting),
        "lab_id": fmt.ident("LAB", lab_no, 3),
        "comment": pc.if_else(pa.array(commented), comment, ""),
    }
    return pa.table([columns[c] for c in LAB_RESULTS.names], names=LAB_RESULTS.names)
