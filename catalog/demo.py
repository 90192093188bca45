"""The demonstration, loaded on request only (``haven catalog seed-demo``, ``haven demo``).

Demo users (one per role, without passwords until ``demo_passwords`` gives them some) and
the demo permit over three datasets the pipeline published (claims, pharmacy, hospital
stays). The permit goes through the real workflow (applied, reviewed, approved with a
reason, activated), so its history and audit entries are those of any other permit. A new
catalogue holds none of this: the schema and the ``system`` user come from the migrations.
This module is the one definition of the demo permit; code that needs its id or its user
imports them from here.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, cast

from catalog.audit import trail
from catalog.db.gateway import unit_of_work
from catalog.errors import NotFound, RuleViolation
from catalog.optout.citizens import check_pid
from catalog.people.domain import Role, User
from catalog.people.users import hash_password
from catalog.permits import service
from catalog.permits.applications import parse_application
from common.settings import Settings

DEMO_PERMIT_ID = "demo-permit"
RESEARCHER = "researcher@demo"
STEWARD = "steward@demo"
# Output release needs two stewards who are not the permit's users.
SECOND_STEWARD = "reviewer@demo"
DEMO_USERS: dict[str, Role] = {
    RESEARCHER: Role.RESEARCHER,
    STEWARD: Role.STEWARD,
    SECOND_STEWARD: Role.STEWARD,
    "analyst@demo": Role.POLICY_ANALYST,
    "operator@demo": Role.OPERATOR,
    "citizen@demo": Role.CITIZEN,
    "citizen2@demo": Role.CITIZEN,
    "agent@demo": Role.AGENT,
}
# The demo policy analyst's organisation: dashboards published "to the organisation" reach it.
DEMO_ORGANISATIONS = {"analyst@demo": "Demo Ministry of Health"}
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
