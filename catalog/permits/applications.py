"""Permit application files (YAML): their schema, and validation with precise errors.

``load_application`` returns a validated ``ApplicationFile`` or raises ``InvalidApplication``
whose message lists every problem with its place (``datasets[0].variables: ...``). Whether
the purpose is permitted is not a schema question: a prohibited purpose is a valid file that
the service records and refuses, with the reason, so the refusal is public.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from catalog.errors import InvalidApplication
from catalog.permits.domain import Problem
from catalog.permits.terms import Anonymisation, CohortRules, Disclosure
from catalog.permits.vocabulary import DataForm, OrganisationType, ProhibitedPurpose, Purpose
from common.yaml_text import load_yaml

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._@-]{1,120}$")]
MIN_JUSTIFICATION = 30


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrganisationSpec(_Model):
    name: Text
    type: OrganisationType


class PurposeSpec(_Model):
    category: Purpose | ProhibitedPurpose = Field(description="an EHDS Art 53 purpose category")
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=40, max_length=4000)] = Field(
        description="lay summary: what the project does and why, in words a citizen understands"
    )


class DatasetRequest(_Model):
    name: Identifier
    variables: Annotated[list[Identifier], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> DatasetRequest:
        if len(set(self.variables)) != len(self.variables):
            raise ValueError("variables are listed more than once")
        return self


class Period(_Model):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")
        return self


class ApplicationFile(_Model):
    """One permit application, as a researcher writes it."""

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=300)]
    applicant: Username
    organisation: OrganisationSpec
    purpose: PurposeSpec
    commercial: bool
    datasets: Annotated[list[DatasetRequest], Field(min_length=1)]
    cohort: Text = Field(description="who is in the study population, in words")
    cohort_rules: CohortRules | None = Field(
        default=None, description="the same as criteria the build applies: age, sex, provinces, codes"
    )
    period: Period
    data_form: DataForm = DataForm.ANONYMISED
    anonymisation: Anonymisation | None = Field(
        default=None, description="anonymised only: generalisation and a k above the platform's"
    )
    disclosure: Disclosure | None = Field(
        default=None, description="stricter disclosure control in the SPE than the platform's"
    )
    justification: str | None = Field(
        default=None, description="why anonymised data cannot serve the purpose (pseudonymised only)"
    )
    data_users: Annotated[list[Username], Field(min_length=1)]
    duration_months: int = Field(ge=1, le=60)

    @model_validator(mode="after")
    def _rules(self) -> ApplicationFile:
        names = [d.name for d in self.datasets]
        if len(set(names)) != len(names):
            raise ValueError("a dataset is requested more than once")
        short = len((self.justification or "").strip()) < MIN_JUSTIFICATION
        if self.data_form is DataForm.PSEUDONYMISED and short:
            raise ValueError(
                "pseudonymised data need a written justification of at least "
                f"{MIN_JUSTIFICATION} characters why anonymised data cannot serve"
            )
        if self.anonymisation is not None and self.data_form is not DataForm.ANONYMISED:
            raise ValueError("anonymisation terms apply to anonymised data only")
        return self


def _place(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def parse_application(data: Any, origin: str = "application") -> ApplicationFile:
    """Validate already-parsed YAML/JSON data; ``InvalidApplication`` lists every problem."""
    if not isinstance(data, dict):
        raise InvalidApplication(f"{origin}: expected a mapping of fields at the top level")
    try:
        return ApplicationFile.model_validate(data)
    except ValidationError as exc:
        problems: dict[str, Problem] = {}
        for error in exc.errors():
            # Union errors name the enum class; say which values are accepted instead.
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
            message = error["msg"]
            if loc == ("purpose", "category"):
                message = "must be one of " + ", ".join(p.value for p in Purpose)
            text = f"{origin}: {_place(loc)}: {message}"
            problems.setdefault(text, Problem(_place(loc), str(error["type"]), text))
        raise InvalidApplication("\n".join(problems), list(problems.values())) from None


def load_application(path: Path) -> ApplicationFile:
    """Read and validate an application file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidApplication(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InvalidApplication(f"{path}: not valid YAML{where}") from None
    return parse_application(data, str(path))
