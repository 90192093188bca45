"""Ambulatory care: claims (IMA-like health care data) and pharmacy deliveries (Farmanet-like).

Each person's yearly number of claims depends on age, increased reimbursement and chronic
cohorts; codes are drawn per age/sex stratum from ``tables/nomenclature.csv`` (general
codes) and from the cohort's codes (diabetes pathway, spirometry, echocardiography, ...);
dates follow each code's season (flu-season peaks) and stop at death. Chronic cohort
members get regular deliveries of their cohort's medicines; everyone gets occasional
medicines drawn by stratum and season.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from common.schemas import CLAIMS, PHARMACY
from synthetic import fmt
from synthetic.population import People
from synthetic.reference import RefTable, load
from synthetic.sampling import (
    calendar,
    cumulative_key,
    draw_by_stratum,
    draw_days,
    draw_within,
    strata,
    stratum_weights,
)

COHORTS = ("diabetes", "heart_failure", "copd")
# Extra claims a year for cohort members, drawn from the cohort's own codes.
_COHORT_CLAIMS = {"diabetes": 9.0, "heart_failure": 11.0, "copd": 7.0}
_PROVIDER_OFFSET = {
    "GP": 1,
    "specialist": 20001,
    "dentist": 40001,
    "physiotherapist": 50001,
    "nurse": 60001,
    "midwife": 70001,
    "imaging": 75001,
    "lab": 80001,
    "hospital": 85001,
    "psychologist": 90001,
}


@dataclass(frozen=True)
class Rows:
    """Generated rows of one source before formatting: owner person and day offset, sorted."""

    owner: np.ndarray
    day: np.ndarray
    code: np.ndarray


def _expand(counts: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts)


def _cohort_rows(
    rng: np.random.Generator, people: People, ref: RefTable, rates: dict[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Owners and code indices of cohort-specific rows (each cohort's codes, by weight)."""
    owners, codes = [], []
    alive = people.end / max(int(people.end.max(initial=1)), 1)
    for cohort, rate in rates.items():
        member = getattr(people, cohort)
        count = rng.poisson(rate * alive * member)
        owner = _expand(count)
        pool = np.flatnonzero(ref["cohort"] == cohort)
        w = ref.num("weight")[pool]
        owners.append(owner)
        codes.append(pool[rng.choice(len(pool), size=len(owner), p=w / w.sum())])
    return np.concatenate(owners), np.concatenate(codes)


def _sorted(owner: np.ndarray, day: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    order = np.lexsort((day, owner))
    return [owner[order], day[order], *(o[order] for o in others)]


def claims_rows(rng: np.random.Generator, people: People, start: date, days: int) -> Rows:
    """Claims of one chunk: owner, day offset and nomenclature index, sorted by pid then date."""
    ref = load("nomenclature")
    general = np.where(ref["cohort"] == "", 1.0, 0.0)
    weights = stratum_weights(ref, general)
    base = np.interp(people.age, [0, 5, 18, 40, 65, 80, 95], [12, 7, 6, 8, 13, 20, 26])
    base = base * np.where(people.bim, 1.25, 1.0) * people.end / days
    owner = _expand(rng.poisson(base))
    code = draw_by_stratum(rng, strata(people.age, people.male)[owner], weights)
    c_owner, c_code = _cohort_rows(rng, people, ref, _COHORT_CLAIMS)
    owner, code = np.concatenate([owner, c_owner]), np.concatenate([code, c_code])
    day = draw_days(rng, ref.int("season")[code], people.end[owner], calendar(start, days))
    # One claim per person, day and code: the same act twice on a day is one line with a
    # quantity in the real data, and exact duplicates are kept for the planted faults.
    order = np.lexsort((code, day, owner))
    owner, day, code = owner[order], day[order], code[order]
    first = np.ones(len(owner), dtype=bool)
    first[1:] = (owner[1:] != owner[:-1]) | (day[1:] != day[:-1]) | (code[1:] != code[:-1])
    return Rows(owner[first], day[first], code[first])


def claims_table(rng: np.random.Generator, people: People, rows: Rows, start: date) -> pa.Table:
    """Format claims rows as the delivered text columns (amounts in EUR with cents)."""
    ref = load("nomenclature")
    n, owner, code = len(rows.owner), rows.owner, rows.code
    offset = np.array([_PROVIDER_OFFSET[t] for t in ref["provider_type"]])[code]
    is_gp = (ref["provider_type"] == "GP")[code]
    provider = np.where(is_gp, people.gp[owner] % 19999, rng.integers(0, 3000, size=n)) + offset
    in_institution = rng.random(n) < ref.num("institution")[code] * 0.9
    institution = fmt.ident("INST", people.hospital[owner] + 1, 4)
    fee = np.round(ref.num("fee")[code] * 100).astype(np.int64)
    copay_rate = ref.num("copay_rate")[code] * np.where(people.bim[owner], 0.35, 1.0)
    copay = np.round(fee * copay_rate).astype(np.int64)
    charged = ref.num("supplement_p")[code] * np.where(people.bim[owner], 0.3, 1.0)
    supplement = np.where(
        rng.random(n) < charged, np.round(rng.gamma(2.0, 0.15, size=n) * fee).astype(np.int64), 0
    )
    columns = {
        "pid": pa.array(people.pid).take(pa.array(owner)),
        "nomenclature_code": fmt.pick(ref["code"], code),
        "service_date": fmt.dates(start, rows.day),
        "provider_type": fmt.pick(ref["provider_type"], code),
        "provider_id": fmt.ident("PRV", provider, 5),
        "institution_id": pc.if_else(pa.array(in_institution), institution, ""),
        "amount_reimbursed": fmt.cents(fee - copay),
        "amount_copay": fmt.cents(copay),
        "amount_supplement": fmt.cents(supplement),
    }
    return pa.table([columns[c] for c in CLAIMS.names], names=CLAIMS.names)


# Long on purpose: one column after another of one extract, in the order of its schema;
# split up, the draws would no longer read against the columns they fill.
def pharmacy_table(
    rng: np.random.Generator, people: People, start: date, days: int, first_id: int
) -> pa.Table:
    """Pharmacy deliveries of one chunk; ``delivery_id`` numbers start at ``first_id``."""
    atc, cnk = load("atc"), load("cnk")
    # Chronic treatment: each cohort member takes one to three of the cohort's medicines,
    # delivered again each time a pack runs out (with imperfect adherence).
    owners, codes, firsts = [], [], []
    pack_days = np.maximum(atc.num("ddd_per_pack"), 5.0)
    for cohort in ("diabetes", "heart_failure", "copd"):
        member = np.flatnonzero(getattr(people, cohort))
        pool = np.flatnonzero(atc["cohort"] == cohort)
        w = atc.num("weight")[pool]
        for k in range(3):  # the first, second and third medicine of the treatment
            takes = member[rng.random(len(member)) < (1.0, 0.6, 0.3)[k]]
            drug = pool[rng.choice(len(pool), size=len(takes), p=w / w.sum())]
            gap = pack_days[drug] / rng.uniform(0.75, 1.0, size=len(takes))
            first = rng.uniform(0, 1, size=len(takes)) * gap
            count = np.maximum(np.ceil((people.end[takes] - first) / gap), 0).astype(np.int64)
            idx = _expand(count)
            within = np.arange(len(idx)) - np.repeat(np.cumsum(count) - count, count)
            owners.append(takes[idx])
            codes.append(drug[idx])
            firsts.append(first[idx] + within * gap[idx])
    chronic_owner = np.concatenate(owners)
    chronic_code = np.concatenate(codes)
    jitter = rng.integers(-2, 3, len(chronic_owner))
    chronic_day = np.minimum(np.concatenate(firsts).astype(np.int64) + jitter, people.end[chronic_owner] - 1)
    chronic_day = np.maximum(chronic_day, 0)
    # Occasional medicines: by stratum and season (antibiotics in winter, antihistamines in spring).
    general = np.where(atc["cohort"] == "", 1.0, 0.0)
    rate = np.interp(people.age, [0, 5, 18, 45, 65, 80], [3, 2, 2.5, 4, 7, 9]) * people.end / days
    owner = _expand(rng.poisson(rate * np.where(people.bim, 1.3, 1.0)))
    code = draw_by_stratum(rng, strata(people.age, people.male)[owner], stratum_weights(atc, general))
    day = draw_days(rng, atc.int("season")[code], people.end[owner], calendar(start, days))
    owner = np.concatenate([chronic_owner, owner])
    day = np.concatenate([chronic_day, day])
    code = np.concatenate([chronic_code, code])
    keep = day < people.end[owner]
    owner, day, code = _sorted(owner[keep], day[keep], code[keep])

    n = len(owner)
    atc_of_cnk = np.searchsorted(atc["code"], cnk["atc"], sorter=np.argsort(atc["code"]))
    atc_of_cnk = np.argsort(atc["code"])[atc_of_cnk]
    by_atc = np.argsort(atc_of_cnk, kind="stable")
    keys = cumulative_key(atc_of_cnk[by_atc], cnk.num("weight")[by_atc])
    product = by_atc[draw_within(rng, keys, code)]
    packs = np.where(rng.random(n) < 0.12, 2, 1) * np.where(rng.random(n) < 0.02, 3, 1)
    price = np.round(cnk.num("price")[product] * 100).astype(np.int64) * packs
    rate_paid = atc.num("copay_rate")[code] * np.where(people.bim[owner], 0.6, 1.0)
    copay = np.round(price * rate_paid).astype(np.int64)
    copay = np.minimum(copay, np.where(people.bim[owner], 1210, 1600) * packs)  # ticket caps
    copay = np.where(atc.num("copay_rate")[code] >= 0.8, np.round(price * atc.num("copay_rate")[code]), copay)
    copay = copay.astype(np.int64)
    ddd = cnk.num("ddd_per_pack")[product] * packs
    prescriber = np.where(
        rng.random(n) < 0.75, people.gp[owner] % 19999 + 1, 20001 + rng.integers(0, 3000, size=n)
    )
    columns = {
        "delivery_id": fmt.ident("D", np.arange(first_id, first_id + n), 10),
        "pid": pa.array(people.pid).take(pa.array(owner)),
        "delivery_date": fmt.dates(start, day),
        "cnk_code": fmt.pick(cnk["cnk"], product),
        "atc_code": fmt.pick(atc["code"], code),
        "ddd": fmt.cents(np.round(ddd * 100).astype(np.int64)),
        "amount_reimbursed": fmt.cents(price - copay),
        "amount_copay": fmt.cents(copay),
        "prescriber_id": fmt.ident("PRV", prescriber, 5),
        "pharmacy_id": fmt.ident("PH", people.pharmacy[owner] + 1, 5),
    }
    return pa.table([columns[c] for c in PHARMACY.names], names=PHARMACY.names)
