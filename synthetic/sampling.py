"""Shared sampling machinery: age/sex strata, seasonal calendars, draws by stratum.

Everything works on whole arrays; the only Python loops run over strata (42) or season
kinds (6), never over rows.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from synthetic.fmt import day0
from synthetic.reference import RefTable

BAND_YEARS = 5
N_BANDS = 21  # 0-4, 5-9, ..., 95-99, 100+
N_STRATA = N_BANDS * 2  # times sex (0 female, 1 male)

# Season kinds used in the reference tables' ``season`` column.
FLAT, WINTER_MILD, WINTER, FLU, POLLEN, VACCINATION = range(6)
_SEASONS = {  # (amplitude, peak day of year, width in days)
    FLAT: (0.0, 0, 1),
    WINTER_MILD: (0.5, 30, 45),
    WINTER: (1.2, 30, 40),
    FLU: (6.0, 40, 14),
    POLLEN: (2.0, 135, 25),
    VACCINATION: (25.0, 300, 18),
}
_WEEKDAY = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.35, 0.12])  # Monday .. Sunday


def strata(age: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Stratum of each person: 5-year age band times sex."""
    band = np.minimum(age // BAND_YEARS, N_BANDS - 1)
    return (band * 2 + male.astype(np.int64)).astype(np.int64)


def stratum_weights(ref: RefTable, extra: np.ndarray | None = None) -> np.ndarray:
    """Weights (strata x codes) of ``ref``'s codes, zero where age or sex rules them out.

    A code is eligible for a stratum when the band's middle age lies within
    ``age_min..age_max`` and its ``sex`` column is empty or the stratum's sex.
    """
    weight = ref.num("weight") if extra is None else ref.num("weight") * extra
    mid = np.arange(N_BANDS) * BAND_YEARS + 2
    sexes = ref["sex"]
    out = np.zeros((N_STRATA, len(ref)))
    for s in range(N_STRATA):
        age, male = mid[s // 2], s % 2 == 1
        fits_sex = (sexes == "") | (sexes == ("M" if male else "F"))
        fits_age = (ref.int("age_min") <= age) & (age <= ref.int("age_max"))
        out[s] = np.where(fits_sex & fits_age, weight, 0.0)
    return out


def draw_by_stratum(rng: np.random.Generator, stratum: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """One code index per row, drawn from its stratum's weights (rows keep their order)."""
    out = np.zeros(len(stratum), dtype=np.int64)
    if len(stratum) == 0:
        return out
    order = np.argsort(stratum, kind="stable")
    counts = np.bincount(stratum, minlength=weights.shape[0])
    fallback = weights.sum(axis=0)
    pos = 0
    for s, count in enumerate(counts):
        if count == 0:
            continue
        w = weights[s] if weights[s].sum() > 0 else fallback
        out[order[pos : pos + count]] = rng.choice(len(w), size=count, p=w / w.sum())
        pos += count
    return out


def calendar(start: date, days: int) -> np.ndarray:
    """Cumulative day weights (season kinds x days+1), weekday and season effects included."""
    day = day0(start) + np.arange(days).astype("timedelta64[D]")
    weekday = (day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    doy = (day - day.astype("datetime64[Y]")).astype(np.int64)
    out = np.zeros((len(_SEASONS), days + 1))
    for kind, (amplitude, peak, width) in _SEASONS.items():
        distance = np.abs(doy - peak)
        distance = np.minimum(distance, 365 - distance)
        weight = _WEEKDAY[weekday] * (1.0 + amplitude * np.exp(-0.5 * (distance / width) ** 2))
        out[kind, 1:] = np.cumsum(weight)
    return out


def draw_days(
    rng: np.random.Generator,
    season: np.ndarray,
    end: np.ndarray,
    cdf: np.ndarray,
    begin: np.ndarray | None = None,
) -> np.ndarray:
    """A day offset per row in ``[begin, end)`` drawn from the row's season calendar.

    Rows with an empty window (``end <= begin``) get ``begin``; callers drop them.
    """
    n = len(season)
    lo = np.zeros(n, dtype=np.int64) if begin is None else begin
    out = lo.copy()
    u = rng.random(n)
    for kind in range(cdf.shape[0]):
        rows = np.flatnonzero(season == kind)
        if len(rows) == 0:
            continue
        c = cdf[kind]
        a, b = c[lo[rows]], c[np.maximum(end[rows], lo[rows])]
        target = a + u[rows] * (b - a)
        day = np.searchsorted(c, target, side="right") - 1
        out[rows] = np.clip(day, lo[rows], np.maximum(end[rows] - 1, lo[rows]))
    return out


def cumulative_key(group: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Keys for drawing an item within its group (rows sorted by group): ``group + cum. share``."""
    total = np.bincount(group, weights=weight)
    cum = np.cumsum(weight)
    start = np.concatenate([[0.0], np.cumsum(total)])[group]
    return group + (cum - start) / total[group]


def draw_within(rng: np.random.Generator, keys: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Index of an item of each row's ``group``, weighted (``keys`` from ``cumulative_key``)."""
    return np.minimum(np.searchsorted(keys, group + rng.random(len(group)), side="right"), len(keys) - 1)
