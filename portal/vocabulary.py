"""Names of the catalogue's codes, marked for translation: EU data themes, EHDS health
categories, variable types, the quality label's elements and grades, access states.

The catalogue stores codes (``catalog.datasets.metadata``); people read these names in their
language. A code without a name here is shown as the code itself.
"""

from __future__ import annotations

from portal.i18n import N_

THEMES = {
    "AGRI": N_("Agriculture, fisheries, forestry and food"),
    "ECON": N_("Economy and finance"),
    "EDUC": N_("Education, culture and sport"),
    "ENER": N_("Energy"),
    "ENVI": N_("Environment"),
    "GOVE": N_("Government and public sector"),
    "HEAL": N_("Health"),
    "INTR": N_("International issues"),
    "JUST": N_("Justice, legal system and public safety"),
    "OP_DATPRO": N_("Provisional data"),
    "REGI": N_("Regions and cities"),
    "SOCI": N_("Population and society"),
    "TECH": N_("Science and technology"),
    "TRAN": N_("Transport"),
}
HEALTH_CATEGORIES = {
    "EHR": N_("Electronic health records"),
    "ADMINISTRATIVE_CLAIMS": N_("Administrative data on care, including claims and reimbursement"),
    "DISPENSATION": N_("Dispensation of medicinal products"),
    "REGISTRY": N_("Population-based health registries"),
    "WELLNESS": N_("Wellness data people entered themselves"),
    "DETERMINANTS": N_("Factors affecting health, such as socio-economic and environmental ones"),
    "LABORATORY": N_("Laboratory results"),
}
DATATYPES = {
    "string": N_("text or code"),
    "integer": N_("whole number"),
    "decimal": N_("decimal number"),
    "date": N_("date"),
    "boolean": N_("yes or no"),
}
ACCESS = {
    "none": N_("No access"),
    "pending": N_("Application pending"),
    "in_force": N_("Permit in force"),
}
GRADES = {
    "A": N_("A: excellent"),
    "B": N_("B: good"),
    "C": N_("C: fair"),
    "D": N_("D: poor"),
    "not assessed": N_("not assessed"),
}
# The label's elements in the order the label lists them (``quality.label``).
QUALITY_ELEMENTS = {
    "documentation": N_("Documentation"),
    "completeness": N_("Completeness"),
    "uniqueness": N_("Uniqueness"),
    "accuracy": N_("Accuracy"),
    "validity": N_("Validity"),
    "timeliness": N_("Timeliness"),
    "consistency": N_("Consistency"),
    "quality_management": N_("Quality management"),
    "coverage": N_("Coverage"),
    "access_delays": N_("Access delays"),
    "enrichments": N_("Enrichments"),
}
ROLES = {
    "researcher": N_("Researcher"),
    "steward": N_("Data steward"),
    "policy_analyst": N_("Policy analyst"),
    "operator": N_("Platform operator"),
    "citizen": N_("Citizen"),
    "agent": N_("Opt-out agent (phone, desk)"),
}
SEVERITIES = {
    "critical": N_("Critical"),
    "warning": N_("Warning"),
}
