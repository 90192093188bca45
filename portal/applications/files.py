"""From a draft's answers to the application file ``haven permit apply`` reads (the same
structure as ``catalog/examples/application.yaml``), and from an application back to answers
(to answer a request for more information by editing the sections asked about)."""

from __future__ import annotations

from typing import Any

from catalog.permits.domain import Application
from catalog.permits.vocabulary import DataForm
from portal.applications.forms import CODED, DISCLOSURE_FIELDS, disclosure_terms, lines, words

Answers = dict[str, Any]


def _values(answers: Answers, section: str) -> dict[str, Any]:
    found: dict[str, Any] = answers.get(section, {}).get("values", {})
    return found


def _number(text: str) -> int | float:
    number = float(text.replace(",", "."))
    return int(number) if number.is_integer() else number


def _cohort_rules(cohort: dict[str, Any]) -> dict[str, Any] | None:
    rules: dict[str, Any] = {}
    age = {k: int(cohort[f"age_{k}"]) for k in ("min", "max") if cohort.get(f"age_{k}")}
    if age:
        rules["age"] = {**age, **({"at": cohort["age_at"]} if cohort.get("age_at") else {})}
    if cohort.get("sex"):
        rules["sex"] = list(cohort["sex"])
    if words(cohort.get("provinces")):
        rules["provinces"] = words(cohort.get("provinces"))
    codes = [
        {"source": s, "prefixes": words(cohort.get(f"codes_{s}"))}
        for s in CODED
        if words(cohort.get(f"codes_{s}"))
    ]
    if codes:
        rules["codes"] = codes
    return rules or None


def _datasets(chosen: list[str]) -> list[dict[str, Any]]:
    by_dataset: dict[str, list[str]] = {}
    for item in chosen:
        dataset, _, variable = item.partition(".")
        by_dataset.setdefault(dataset, []).append(variable)
    return [{"name": d, "variables": v} for d, v in by_dataset.items()]


def application_data(answers: Answers, applicant: str) -> dict[str, Any]:
    """The application file the answers make; ``parse_application`` checks it as it checks a file."""
    purpose, form = _values(answers, "purpose"), _values(answers, "data_form")
    cohort, period = _values(answers, "cohort"), _values(answers, "period")
    data: dict[str, Any] = {
        "title": purpose.get("title", ""),
        "applicant": applicant,
        "organisation": {
            "name": purpose.get("organisation", ""),
            "type": purpose.get("organisation_type", ""),
        },
        "purpose": {"category": purpose.get("purpose", ""), "summary": purpose.get("summary", "")},
        "commercial": purpose.get("commercial") == "yes",
        "datasets": _datasets(_values(answers, "datasets").get("variables", [])),
        "cohort": cohort.get("cohort", ""),
        "period": {"start": period.get("start", ""), "end": period.get("end", "")},
        "data_form": form.get("data_form", ""),
        "data_users": lines(_values(answers, "data_users").get("data_users")),
        "duration_months": period.get("duration_months", ""),
    }
    if (rules := _cohort_rules(cohort)) is not None:
        data["cohort_rules"] = rules
    if form.get("data_form") == DataForm.ANONYMISED:
        data["anonymisation"] = {"birth": form.get("birth", ""), "place": form.get("place", "")}
        if form.get("k"):
            data["anonymisation"]["k"] = form["k"]
    elif form.get("justification"):
        data["justification"] = form["justification"]
    terms = disclosure_terms(_values(answers, "disclosure"))
    if terms:
        data["disclosure"] = {name: _number(str(value)) for name, value in terms.items()}
    return data


def _text(value: object) -> str:
    return "" if value is None else str(value)


def answers_of(application: Application) -> Answers:
    """The application as complete answers, section by section (the forms' fields)."""
    rules, anonymisation = application.cohort_rules, application.anonymisation
    codes: dict[str, str] = {str(c.source): " ".join(c.prefixes) for c in (rules.codes if rules else ())}
    disclosure = application.disclosure.overrides() if application.disclosure else {}
    sections = {
        "purpose": {
            "title": application.title,
            "organisation": application.organisation,
            "organisation_type": application.organisation_type.value,
            "purpose": application.purpose,
            "summary": application.lay_summary,
            "commercial": "yes" if application.commercial else "no",
        },
        "datasets": {"variables": [f"{d.dataset}.{v}" for d in application.datasets for v in d.variables]},
        "cohort": {
            "cohort": application.cohort_criteria,
            "age_min": _text(rules.age.min) if rules and rules.age else "",
            "age_max": _text(rules.age.max) if rules and rules.age else "",
            "age_at": _text(rules.age.at) if rules and rules.age else "",
            "sex": list(rules.sex or ()) if rules else [],
            "provinces": " ".join(rules.provinces or ()) if rules else "",
            **{f"codes_{s}": codes.get(s, "") for s in CODED},
        },
        "period": {
            "start": application.period_start.isoformat(),
            "end": application.period_end.isoformat(),
            "duration_months": str(application.duration_months),
        },
        "data_form": {
            "data_form": application.data_form.value,
            "justification": application.pseudonymisation_justification or "",
            "birth": anonymisation.birth if anonymisation else "band5",
            "place": anonymisation.place if anonymisation else "province",
            "k": _text(anonymisation.k) if anonymisation else "",
        },
        "disclosure": {name: _text(_shown(disclosure.get(name))) for name in DISCLOSURE_FIELDS},
        "data_users": {"data_users": "\n".join(application.data_users)},
    }
    return {name: {"values": values, "complete": True} for name, values in sections.items()}


def _shown(value: float | None) -> int | float | None:
    return None if value is None else _number(str(value))
