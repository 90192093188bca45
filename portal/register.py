"""The public transparency register for people (EHDS Art 57, 58), over the one register of
``catalog.permits.register``: the same entries, with what was released under each permit
(a count of released outputs, never their values) and whether opt-outs were applied; filtered
by GET parameters, saying how many entries the filters hide; exported as CSV and JSON.

"Could my data be used?" lives here too: it compares what a visitor chose to say (an age
band, a sex, a province; each optional) with the permits' cohort criteria only, never with
data, and keeps nothing of it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from catalog.airlock.domain import OutputState
from catalog.db.gateway import unit_of_work
from catalog.permits.lifecycle import ENDED, IN_FORCE
from catalog.permits.register import RegisterEntry, public_register
from catalog.permits.terms import CohortRules
from common.settings import OptOutPolicy, Settings
from portal.applications import vocabulary as words
from portal.i18n import N_
from portal.provinces import PROVINCES

FILTERS = ("purpose", "organisation_type", "commercial", "dataset", "status")
# Permits that were granted, in force or ended: they could have used someone's data.
GRANTED = frozenset(s.value for s in IN_FORCE | ENDED)
# Age bands a visitor may choose from, in whole years.
AGE_BANDS: dict[str, tuple[int, int]] = {
    "0-17": (0, 17),
    "18-29": (18, 29),
    "30-44": (30, 44),
    "45-64": (45, 64),
    "65-79": (65, 79),
    "80+": (80, 120),
}
SEXES = ("F", "M")


@dataclass(frozen=True)
class RegisterRow:
    """One register entry as people read it, with its released outputs and opt-out answer."""

    entry: RegisterEntry
    released_outputs: int
    optouts: str  # "all_in_force", "before_grant" or "not_applicable"


@dataclass(frozen=True)
class RegisterView:
    rows: list[RegisterRow]
    total: int
    chosen: dict[str, str]
    options: dict[str, list[str]] = field(default_factory=dict)

    @property
    def hidden(self) -> int:
        return self.total - len(self.rows)


def optouts_applied(entry: RegisterEntry, policy: OptOutPolicy) -> str:
    """Whether opt-outs were applied to a permit's data, and which: every opt-out in force at
    each refresh (``strict``), those made before the grant (``regulation``), or none because
    no data were made available (not granted)."""
    if entry.permit_from is None:
        return "not_applicable"
    return "all_in_force" if policy is OptOutPolicy.STRICT else "before_grant"


def register_rows(settings: Settings, now: datetime) -> list[RegisterRow]:
    """Every register entry with its count of released outputs, oldest first."""
    with unit_of_work(settings) as store:
        entries = public_register(store, now=now)
        released = Counter(
            r.permit_id for r in store.list_output_requests() if r.state is OutputState.RELEASED
        )
    return [
        RegisterRow(e, released.get(e.application_id, 0), optouts_applied(e, settings.optout_policy))
        for e in entries
    ]


def _matches(row: RegisterRow, chosen: Mapping[str, str]) -> bool:
    entry = row.entry
    checks = {
        "purpose": entry.purpose,
        "organisation_type": entry.organisation_type,
        "commercial": "yes" if entry.commercial else "no",
        "status": entry.state,
    }
    for name, value in checks.items():
        if chosen.get(name) and chosen[name] != value:
            return False
    wanted = chosen.get("dataset")
    return not wanted or wanted in {name for name, _v in entry.datasets}


def register_view(settings: Settings, query: Mapping[str, str], now: datetime) -> RegisterView:
    """The register filtered by ``query``; an unknown filter value matches nothing, as asked."""
    rows = register_rows(settings, now)
    chosen = {name: query.get(name, "").strip() for name in FILTERS}
    options = {
        "purpose": sorted({r.entry.purpose for r in rows}),
        "organisation_type": sorted({r.entry.organisation_type for r in rows}),
        "dataset": sorted({name for r in rows for name, _v in r.entry.datasets}),
        "status": sorted({r.entry.state for r in rows}),
    }
    kept = [r for r in rows if _matches(r, chosen)]
    return RegisterView(rows=kept, total=len(rows), chosen=chosen, options=options)


def as_records(rows: list[RegisterRow]) -> list[dict[str, Any]]:
    """The machine-readable register: the catalogue's entry, released outputs, opt-outs applied."""
    return [
        {**r.entry.as_dict(), "released_outputs": r.released_outputs, "optouts_applied": r.optouts}
        for r in rows
    ]


CSV_COLUMNS = (
    "application_id",
    "title",
    "organisation",
    "organisation_type",
    "purpose",
    "lay_summary",
    "commercial",
    "datasets",
    "period_start",
    "period_end",
    "data_form",
    "cohort_summary",
    "state",
    "submitted_at",
    "decision",
    "decided_at",
    "decision_reason",
    "permit_from",
    "permit_until",
    "released_outputs",
    "optouts_applied",
)


def as_csv(rows: list[RegisterRow], criteria: Callable[[dict[str, Any] | None], str]) -> str:
    """One line per entry; datasets as ``name: variable, variable; name: ...``; the cohort
    summary in the reader's words (``criteria``: ``describe_criteria`` in their language),
    since a spreadsheet is read by people, not parsed (the JSON keeps the criteria as data)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in as_records(rows):
        record["datasets"] = "; ".join(
            f"{d['dataset']}: {', '.join(d['variables'])}" for d in record["datasets"]
        )
        record["cohort_summary"] = criteria(record["cohort_rules"])
        record["commercial"] = "yes" if record["commercial"] else "no"
        writer.writerow([_cell(record.get(c)) for c in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet must not run a cell as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- "Could my data be used?" ----------------------------------------------------------------

MESSAGES = {
    "age_band": N_("Choose one of the age bands listed, or leave it empty."),
    "sex": N_("Choose women or men, or leave it empty."),
    "province": N_("Choose one of the provinces listed, or leave it empty."),
}


@dataclass(frozen=True)
class Someone:
    """What a visitor chose to say about themselves; every part optional."""

    age_band: str = ""
    sex: str = ""
    province: str = ""


def parse_someone(form: Mapping[str, str]) -> tuple[Someone, list[tuple[str, str]]]:
    """The answers, or (field, message) for each impossible one; the values are never quoted."""
    values = {name: str(form.get(name, "")).strip() for name in ("age_band", "sex", "province")}
    allowed = {"age_band": AGE_BANDS, "sex": SEXES, "province": PROVINCES}
    errors = [
        (name, MESSAGES[name]) for name, value in values.items() if value and value not in allowed[name]
    ]
    return Someone(**values), errors


def could_include(rules: CohortRules | None, someone: Someone) -> bool:
    """Whether a permit's cohort criteria could include a person like ``someone``: each criterion
    given is checked against what the visitor said; code criteria depend on care received and
    are answered "could"."""
    if rules is None:
        return True
    if someone.age_band and rules.age is not None:
        low, high = AGE_BANDS[someone.age_band]
        if (rules.age.min is not None and high < rules.age.min) or (
            rules.age.max is not None and low > rules.age.max
        ):
            return False
    if someone.sex and rules.sex is not None and someone.sex not in rules.sex:
        return False
    return not (someone.province and rules.provinces is not None and someone.province not in rules.provinces)


def permits_for(rows: list[RegisterRow], someone: Someone) -> tuple[list[RegisterRow], int]:
    """The granted permits whose criteria could include ``someone``, and how many could not."""
    granted = [r for r in rows if r.entry.state in GRANTED and r.entry.permit_from is not None]
    could = [
        r
        for r in granted
        if could_include(
            None if r.entry.cohort_rules is None else CohortRules.model_validate(r.entry.cohort_rules),
            someone,
        )
    ]
    return could, len(granted) - len(could)


AGE_BOTH, AGE_FROM, AGE_UP_TO = (
    N_("aged %(min)s to %(max)s"),
    N_("aged %(min)s or more"),
    N_("aged up to %(max)s"),
)
LIVING_IN = N_("living in %(places)s")
WITH_CODE = N_("with a code starting with %(prefixes)s (%(source)s)")


def describe_criteria(rules: Mapping[str, Any] | None, language: str, _: Callable[[str], str]) -> str:
    """A permit's cohort criteria (the register's JSON form) in ``language``: ages, sexes,
    provinces by name, code prefixes with their source; empty when there are none."""
    if not rules:
        return ""
    parts = []
    age = rules.get("age") or {}
    low, high = age.get("min"), age.get("max")
    if low is not None and high is not None:
        parts.append(_(AGE_BOTH) % {"min": low, "max": high})
    elif low is not None:
        parts.append(_(AGE_FROM) % {"min": low})
    elif high is not None:
        parts.append(_(AGE_UP_TO) % {"max": high})
    if rules.get("sex"):
        parts.append(", ".join(_(words.SEX[s]) for s in rules["sex"]))
    if rules.get("provinces"):
        names = ", ".join(PROVINCES.get(p, {}).get(language, p) for p in rules["provinces"])
        parts.append(_(LIVING_IN) % {"places": names})
    for criterion in rules.get("codes") or ():
        source = _(words.CODED_SOURCES.get(criterion["source"], criterion["source"]))
        parts.append(_(WITH_CODE) % {"prefixes": ", ".join(criterion["prefixes"]), "source": source})
    return "; ".join(parts)
