"""The application's sections as forms: what each reads from a request, its per-field checks
(messages marked for translation), and the application file (the structure of
``catalog/examples/application.yaml``) that the answers of all sections make together.

The checks here only say what a form field needs to be read (a number, a date, a choice,
the length the application file's schema asks for), so people see each problem next to its
field in their language; every rule of the application itself is checked by the service
(``catalog.permits.service.check_application``) on the check-your-answers page and again
when the application is submitted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from catalog.permits.applications import MIN_JUSTIFICATION
from catalog.permits.drafts import SECTIONS
from catalog.permits.terms import CODED_SOURCES, Disclosure
from catalog.permits.vocabulary import DataForm, OrganisationType, ProhibitedPurpose, Purpose
from portal.i18n import N_

Values = dict[str, Any]
CODED = tuple(str(s) for s in CODED_SOURCES)
LISTS = frozenset({"variables", "sex"})  # fields a form sends several values of
USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,120}$")
PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,9}$")
PROVINCE = re.compile(r"^[0-9]{5}$")
DISCLOSURE_FIELDS = ("min_persons", "p_percent", "nk_n", "nk_k_percent", "rounding_base")
FIELDS: dict[str, tuple[str, ...]] = {
    "purpose": ("title", "organisation", "organisation_type", "purpose", "summary", "commercial"),
    "datasets": ("variables",),
    "cohort": ("cohort", "age_min", "age_max", "age_at", "sex", "provinces", *(f"codes_{s}" for s in CODED)),
    "period": ("start", "end", "duration_months"),
    "data_form": ("data_form", "justification", "birth", "place", "k"),
    "disclosure": DISCLOSURE_FIELDS,
    "data_users": ("data_users",),
}
assert tuple(FIELDS) == SECTIONS


@dataclass(frozen=True)
class FieldError:
    """One problem of a form: the field's id (the error summary links to it), the message
    (marked for translation) and the values its placeholders take."""

    field: str
    message: str
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, _: Callable[[str], str]) -> str:
        return _(self.message) % dict(self.params)


@dataclass(frozen=True)
class Context:
    """What the checks need to know beyond the form: the catalogue's variables per dataset,
    the registered users among those named, the platform's k and disclosure thresholds."""

    variables: dict[str, tuple[str, ...]]
    known_users: frozenset[str]
    minimum_k: int
    disclosure: dict[str, float]


def read(section: str, form: Any) -> Values:
    """The section's fields from a submitted form (a Starlette ``FormData``), stripped."""
    values: Values = {}
    for name in FIELDS[section]:
        if name in LISTS:
            values[name] = [str(v).strip() for v in form.getlist(name) if str(v).strip()]
        else:
            values[name] = str(form.get(name) or "").strip()
    return values


def _int(values: Values, name: str, low: int, high: int, errors: list[FieldError]) -> int | None:
    text = str(values.get(name) or "")
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,6}", text) or not low <= int(text) <= high:
        errors.append(
            FieldError(
                name, N_("Enter a whole number from %(low)s to %(high)s."), (("low", low), ("high", high))
            )
        )
        return None
    return int(text)


def _number(values: Values, name: str, low: float, high: float, errors: list[FieldError]) -> float | None:
    text = str(values.get(name) or "").replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if not low <= number <= high:
        errors.append(
            FieldError(name, N_("Enter a number from %(low)s to %(high)s."), (("low", low), ("high", high)))
        )
        return None
    return number


def _date(values: Values, name: str, errors: list[FieldError], required: bool) -> date | None:
    text = str(values.get(name) or "")
    if not text:
        if required:
            errors.append(FieldError(name, N_("Enter a date.")))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(name, N_("Enter a real date, as year-month-day, for example 2025-01-31.")))
        return None


def _length(values: Values, name: str, low: int, high: int, errors: list[FieldError]) -> None:
    size = len(str(values.get(name) or ""))
    if size == 0:
        errors.append(FieldError(name, N_("Answer this question.")))
    elif not low <= size <= high:
        errors.append(
            FieldError(
                name,
                N_("Write from %(low)s to %(high)s characters; you wrote %(size)s."),
                (("low", low), ("high", high), ("size", size)),
            )
        )


def _choice(values: Values, name: str, allowed: tuple[str, ...], errors: list[FieldError]) -> None:
    if values.get(name) not in allowed:
        errors.append(FieldError(name, N_("Choose one of the options.")))


def check_purpose(values: Values, context: Context) -> list[FieldError]:
    errors: list[FieldError] = []
    _length(values, "title", 5, 300, errors)
    _length(values, "organisation", 1, 300, errors)
    _choice(values, "organisation_type", tuple(OrganisationType), errors)
    _choice(values, "purpose", (*Purpose, *ProhibitedPurpose), errors)
    _length(values, "summary", 40, 4000, errors)
    _choice(values, "commercial", ("yes", "no"), errors)
    return errors


def check_datasets(values: Values, context: Context) -> list[FieldError]:
    chosen = values.get("variables") or []
    if not chosen:
        return [FieldError("variables", N_("Choose at least one variable of one dataset."))]
    known = {f"{d}.{v}" for d, names in context.variables.items() for v in names}
    if any(item not in known for item in chosen):
        return [FieldError("variables", N_("Choose variables from the list only."))]
    return []


def check_cohort(values: Values, context: Context) -> list[FieldError]:
    errors: list[FieldError] = []
    _length(values, "cohort", 1, 4000, errors)
    low, high = _int(values, "age_min", 0, 120, errors), _int(values, "age_max", 0, 120, errors)
    if low is not None and high is not None and high < low:
        errors.append(FieldError("age_max", N_("The highest age cannot be below the lowest.")))
    _date(values, "age_at", errors, required=False)
    if any(s not in ("M", "F") for s in values.get("sex") or []):
        errors.append(FieldError("sex", N_("Choose one of the options.")))
    if any(not PROVINCE.match(p) for p in words(values.get("provinces"))):
        errors.append(
            FieldError("provinces", N_("Enter NIS codes of provinces: five digits each, for example 10000."))
        )
    for source in CODED:
        prefixes = words(values.get(f"codes_{source}"))
        if len(prefixes) > 50 or any(not PREFIX.match(p) for p in prefixes):
            errors.append(
                FieldError(
                    f"codes_{source}",
                    N_("Enter up to 50 code prefixes (letters, digits, dots, dashes), separated by spaces."),
                )
            )
    return errors


def check_period(values: Values, context: Context) -> list[FieldError]:
    errors: list[FieldError] = []
    start, end = _date(values, "start", errors, True), _date(values, "end", errors, True)
    if start and end and end < start:
        errors.append(FieldError("end", N_("The period must end on or after its start.")))
    if not values.get("duration_months"):
        errors.append(FieldError("duration_months", N_("Answer this question.")))
    _int(values, "duration_months", 1, 60, errors)
    return errors


def check_data_form(values: Values, context: Context) -> list[FieldError]:
    errors: list[FieldError] = []
    _choice(values, "data_form", tuple(DataForm), errors)
    if (
        values.get("data_form") == DataForm.PSEUDONYMISED
        and len(values.get("justification") or "") < MIN_JUSTIFICATION
    ):
        errors.append(
            FieldError(
                "justification",
                N_("Explain in at least %(length)s characters why anonymised data cannot serve the purpose."),
                (("length", MIN_JUSTIFICATION),),
            )
        )
    if values.get("data_form") == DataForm.ANONYMISED:
        _choice(values, "birth", ("year", "band5"), errors)
        _choice(values, "place", ("arrondissement", "province"), errors)
        k = _int(values, "k", 2, 1000, errors)
        if k is not None and k < context.minimum_k:
            errors.append(
                FieldError(
                    "k", N_("k can only be raised above the platform's %(k)s."), (("k", context.minimum_k),)
                )
            )
    return errors


def disclosure_terms(values: Values) -> dict[str, float]:
    """The disclosure fields given, as numbers (after ``check_disclosure`` passed)."""
    return {
        name: float(str(values[name]).replace(",", ".")) for name in DISCLOSURE_FIELDS if values.get(name)
    }


def check_disclosure(values: Values, context: Context) -> list[FieldError]:
    errors: list[FieldError] = []
    _int(values, "min_persons", 1, 1000, errors)
    _number(values, "p_percent", 0, 100, errors)
    _int(values, "nk_n", 1, 10, errors)
    _number(values, "nk_k_percent", 0.01, 100, errors)
    _int(values, "rounding_base", 0, 1000, errors)
    if errors:
        return errors
    looser = Disclosure.model_validate(disclosure_terms(values)).looser_than(context.disclosure)
    return [
        FieldError(
            name,
            N_("This would loosen the platform's rule (%(value)s): a permit can only make it stricter."),
            (("value", context.disclosure[name]),),
        )
        for name in looser
    ]


def check_data_users(values: Values, context: Context) -> list[FieldError]:
    names = lines(values.get("data_users"))
    if not names:
        return [FieldError("data_users", N_("Name at least one data user."))]
    if any(not USERNAME.match(n) for n in names):
        return [FieldError("data_users", N_("Enter one user name (email address) per line."))]
    unknown = [n for n in names if n not in context.known_users]
    if unknown:
        return [
            FieldError(
                "data_users",
                N_("These people have no account on the platform: %(names)s."),
                (("names", ", ".join(unknown)),),
            )
        ]
    if len(set(names)) != len(names):
        return [FieldError("data_users", N_("Name each data user once."))]
    return []


CHECKS: dict[str, Callable[[Values, Context], list[FieldError]]] = {
    "purpose": check_purpose,
    "datasets": check_datasets,
    "cohort": check_cohort,
    "period": check_period,
    "data_form": check_data_form,
    "disclosure": check_disclosure,
    "data_users": check_data_users,
}


def words(text: Any) -> list[str]:
    return [w for w in re.split(r"[\s,;]+", str(text or "")) if w]


def lines(text: Any) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def named_users(answers: dict[str, Any]) -> list[str]:
    """The data users the answers name (to look them up before checking)."""
    return lines(answers.get("data_users", {}).get("values", {}).get("data_users"))
