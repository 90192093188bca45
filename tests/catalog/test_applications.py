"""Application files are validated with precise errors (table-driven)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog.errors import InvalidApplication
from catalog.permits.applications import load_application, parse_application
from catalog.permits.vocabulary import DataForm, ProhibitedPurpose, Purpose
from common.settings import PROJECT_ROOT
from tests.catalog.factories import application_data

PSEUDO_OK = "Linking hospital stays to later claims needs a stable pseudonym per person."


def test_valid_file_parses() -> None:
    spec = parse_application(application_data())
    assert spec.purpose.category is Purpose.SCIENTIFIC_RESEARCH
    assert spec.data_form is DataForm.ANONYMISED  # anonymised by default


@pytest.mark.parametrize("example", sorted((PROJECT_ROOT / "catalog" / "examples").glob("*.yaml")))
def test_examples_are_valid(example: Path) -> None:
    assert load_application(example).title


def test_prohibited_purpose_is_valid_schema_but_marked() -> None:
    spec = parse_application(application_data(purpose={"category": "advertising", "summary": "x" * 50}))
    assert spec.purpose.category is ProhibitedPurpose.ADVERTISING


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"duration_months": 0}, "application: duration_months: Input should be greater than or equal to 1"),
        (
            {"commercial": "maybe"},
            "application: commercial: Input should be a valid boolean, unable to interpret input",
        ),
        (
            {"organisation": {"name": "X", "type": "bank"}},
            "application: organisation.type: Input should be 'academic', 'public_body', 'care_provider', "
            "'mutuality' or 'company'",
        ),
        (
            {"purpose": {"category": "fun", "summary": "x" * 50}},
            "application: purpose.category: must be one of public_interest_health, policy_making, "
            "official_statistics, education, scientific_research, improving_care",
        ),
        (
            {"purpose": {"category": "education", "summary": "short"}},
            "application: purpose.summary: String should have at least 40 characters",
        ),
        (
            {"datasets": [{"name": "claims", "variables": []}]},
            "application: datasets[0].variables: List should have at least 1 item after validation, not 0",
        ),
        (
            {"datasets": [{"name": "claims", "variables": ["a", "a"]}]},
            "application: datasets[0]: Value error, variables are listed more than once",
        ),
        (
            {"period": {"start": "2025-12-31", "end": "2025-01-01"}},
            "application: period: Value error, the period ends before it starts",
        ),
        (
            {"data_form": "pseudonymised"},
            "application: (file): Value error, pseudonymised data need a written justification of at least "
            "30 characters why anonymised data cannot serve",
        ),
        ({"colour": "blue"}, "application: colour: Extra inputs are not permitted"),
    ],
)
def test_errors_name_the_field(overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(InvalidApplication) as caught:
        parse_application(application_data(**overrides))
    assert str(caught.value) == expected


def test_every_problem_is_listed_and_missing_fields_named() -> None:
    data = application_data()
    del data["cohort"], data["data_users"]
    with pytest.raises(InvalidApplication) as caught:
        parse_application(data)
    assert str(caught.value).splitlines() == [
        "application: cohort: Field required",
        "application: data_users: Field required",
    ]


def test_pseudonymised_with_justification_is_accepted() -> None:
    spec = parse_application(application_data(data_form="pseudonymised", justification=PSEUDO_OK))
    assert spec.data_form is DataForm.PSEUDONYMISED


def test_yaml_errors_give_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("title: x\napplicant: [unclosed\n")
    with pytest.raises(InvalidApplication, match=r"bad.yaml: not valid YAML at line 3, column 1"):
        load_application(path)
    path.write_text("- a list\n")
    with pytest.raises(InvalidApplication, match="expected a mapping"):
        load_application(path)
