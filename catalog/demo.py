"""The demonstration, loaded on request only (``haven catalog seed-demo``, ``haven demo``).

Demo users (one per role, without passwords until ``demo_passwords`` gives them some) and
the demo permit over three datasets the pipeline published (claims, pharmacy, hospital
stays). The permit goes through the real workflow (applied, reviewed, approved with a
reason, activated), so its history and audit entries are those of any other permit. A new
catalogue holds none of this: the schema and the ``system`` user come from the migrations.
This module is the one definition of the demo permit; code that needs its id or its user
imports them from here.

``haven demo`` adds, once the permit is loaded, a standing indicator of it that both demo
stewards approve (``seed_indicator``), which the next permit build releases, and a public
dashboard of the demo policy analyst on it (``seed_dashboard``).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, cast

from catalog.audit import trail
from catalog.dashboards import indicators
from catalog.dashboards import service as dashboards
from catalog.dashboards.domain import DashboardState
from catalog.db.gateway import unit_of_work
from catalog.errors import NotFound, RuleViolation
from catalog.optout.citizens import check_pid
from catalog.people.domain import Role, User
from catalog.people.users import hash_password
from catalog.permits import service
from catalog.permits.applications import parse_application
from common.settings import Settings, get_settings

DEMO_PERMIT_ID = "demo-permit"
RESEARCHER = "researcher@demo"
STEWARD = "steward@demo"
# Output release needs two stewards who are not the permit's users.
SECOND_STEWARD = "reviewer@demo"
ANALYST = "analyst@demo"
DEMO_USERS: dict[str, Role] = {
    RESEARCHER: Role.RESEARCHER,
    STEWARD: Role.STEWARD,
    SECOND_STEWARD: Role.STEWARD,
    ANALYST: Role.POLICY_ANALYST,
    "operator@demo": Role.OPERATOR,
    "citizen@demo": Role.CITIZEN,
    "citizen2@demo": Role.CITIZEN,
    "agent@demo": Role.AGENT,
}
# The demo policy analyst's organisation: dashboards published "to the organisation" reach it.
DEMO_ORGANISATIONS = {ANALYST: "Demo Ministry of Health"}
# The demo citizens, each linked to a person of the demo population when its pids are given.
DEMO_CITIZENS = ("citizen@demo", "citizen2@demo")

DEMO_APPLICATION = {
    "title": "Care, medicines and hospital stays in 2025 (demonstration)",
    "applicant": RESEARCHER,
    "organisation": {"name": "Demo University", "type": "academic"},
    "purpose": {
        "category": "scientific_research",
        "summary": "How often people see general practitioners and specialists, what it costs "
        "them, and how their use of medicines and hospital care goes with it, over one year "
        "(a demonstration).",
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
        },
        {"name": "pharmacy", "variables": ["delivery_date", "atc_code", "ddd", "amount_reimbursed"]},
        {
            "name": "hospital_stays",
            "variables": [
                "admission_date",
                "discharge_date",
                "stay_type",
                "main_diagnosis",
                "apr_drg",
                "severity",
            ],
        },
    ],
    "cohort": "Everyone with at least one reimbursed service in 2025",
    "period": {"start": date(2025, 1, 1), "end": date(2025, 12, 31)},
    "data_form": "pseudonymised",
    "justification": "Counting distinct persons per provider type, and linking a person's care, "
    "medicines and stays, needs a stable person pseudonym.",
    "data_users": [RESEARCHER],
    "duration_months": 60,
}


# The demo's standing indicator: persons per provider type, for three types whose persons
# differ from one another's by well over the indicator's 100 (the pair and linked rules judge
# its cells against one another), in the default demo (about 960 to 1,910 persons each of
# 2,000 people) as in its --help example (140 to 290 of 300), where it is released
# (tests/spe/test_demo_queries.py checks the second).
DEMO_INDICATOR_SQL = (
    "SELECT provider_type, count(DISTINCT person_id) AS persons FROM claims "
    "WHERE provider_type IN ('GP', 'dentist', 'physiotherapist') "
    "GROUP BY provider_type ORDER BY provider_type"
)
DEMO_INDICATOR = {
    "en": "Persons who saw a GP, a dentist or a physiotherapist in 2025",
    "fr": "Personnes ayant consulté un médecin généraliste, un dentiste ou un kinésithérapeute en 2025",
    "nl": "Personen die in 2025 een huisarts, een tandarts of een kinesitherapeut raadpleegden",
    "de": "Personen, die 2025 eine Hausarzt-, Zahnarzt- oder Physiotherapiepraxis aufsuchten",
}
DEMO_DASHBOARD = {
    "en": "Who sees which care provider (demonstration)",
    "fr": "Qui consulte quel prestataire de soins (démonstration)",
    "nl": "Wie welke zorgverlener raadpleegt (demonstratie)",
    "de": "Wer welche Leistungserbringer aufsucht (Demonstration)",
}


DEMO_DATASETS = tuple(str(d["name"]) for d in cast(list[dict[str, Any]], DEMO_APPLICATION["datasets"]))


def seed(settings: Settings | None = None, citizen_pids: Sequence[str] = ()) -> bool:
    """Demo users and the approved demo permit; False if already there.

    ``citizen_pids`` are pids of persons of the demo population: the demo citizens are linked
    to them in order (``DEMO_CITIZENS``), so they can opt out online; without them the demo
    citizens can read the public pages and sign in, but have no opt-out to manage.

    The permit's datasets must be in the catalogue: the pipeline publishes them (``haven demo``
    runs it first). The permit becomes active when its datasets are first built.
    """
    with unit_of_work(settings) as store:
        try:
            store.get_application(DEMO_PERMIT_ID)
        except NotFound:
            pass
        else:
            return False
        published = {d.dataset_id for d in store.list_datasets()}
        missing = [name for name in DEMO_DATASETS if name not in published]
        if missing:
            raise RuleViolation(
                f"the demo permit asks for {', '.join(missing)}, not in the catalogue yet: the pipeline "
                "publishes each dataset with its first silver version (haven pipeline run, or haven demo)"
            )
        for username, role in DEMO_USERS.items():
            if store.find_user(username) is None:
                user = User(
                    username,
                    frozenset({role}),
                    username.split("@")[0],
                    organisation=DEMO_ORGANISATIONS.get(username),
                )
                store.add_user(user, None)
        for username, pid in zip(DEMO_CITIZENS, citizen_pids, strict=False):
            store.link_citizen(username, check_pid(pid), datetime.now(UTC))
            trail.append(
                store, actor="system", action="citizen.linked", object_type="user", object_id=username
            )
        operator = store.get_user("operator@demo")
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


def demo_passwords(settings: Settings | None = None) -> dict[str, str]:
    """Give every demo user a new random password and return them, to be printed once.

    Demo only: a real instance has no demo users, and its accounts get their first password
    from a one-time link (``haven user add``). The passwords are not kept anywhere but as
    argon2 hashes, so running this again replaces them; each change is audited, without the
    password.
    """
    chosen: dict[str, str] = {}
    with unit_of_work(settings) as store:
        for username in DEMO_USERS:
            if store.find_user(username) is None:
                raise RuleViolation("the demonstration is not loaded: run haven catalog seed-demo first")
            password = secrets.token_urlsafe(12)  # 16 characters, 96 random bits
            store.set_password_hash(username, hash_password(password))
            trail.append(
                store,
                actor="system",
                action="user.password_set",
                object_type="user",
                object_id=username,
                details={"demo": True},
            )
            chosen[username] = password
    return chosen


def _demo_indicator(store: indicators.Store) -> indicators.Indicator | None:
    found = [
        i
        for i in store.list_indicators()
        if i.permit_id == DEMO_PERMIT_ID and i.sql == DEMO_INDICATOR_SQL and i.proposed_by == RESEARCHER
    ]
    return found[0] if found else None


def seed_indicator(settings: Settings | None = None) -> str | None:
    """The demo's standing indicator (``DEMO_INDICATOR_SQL``), proposed by the demo researcher
    at the settings' indicator terms and approved by both demo stewards, each step audited as
    any other; its id, or None if it is there already. The demo permit must be loaded."""
    settings = settings or get_settings()
    with unit_of_work(settings) as store:
        if _demo_indicator(store) is not None:
            return None
        return approve_indicator(store, settings, DEMO_INDICATOR_SQL, DEMO_INDICATOR)


def approve_indicator(
    store: indicators.Store, settings: Settings, sql: str, description: dict[str, str]
) -> str:
    """An indicator of the demo permit that the demo researcher proposes at the settings'
    terms and both demo stewards approve; its id."""
    proposed = indicators.propose(
        store,
        store.get_user(RESEARCHER),
        permit_id=DEMO_PERMIT_ID,
        sql=sql,
        description=description,
        terms=indicators.Terms(settings.indicator_min_persons, settings.indicator_rounding_base),
        platform_min_persons=settings.disclosure_min_persons,
    )
    for steward in (STEWARD, SECOND_STEWARD):
        indicators.approve(store, store.get_user(steward), proposed.indicator_id)
    return proposed.indicator_id


def seed_dashboard(settings: Settings | None = None) -> str | None:
    """A public bar chart of the demo indicator's latest release, composed and published by
    the demo policy analyst; its id, or None when the indicator has no release yet (a permit
    build releases it) or the analyst has a dashboard on it already."""
    with unit_of_work(settings) as store:
        indicator = _demo_indicator(store)
        if indicator is None or indicators.status(store, indicator.indicator_id).latest is None:
            return None
        analyst = store.get_user(ANALYST)
        if any(indicator.indicator_id in d.spec.aggregates for d in dashboards.own(store, analyst)):
            return None
        form: dict[str, Any] = {
            "aggregates": [indicator.indicator_id],
            "kind": "bar",
            "chart": "",
            "audience": "public",
            **{f"title_{lang}": title for lang, title in DEMO_DASHBOARD.items()},
        }
        draft = dashboards.compose(store, analyst, form)
        dashboards.move(store, analyst, draft.dashboard_id, DashboardState.PUBLISHED)
    return draft.dashboard_id
