"""The closed vocabularies of permits: states, purposes, organisation types, data forms."""

from __future__ import annotations

from enum import StrEnum


class PermitState(StrEnum):
    """States of an application and, once approved, of its permit (see ``lifecycle``)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    INCOMPLETE = "incomplete"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class OrganisationType(StrEnum):
    ACADEMIC = "academic"
    PUBLIC_BODY = "public_body"
    CARE_PROVIDER = "care_provider"
    MUTUALITY = "mutuality"
    COMPANY = "company"


class Purpose(StrEnum):
    """Permitted purposes of secondary use (EHDS Art 53(1))."""

    PUBLIC_INTEREST_HEALTH = "public_interest_health"  # public or occupational health
    POLICY_MAKING = "policy_making"
    OFFICIAL_STATISTICS = "official_statistics"
    EDUCATION = "education"
    SCIENTIFIC_RESEARCH = "scientific_research"  # including innovation and AI development
    IMPROVING_CARE = "improving_care"


# Purposes reserved to public bodies and EU institutions (Art 53(2), a "check" item in DOMAIN.md).
PUBLIC_BODY_PURPOSES = frozenset(
    {Purpose.PUBLIC_INTEREST_HEALTH, Purpose.POLICY_MAKING, Purpose.OFFICIAL_STATISTICS}
)


class ProhibitedPurpose(StrEnum):
    """Uses that are refused whatever else an application says (EHDS Art 54, Art 61(3))."""

    DETRIMENTAL_DECISIONS = "detrimental_decisions"
    EMPLOYMENT_INSURANCE_CREDIT = "employment_insurance_credit"
    ADVERTISING = "advertising"
    HARMFUL_PRODUCTS = "harmful_products"
    AGAINST_ETHICS_LAW = "against_ethics_law"
    REIDENTIFICATION = "reidentification"


PROHIBITED_REASONS: dict[ProhibitedPurpose, str] = {
    ProhibitedPurpose.DETRIMENTAL_DECISIONS: (
        "taking decisions detrimental to a person based on their health data is prohibited (EHDS Art 54(a))"
    ),
    ProhibitedPurpose.EMPLOYMENT_INSURANCE_CREDIT: (
        "decisions on employment, insurance premiums or credit are prohibited (EHDS Art 54(b))"
    ),
    ProhibitedPurpose.ADVERTISING: "advertising or marketing is prohibited (EHDS Art 54(c))",
    ProhibitedPurpose.HARMFUL_PRODUCTS: (
        "developing products harmful to people or society (tobacco, alcohol, drugs, weapons) "
        "is prohibited (EHDS Art 54(d))"
    ),
    ProhibitedPurpose.AGAINST_ETHICS_LAW: (
        "activities against ethical provisions of national law are prohibited (EHDS Art 54(e))"
    ),
    ProhibitedPurpose.REIDENTIFICATION: "re-identifying people is prohibited (EHDS Art 61(3))",
}


class DataForm(StrEnum):
    ANONYMISED = "anonymised"
    PSEUDONYMISED = "pseudonymised"
