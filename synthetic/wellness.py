"""Patient-entered wellness data (apps and watches) and the opt-out feed.

About a quarter of young adults and few of the oldest share app data, for streaks of
weeks to months with missed days; steps, sleep and resting heart rate vary per person
and day, are lower (steps) or higher (heart rate) in heart failure and COPD, and every
row says it was entered by the patient. The opt-out feed holds opt-outs by channel and
some later withdrawals.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from common.schemas import OPTOUT, WELLNESS
from synthetic import fmt
from synthetic.population import People

APPS = ["Apple Health", "Google Fit", "Fitbit", "Garmin Connect", "Samsung Health", "Withings Health Mate"]
_APP_P = [0.32, 0.22, 0.14, 0.12, 0.12, 0.08]
CHANNELS = ["online", "phone", "desk"]


def wellness_table(rng: np.random.Generator, people: People, start: date, days: int) -> pa.Table:
    """Daily app measurements of the people of one chunk who share them."""
    share = np.interp(people.age, [15, 16, 30, 50, 65, 80], [0, 0.25, 0.25, 0.15, 0.07, 0.02])
    user = np.flatnonzero(rng.random(len(people)) < share)
    first = rng.integers(0, max(days - 14, 1), size=len(user))
    length = np.minimum(14 + rng.exponential(90, size=len(user)).astype(np.int64), people.end[user] - first)
    length = np.maximum(length, 0)
    idx = np.repeat(np.arange(len(user)), length)
    day = first[idx] + np.arange(len(idx)) - np.repeat(np.cumsum(length) - length, length)
    kept = rng.random(len(idx)) >= 0.12  # days the watch was not worn or not synced
    idx, day = idx[kept], day[kept]
    owner = user[idx]
    sick = np.where(people.heart_failure[owner] | people.copd[owner], 0.6, 1.0)
    age_factor = np.interp(people.age[owner], [16, 40, 65, 85], [1.05, 1.0, 0.85, 0.6])
    person_steps = np.exp(rng.normal(np.log(7500), 0.35, size=len(user)))[idx]
    weekday = (fmt.day0(start).astype(np.int64) + day + 3) % 7
    steps = person_steps * sick * age_factor * np.where(weekday >= 5, 0.85, 1.0)
    steps = np.round(steps * np.exp(rng.normal(0, 0.35, size=len(idx)))).astype(np.int64)
    sleep = np.clip(rng.normal(430, 40, size=len(user))[idx] + rng.normal(0, 50, size=len(idx)), 120, 720)
    rhr = (
        rng.normal(63, 7, size=len(user))[idx]
        + 6 * people.heart_failure[owner]
        + 4 * people.copd[owner]
        + rng.normal(0, 2.5, size=len(idx))
    )
    app = rng.choice(len(APPS), size=len(user), p=_APP_P)[idx]
    columns = {
        "pid": pa.array(people.pid).take(pa.array(owner)),
        "day": fmt.dates(start, day),
        "steps": fmt.ints(steps),
        "sleep_minutes": fmt.ints(np.round(sleep)),
        "resting_heart_rate": fmt.ints(np.clip(np.round(rhr), 38, 130)),
        "source_app": fmt.pick(APPS, app),
        "patient_entered": fmt.pick(["true"], np.zeros(len(idx), dtype=np.int64)),
    }
    return pa.table([columns[c] for c in WELLNESS.names], names=WELLNESS.names)


def optout_table(rng: np.random.Generator, pids: np.ndarray, start: date, share: float) -> pa.Table:
    """Opt-out events: about ``share`` of people opt out; 15 % of them withdraw 30 days later."""
    chosen = rng.choice(len(pids), size=max(1, int(len(pids) * share)), replace=False)
    chosen.sort()
    n = len(chosen)
    base = np.datetime64(start.isoformat(), "s")
    when = base + rng.integers(0, 365 * 86400, size=n).astype("timedelta64[s]")
    withdrawn = rng.random(n) < 0.15
    pid_col = np.concatenate([pids[chosen], pids[chosen][withdrawn]])
    when_col = np.concatenate([when, when[withdrawn] + np.timedelta64(30 * 86400, "s")])
    action = np.concatenate([np.zeros(n, dtype=np.int64), np.ones(int(withdrawn.sum()), dtype=np.int64)])
    channel = rng.choice(len(CHANNELS), size=len(pid_col), p=[0.7, 0.2, 0.1])
    columns = {
        "pid": pa.array(pid_col),
        "event_time": pa.array(np.char.add(np.datetime_as_string(when_col, unit="s"), "Z")),
        "action": fmt.pick(["optout", "withdrawal"], action),
        "channel": fmt.pick(CHANNELS, channel),
    }
    table = pa.table([columns[c] for c in OPTOUT.names], names=OPTOUT.names)
    return table.sort_by([("event_time", "ascending"), ("pid", "ascending")])
