"""The insured population: age, sex and place close to Statbel's, insurer, cohorts, deaths.

Ages and sexes follow the 5-year pyramid in ``tables/age_sex.csv`` (Belgium, 1 January
2024, thousands), places the arrondissement populations in ``tables/arrondissements.csv``.
Chronic cohorts (diabetes, heart failure, COPD) have age- and sex-dependent prevalence, and
are more frequent among people with increased reimbursement, as in IMA figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from common.schemas import POPULATION
from synthetic import fmt
from synthetic.reference import load

REGIONS = ("VLG", "WAL", "BRU")
INSURERS = np.array(["100", "200", "300", "400", "500", "600", "900"])
_INSURER_P = {  # by region: Christian, neutral, socialist, liberal, independent, HZIV/CAAMI, HR Rail
    "VLG": [0.45, 0.04, 0.20, 0.05, 0.23, 0.02, 0.01],
    "WAL": [0.33, 0.05, 0.40, 0.06, 0.13, 0.02, 0.01],
    "BRU": [0.30, 0.08, 0.30, 0.06, 0.16, 0.09, 0.01],
}
_BIM_P = {"VLG": 0.13, "WAL": 0.21, "BRU": 0.29}
# Prevalence by age (interpolated), before the sex and BIM factors.
_AGES = [0, 20, 40, 50, 60, 70, 80, 90, 110]
_DIABETES = [0.003, 0.006, 0.025, 0.06, 0.11, 0.16, 0.17, 0.15, 0.15]
_HEART_FAILURE = [0.0, 0.0, 0.001, 0.006, 0.015, 0.04, 0.09, 0.15, 0.18]
_COPD = [0.0, 0.0, 0.006, 0.025, 0.055, 0.085, 0.10, 0.09, 0.09]


@dataclass(frozen=True)
class People:
    """One chunk of people; every array has one entry per person, in pid order."""

    pid: np.ndarray
    male: np.ndarray
    birth: np.ndarray  # datetime64[D]
    age: np.ndarray  # completed years at the start of the window
    postcode: np.ndarray  # index into tables/postcodes.csv
    arrondissement: np.ndarray  # index into tables/arrondissements.csv
    region: np.ndarray  # index into REGIONS
    french: np.ndarray  # the person's language is French (else Dutch)
    insurer: np.ndarray
    bim: np.ndarray
    death: np.ndarray  # day offset of death in the window, -1 when alive at its end
    end: np.ndarray  # days alive in the window
    diabetes: np.ndarray
    heart_failure: np.ndarray
    copd: np.ndarray
    gp: np.ndarray  # usual general practitioner (pool index)
    hospital: np.ndarray  # nearest hospital (pool index)
    pharmacy: np.ndarray  # usual pharmacy (pool index)

    def __len__(self) -> int:
        return len(self.pid)


def make_pids(rng: np.random.Generator, people: int) -> np.ndarray:
    """Distinct opaque TTP pseudonyms (16 hex digits), in ascending order."""
    raw = np.unique(rng.integers(1, 2**63 - 1, size=people, dtype=np.int64))
    while len(raw) < people:  # a collision among 2**63 values: draw the missing ones again
        extra = rng.integers(1, 2**63 - 1, size=people - len(raw), dtype=np.int64)
        raw = np.unique(np.concatenate([raw, extra]))
    shifts = np.arange(60, -4, -4, dtype=np.int64)
    digits = (raw[:, None] >> shifts) & 0xF
    hexchars = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[digits]
    return hexchars.astype(np.uint8).view("S16").ravel().astype("U16")


def _pool(total_people: int, per: int) -> int:
    return max(5, total_people // per)


# Long on purpose: every attribute of a person is drawn in one place, in dependency order
# (birth before death, residence before provider pools).
def make_people(
    rng: np.random.Generator, pids: np.ndarray, start: date, days: int, total_people: int
) -> People:
    """Draw everyone's attributes; ``total_people`` sizes the provider pools."""
    n = len(pids)
    pyramid = load("age_sex")
    counts = np.concatenate([pyramid.num("female"), pyramid.num("male")])
    cell = rng.choice(len(counts), size=n, p=counts / counts.sum())
    bands = len(pyramid)
    male = cell >= bands
    band = cell % bands
    lo, hi = pyramid.int("age_from")[band], pyramid.int("age_to")[band]
    age = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)
    first = fmt.day0(start)
    birth = first - np.floor((age + rng.random(n)) * 365.25).astype("timedelta64[D]") - np.timedelta64(1, "D")

    postcodes, arrs = load("postcodes"), load("arrondissements")
    arr_of_pc = np.searchsorted(arrs["nis_code"], postcodes["arrondissement"])
    arr_pop = arrs.num("population")
    pc_weight = postcodes.num("weight")
    share = pc_weight / np.bincount(arr_of_pc, weights=pc_weight)[arr_of_pc] * arr_pop[arr_of_pc]
    postcode = rng.choice(len(share), size=n, p=share / share.sum())
    arrondissement = arr_of_pc[postcode]
    region = np.array([REGIONS.index(r) for r in arrs["region"]])[arrondissement]
    french = (region == 1) | ((region == 2) & (rng.random(n) < 0.85))

    insurer = np.empty(n, dtype="U3")
    bim_p = np.empty(n)
    for r, name in enumerate(REGIONS):
        rows = np.flatnonzero(region == r)
        insurer[rows] = rng.choice(INSURERS, size=len(rows), p=_INSURER_P[name])
        bim_p[rows] = _BIM_P[name]
    bim = rng.random(n) < np.clip(bim_p * np.where(age >= 65, 1.5, 1.0), 0, 1)

    risk = np.where(bim, 1.4, 1.0)
    diabetes = rng.random(n) < np.interp(age, _AGES, _DIABETES) * np.where(male, 1.2, 0.85) * risk
    heart_failure = rng.random(n) < np.interp(age, _AGES, _HEART_FAILURE) * np.where(male, 1.1, 0.9) * risk
    copd = rng.random(n) < (
        np.interp(age, _AGES, _COPD) * np.where(male, 1.3, 0.75) * risk * np.where(region == 1, 1.2, 1.0)
    )

    # Gompertz-like annual mortality (about 1 % overall), higher in the cohorts.
    q = 0.00004 * np.exp(0.085 * age) * np.where(heart_failure, 2.5, 1.0) * np.where(copd, 1.8, 1.0)
    q = np.clip(q * np.where(diabetes, 1.3, 1.0) * days / 365.0, 0, 0.9)
    dies = rng.random(n) < q
    death = np.where(dies, rng.integers(1, max(days, 2), size=n), -1)
    end = np.where(dies, death, days)

    hospitals_per_arr = 3
    return People(
        pid=pids,
        male=male,
        birth=birth,
        age=age,
        postcode=postcode,
        arrondissement=arrondissement,
        region=region,
        french=french,
        insurer=insurer,
        bim=bim,
        death=death,
        end=end,
        diabetes=diabetes,
        heart_failure=heart_failure,
        copd=copd,
        gp=rng.integers(0, _pool(total_people, 900), size=n),
        hospital=arrondissement * hospitals_per_arr + rng.integers(0, hospitals_per_arr, size=n),
        pharmacy=rng.integers(0, _pool(total_people, 2200), size=n),
    )


def population_table(people: People, start: date) -> pa.Table:
    """The population extract of one chunk, every column as delivered text."""
    postcodes, arrs = load("postcodes"), load("arrondissements")
    years = people.birth.astype("datetime64[Y]")
    months = (people.birth.astype("datetime64[M]") - years.astype("datetime64[M]")).astype(np.int64) + 1
    columns = {
        "pid": pa.array(people.pid),
        "birth_year": fmt.ints(years.astype(np.int64) + 1970),
        "birth_month": fmt.ints(months),
        "sex": fmt.pick(["F", "M"], people.male.astype(np.int64)),
        "postcode": fmt.pick(postcodes["postcode"], people.postcode),
        "arrondissement": fmt.pick(arrs["nis_code"], people.arrondissement),
        "province": fmt.pick(arrs["province_code"], people.arrondissement),
        "insurer": pa.array(people.insurer),
        "increased_reimbursement": fmt.pick(["false", "true"], people.bim.astype(np.int64)),
        "death_date": fmt.dates_or_empty(start, people.death, people.death >= 0),
    }
    return pa.table([columns[c] for c in POPULATION.names], names=POPULATION.names)
