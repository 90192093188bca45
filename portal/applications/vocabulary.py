"""Names of the permit codes people read on the portal, marked for translation: purposes and
the legal reasons of prohibited ones, organisation types, states, sections, data forms, and
the problems the service finds in an application (by their code)."""

from __future__ import annotations

from portal.i18n import N_

PURPOSES = {
    "public_interest_health": N_("Public or occupational health"),
    "policy_making": N_("Policy making and regulation"),
    "official_statistics": N_("Official statistics"),
    "education": N_("Education or teaching"),
    "scientific_research": N_("Scientific research, including innovation and AI"),
    "improving_care": N_("Improving care delivery"),
}
PROHIBITED = {
    "detrimental_decisions": N_("Decisions detrimental to a person"),
    "employment_insurance_credit": N_("Decisions on employment, insurance or credit"),
    "advertising": N_("Advertising or marketing"),
    "harmful_products": N_("Developing harmful products (tobacco, alcohol, drugs, weapons)"),
    "against_ethics_law": N_("Activities against national ethics law"),
    "reidentification": N_("Re-identifying people"),
}
# The legal reason of each refusal, by the prohibited purpose's code
# (``catalog.permits.vocabulary.PROHIBITED_REASONS`` says the same in English for the CLI).
PROHIBITED_REASONS = {
    "detrimental_decisions": N_(
        "Taking decisions detrimental to a person based on their health data is prohibited (EHDS Art 54(a))."
    ),
    "employment_insurance_credit": N_(
        "Decisions on employment, insurance premiums or credit are prohibited (EHDS Art 54(b))."
    ),
    "advertising": N_("Advertising or marketing is prohibited (EHDS Art 54(c))."),
    "harmful_products": N_(
        "Developing products harmful to people or society (tobacco, alcohol, drugs, weapons) "
        "is prohibited (EHDS Art 54(d))."
    ),
    "against_ethics_law": N_(
        "Activities against ethical provisions of national law are prohibited (EHDS Art 54(e))."
    ),
    "reidentification": N_("Re-identifying people is prohibited (EHDS Art 61(3))."),
}
# The reason of an application that lapsed (``catalog.permits.policies.LAPSED_REASON``).
LAPSED_REASON = N_(
    "Not completed within four weeks of the request for more information (EHDS Art 68); "
    "a new application can be made."
)
ORGANISATION_TYPES = {
    "academic": N_("University or research institute"),
    "public_body": N_("Public body"),
    "care_provider": N_("Care provider"),
    "mutuality": N_("Health insurance fund (mutuality)"),
    "company": N_("Company"),
}
STATES = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "incomplete": N_("More information asked"),
    "under_review": N_("Under review"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "active": N_("Permit in use"),
    "expired": N_("Expired"),
    "revoked": N_("Revoked"),
}
SECTIONS = {
    "purpose": N_("Purpose"),
    "datasets": N_("Datasets and variables"),
    "cohort": N_("Cohort rules"),
    "period": N_("Period"),
    "data_form": N_("Data form and anonymisation terms"),
    "disclosure": N_("Disclosure terms"),
    "data_users": N_("Data users"),
}
SECTION_STATUS = {
    "not_started": N_("Not started"),
    "in_progress": N_("In progress"),
    "completed": N_("Completed"),
}
DATA_FORMS = {
    "anonymised": N_("Anonymised"),
    "pseudonymised": N_("Pseudonymised"),
}
BIRTH = {"year": N_("Year of birth"), "band5": N_("Five-year age bands")}
PLACE = {"arrondissement": N_("Arrondissement"), "province": N_("Province")}
SEX = {"F": N_("Women"), "M": N_("Men")}
CODED_SOURCES = {
    "claims": N_("Claims: nomenclature codes"),
    "pharmacy": N_("Pharmacy: ATC codes"),
    "hospital_stays": N_("Hospital stays: ICD-10-CM diagnoses"),
    "lab_results": N_("Lab results: LOINC codes"),
}
DISCLOSURE = {
    "min_persons": N_("Persons behind every cell, at least"),
    "p_percent": N_("p percent rule: p"),
    "nk_n": N_("nk dominance rule: n largest contributors"),
    "nk_k_percent": N_("nk dominance rule: k, in percent"),
    "rounding_base": N_("Round counts to a multiple of"),
}
# What the service found wrong in an application, by the problem's code.
PROBLEMS = {
    "unknown_dataset": N_("A dataset asked for is not in the catalogue."),
    "unknown_variables": N_("Some variables asked for are not in their dataset."),
    "linking_variables": N_(
        "Record and provider ids link rows, so anonymised data cannot hold them: leave them out, "
        "or apply for pseudonymised data with a justification."
    ),
    "free_text": N_(
        "Free text is never part of anonymised data, even de-identified: leave it out, or apply for "
        "pseudonymised data."
    ),
    "unknown_user": N_("A data user has no account on the platform."),
    "k_below_platform": N_("k is below the platform's minimum: a permit can only raise it."),
    "looser_disclosure": N_(
        "A disclosure rule would be looser than the platform's: a permit can only make it stricter."
    ),
}
OTHER_PROBLEM = N_(
    "This answer does not meet the rules of an application: check it and save the section again."
)
