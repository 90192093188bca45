"""The demonstration, loaded on request only (``haven catalog seed-demo``, ``haven demo``).

The claims dataset, demo users (one per role, without passwords) and the demo permit, which
goes through the real workflow (applied, reviewed, approved with a reason, activated), so
its history and audit entries are those of any other permit. A new catalogue holds none of
this: the schema and the ``system`` user come from the migrations. This module is the one
definition of the demo permit; code that needs its id or its user imports them from here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from catalog.datasets import metadata
from catalog.db.gateway import unit_of_work
from catalog.errors import NotFound
from catalog.people.domain import Role, User
from catalog.permits import service
from catalog.permits.applications import parse_application
from common.layout import Source
from common.schemas import CLAIMS
from common.settings import Settings

DEMO_PERMIT_ID = "demo-permit"
RESEARCHER = "researcher@demo"
STEWARD = "steward@demo"
DEMO_USERS: dict[str, Role] = {
    RESEARCHER: Role.RESEARCHER,
    STEWARD: Role.STEWARD,
    "analyst@demo": Role.POLICY_ANALYST,
    "operator@demo": Role.OPERATOR,
    "citizen@demo": Role.CITIZEN,
}

_HDA = {
    "id": "hda",
    "email": "contact@hda.example.be",
    "homepage": "https://hda.example.be",
    "name": {
        "fr": "Agence des données de (soins de) santé",
        "nl": "Agentschap Gezondheidsdata",
        "en": "Health Data Agency",
    },
}
_IMA = {
    "id": "ima-aim",
    "email": "info@ima-aim.example.be",
    "homepage": "https://ima-aim.example.be",
    "name": {
        "fr": "Agence InterMutualiste",
        "nl": "InterMutualistisch Agentschap",
        "en": "InterMutualistic Agency",
    },
    "type": "NonProfitOrganisation",
}
_TYPES = {"string": "string", "date": "date"}


# Long on purpose: metadata is data, written out as one record (it becomes a data file
# with the whole-lake catalogue).
def claims_metadata() -> metadata.DatasetMetadata:
    """HealthDCAT-AP metadata of the demo claims dataset (synthetic data in this demo)."""
    variables = [
        {
            "name": c.name,
            "title": c.name.replace("_", " "),
            "description": c.description,
            "datatype": _TYPES.get(c.type, "decimal" if c.type.startswith("decimal") else "string"),
        }
        for c in CLAIMS.columns
        if not c.sensitive
    ]
    return metadata.DatasetMetadata.model_validate(
        {
            "identifier": "claims",
            "source": Source.CLAIMS.value,
            "title": {
                "fr": "Remboursements de soins de santé (AIM)",
                "nl": "Terugbetalingen van gezondheidszorg (IMA)",
                "en": "Health care reimbursements (IMA)",
            },
            "description": {
                "fr": "Prestations de soins remboursées par l'assurance obligatoire, par personne: code "
                "de nomenclature INAMI, date, type de prestataire, montants remboursés et tickets "
                "modérateurs.",
                "nl": "Door de verplichte verzekering terugbetaalde prestaties, per persoon: RIZIV-"
                "nomenclatuurcode, datum, type zorgverlener, terugbetaalde bedragen en remgelden.",
                "en": "Health care services reimbursed by compulsory insurance, per person: RIZIV/INAMI "
                "nomenclature code, date, provider type, amounts reimbursed and co-payments.",
            },
            "keywords": {
                "fr": ["remboursement", "soins ambulatoires"],
                "nl": ["terugbetaling", "ambulante zorg"],
                "en": ["reimbursement", "ambulatory care", "claims"],
            },
            "publisher": _HDA,
            "hdab": _HDA,
            "custodian": _IMA,
            "health_categories": ["ADMINISTRATIVE_CLAIMS"],
            "provenance": {
                "fr": "Données de facturation des mutualités, pseudonymisées par la plateforme eHealth, "
                "chargées par Haven (bronze, silver) avec retrait des opt-outs.",
                "nl": "Facturatiegegevens van de ziekenfondsen, gepseudonimiseerd door het eHealth-platform, "
                "geladen door Haven (bronze, silver) met verwijdering van opt-outs.",
                "en": "Sickness funds' billing data, pseudonymised by the eHealth platform, loaded by Haven "
                "(bronze, silver) with opted-out people removed.",
            },
            "temporal_start": "2002-01-01",
            "spatial": "BEL",
            "min_typical_age": 0,
            "max_typical_age": 100,
            "population_coverage": {
                "fr": "Plus de 99 % des résidents assurés en Belgique.",
                "nl": "Meer dan 99 % van de verzekerde inwoners van België.",
                "en": "Over 99 % of insured residents of Belgium.",
            },
            "coding_systems": ["riziv-inami-nomenclature"],
            "code_values": ["101010"],
            "personal_data": ["HealthRecord", "Age"],
            "legal_basis": ["A9-2-j"],
            "purpose": ["ResearchAndDevelopment"],
            "retention_years": 30,
            "variables": variables,
            "date_column": "service_date",
            "patient_entered": False,
            "quality_label": "Not yet graded (quality label to come)",
        }
    )


DEMO_APPLICATION = {
    "title": "Ambulatory care use in 2025 (demonstration)",
    "applicant": RESEARCHER,
    "organisation": {"name": "Demo University", "type": "academic"},
    "purpose": {
        "category": "scientific_research",
        "summary": "How often people see general practitioners and specialists, and what it "
        "costs them, by type of provider, over one year (a demonstration).",
    },
    "commercial": False,
    "datasets": [
        {
            "name": "claims",
            "variables": [
                "nomenclature_code",
                "service_date",
                "provider_type",
                "amount_reimbursed",
                "amount_copay",
            ],
        }
    ],
    "cohort": "Everyone with at least one reimbursed service in 2025",
    "period": {"start": date(2025, 1, 1), "end": date(2025, 12, 31)},
    "data_form": "pseudonymised",
    "justification": "Counting distinct persons per provider type needs a stable person pseudonym.",
    "data_users": [RESEARCHER],
    "duration_months": 60,
}


def seed(settings: Settings | None = None) -> bool:
    """Demo users, the claims dataset and the approved, active demo permit; False if already there."""
    with unit_of_work(settings) as store:
        try:
            store.get_application(DEMO_PERMIT_ID)
        except NotFound:
            pass
        else:
            return False
        for username, role in DEMO_USERS.items():
            if store.find_user(username) is None:
                store.add_user(User(username, frozenset({role}), username.split("@")[0]), None)
        operator = store.get_user("operator@demo")
        metadata.put_dataset(store, operator, claims_metadata())
        spec = parse_application(DEMO_APPLICATION, "demo application")
        researcher, steward = store.get_user(RESEARCHER), store.get_user(STEWARD)
        service.apply(
            store,
            researcher,
            spec,
            now=datetime(2025, 11, 3, 9, 0, tzinfo=UTC),
            application_id=DEMO_PERMIT_ID,
        )
        service.decide(
            store,
            steward,
            DEMO_PERMIT_ID,
            approve=True,
            reason="Permitted research purpose; variables limited to what the question needs; "
            "pseudonymised data justified for counting persons.",
            now=datetime(2026, 1, 1, tzinfo=UTC),
        )
        service.activate(store, operator, DEMO_PERMIT_ID, now=datetime(2026, 1, 1, 0, 1, tzinfo=UTC))
    return True
