"""Notifications: every state change of an application or a permit, and of an output release
request, tells the people concerned and nobody else, in the portal and by e-mail (in each
recipient's language, with the link to the object), once the change has committed.

The transitions are driven through the catalogue's services, as the CLI drives them; mails
go to a small SMTP server the tests start (``smtp_sink.py``).
"""

from __future__ import annotations

import logging
import socket
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from catalog.airlock import releases
from catalog.airlock.domain import CheckStatus, OutputContext, OutputRequest, ReleaseCheck
from catalog.audit import trail
from catalog.db.gateway import unit_of_work
from catalog.notifications.messages import LANGUAGES, TITLES
from catalog.notifications.service import RULES
from catalog.people import users
from catalog.people.domain import Role
from catalog.permits import service
from common.settings import Settings
from tests.catalog.factories import submit
from tests.catalog.output_factories import REASON, RESULT, SQL
from tests.portal.conftest import ACCOUNTS, PASSWORD, Clock, csrf_token, sign_in
from tests.portal.smtp_sink import SMTPSink

RITA, SAM, OTTO = ACCOUNTS["researcher"], ACCOUNTS["steward"], ACCOUNTS["operator"]
RUBEN, SOFIA = "ruben@example.be", "sofia@example.be"
PORTAL = "https://haven.example.be"
# Application ids are random; these tests fix them so that messages can be compared whole.
FIRST = "app-2026-0001"
LINK = f"{PORTAL}/applications/{FIRST}"
SUBMITTED = datetime(2026, 2, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def sink() -> Iterator[SMTPSink]:
    server = SMTPSink().start()
    yield server
    server.stop()


@pytest.fixture
def mailing(settings: Settings, sink: SMTPSink) -> Settings:
    """The instance with mail on: a second researcher (Dutch) and a second steward (German);
    the researcher reads French, the first steward has chosen no language (English)."""
    with unit_of_work(settings) as store:
        system = store.get_user("system")
        users.create_user(store, system, RUBEN, {Role.RESEARCHER}, PASSWORD)
        users.create_user(store, system, SOFIA, {Role.STEWARD}, PASSWORD)
        for username, language in ((RITA, "fr"), (RUBEN, "nl"), (SOFIA, "de")):
            store.set_user_language(username, language)
    return settings.model_copy(update={"smtp_host": sink.host, "smtp_port": sink.port, "portal_url": PORTAL})


def told(settings: Settings) -> dict[str, list[str]]:
    """Each account's notifications as ``action`` (``audience``), newest first."""
    with unit_of_work(settings) as store:
        return {
            u.username: [f"{n.action} ({n.audience})" for n in store.notifications_of(u.username)]
            for u in store.list_users()
            if store.notifications_of(u.username)
        }


def mailed(sink: SMTPSink) -> dict[str, list[str]]:
    found = defaultdict(list)
    for message in sink.messages:
        assert len(message.recipients) == 1
        found[message.recipients[0]].append(message.subject)
    return dict(found)


def test_every_kind_of_change_has_its_words_in_four_languages() -> None:
    assert {action for action, _ in TITLES} == set(RULES)
    for words in TITLES.values():
        assert sorted(words) == sorted(LANGUAGES) and all("{id}" in text for text in words.values())


def test_an_applications_changes_notify_its_people_and_the_stewards_by_portal_and_mail(
    mailing: Settings, sink: SMTPSink
) -> None:
    with unit_of_work(mailing) as store:
        rita = store.get_user(RITA)
        submit(store, rita, data_users=[RITA, RUBEN], now=SUBMITTED, application_id=FIRST)
    assert told(mailing) == {
        RUBEN: ["application.submitted (party)"],
        SAM: ["application.submitted (steward)"],
        SOFIA: ["application.submitted (steward)"],
    }
    steps = [
        lambda s: service.mark_incomplete(
            s, s.get_user(SAM), "app-2026-0001", "Say which hospitals.", now=SUBMITTED
        ),
        lambda s: service.resubmit(s, s.get_user(RITA), "app-2026-0001", now=SUBMITTED),
        lambda s: service.decide(
            s, s.get_user(SOFIA), "app-2026-0001", approve=True, reason="Permitted purpose.", now=SUBMITTED
        ),
        lambda s: service.activate(s, s.get_user(OTTO), "app-2026-0001", now=SUBMITTED),
        lambda s: service.revoke(s, s.get_user(SAM), "app-2026-0001", "Breach of the terms.", now=SUBMITTED),
    ]
    for step in steps:  # one unit of work each, as each CLI command
        with unit_of_work(mailing) as store:
            step(store)
    parties = ["permit.revoked (party)", "permit.activated (party)", "application.approved (party)"]
    assert told(mailing) == {
        RITA: [*parties, "application.marked_incomplete (party)"],
        RUBEN: [
            *parties,
            "application.resubmitted (party)",
            "application.marked_incomplete (party)",
            "application.submitted (party)",
        ],
        SAM: ["application.resubmitted (steward)", "application.submitted (steward)"],
        SOFIA: ["application.resubmitted (steward)", "application.submitted (steward)"],
    }
    assert mailed(sink) == {
        RUBEN: [
            "Haven: Aanvraag app-2026-0001, waarin u vermeld wordt, is ingediend",
            "Haven: Aanvraag app-2026-0001 is onvolledig: vul ze aan zodat erover beslist kan worden",
            "Haven: Aanvraag app-2026-0001 is aangevuld en opnieuw ingediend",
            "Haven: Aanvraag app-2026-0001 is goedgekeurd: de datavergunning is verleend",
            "Haven: Vergunning app-2026-0001 is actief: "
            "de gegevens staan klaar in de beveiligde verwerkingsomgeving",
            "Haven: Vergunning app-2026-0001 is ingetrokken: de gegevens mogen niet meer gebruikt worden",
        ],
        SAM: [
            "Haven: Application app-2026-0001 was submitted and is waiting for review",
            "Haven: Application app-2026-0001 was completed and resubmitted; it is waiting for review",
        ],
        SOFIA: [
            "Haven: Antrag app-2026-0001 wurde eingereicht und wartet auf Prüfung",
            "Haven: Antrag app-2026-0001 wurde ergänzt und erneut eingereicht; er wartet auf Prüfung",
        ],
        RITA: [
            "Haven: La demande app-2026-0001 est incomplète : "
            "complétez-la pour qu'une décision puisse être prise",
            "Haven: La demande app-2026-0001 a été approuvée : le permis d'accès aux données est accordé",
            "Haven: Le permis app-2026-0001 est actif : ses données sont prêtes "
            "dans l'environnement de traitement sécurisé",
            "Haven: Le permis app-2026-0001 a été révoqué : ses données ne peuvent plus être utilisées",
        ],
    }
    for message in sink.messages:
        assert f": {LINK}\n" in message.text and f"{PORTAL}/notifications\n" in message.text
        assert "Say which hospitals" not in message.text and "Breach" not in message.text
    assert sink.messages[0].message["From"] == "haven@localhost"
    assert sink.messages[0].text.startswith(
        "Aanvraag app-2026-0001, waarin u vermeld wordt, is ingediend.\n\n"
    )
    with unit_of_work(mailing) as store:
        assert all(
            n.mailed_at is not None for u in (RITA, RUBEN, SAM, SOFIA) for n in store.notifications_of(u)
        )


def test_rejections_refusals_and_expiry_notify_the_applicant(mailing: Settings, sink: SMTPSink) -> None:
    with unit_of_work(mailing) as store:
        rita = store.get_user(RITA)
        rejected = submit(store, rita, data_users=[RITA], now=SUBMITTED, application_id=FIRST)
        service.decide(
            store, store.get_user(SAM), rejected.application_id, approve=False, reason="Too much data."
        )
        submit(
            store,
            rita,
            data_users=[RITA],
            now=SUBMITTED,
            purpose={
                "category": "advertising",
                "summary": "Target advertisements for vitamins at people who bought them.",
            },
            organisation={"name": "Ads Ltd", "type": "company"},
            commercial=True,
            application_id="app-2026-0002",
        )
        expiring = submit(store, rita, data_users=[RITA], now=SUBMITTED, application_id="app-2026-0003")
        service.decide(
            store,
            store.get_user(SAM),
            expiring.application_id,
            approve=True,
            reason="Permitted purpose.",
            now=SUBMITTED,
        )
        assert service.expire_due(store, store.get_user(OTTO), now=SUBMITTED + timedelta(days=800)) == [
            "app-2026-0003"
        ]
    assert told(mailing)[RITA] == [
        "permit.expired (party)",
        "application.approved (party)",
        "application.refused (party)",
        "application.rejected (party)",
    ]
    assert mailed(sink)[RITA] == [
        "Haven: La demande app-2026-0001 a été refusée ; la décision en donne la raison",
        "Haven: La demande app-2026-0002 a été refusée d'emblée : sa finalité n'est pas autorisée",
        "Haven: La demande app-2026-0003 a été approuvée : le permis d'accès aux données est accordé",
        "Haven: Le permis app-2026-0003 a expiré : ses données ne peuvent plus être utilisées",
    ]


@pytest.fixture
def permit(mailing: Settings) -> str:
    """A permit in force naming the researcher and the second researcher."""
    with unit_of_work(mailing) as store:
        application = submit(
            store, store.get_user(RITA), data_users=[RITA, RUBEN], now=datetime.now(UTC) - timedelta(days=2)
        )
        service.decide(
            store,
            store.get_user(SAM),
            application.application_id,
            approve=True,
            reason="Permitted purpose.",
            now=datetime.now(UTC) - timedelta(days=1),
        )
        return application.application_id


def _request(settings: Settings, author: str, permit: str) -> str:
    with unit_of_work(settings) as store:
        request = releases.request_release(
            store,
            store.get_user(author),
            permit_id=permit,
            sql=SQL,
            result=RESULT,
            versions={"claims": 3},
            context=OutputContext(
                "Persons per kind of claim in 2025, everyone in the permit.",
                "Table 1 of the report on care use in 2025.",
            ),
        )
        return request.request_id


def _vote(settings: Settings, steward: str, request_id: str, approve: bool = True) -> None:
    with unit_of_work(settings) as store:
        releases.review(
            store, store.get_user(steward), request_id, approve=approve, reason=REASON, recheck=_passes
        )


def _passes(request: OutputRequest, at: datetime) -> ReleaseCheck:
    """Disclosure control run again finds the table unchanged (tests/spe/test_release_check.py
    runs the real check; here only who is told matters)."""
    return ReleaseCheck(CheckStatus.PASSED, 0, at)


def test_an_output_request_notifies_its_reviewers_then_its_author_of_review_and_decision(
    mailing: Settings, sink: SMTPSink, permit: str
) -> None:
    before = told(mailing)
    sink.messages.clear()
    released = _request(mailing, RITA, permit)
    assert (told(mailing)[SAM][0], told(mailing)[SOFIA][0]) == ("output.requested (steward)",) * 2
    _vote(mailing, SAM, released)
    _vote(mailing, SOFIA, released)
    rejected = _request(mailing, RUBEN, permit)
    _vote(mailing, SOFIA, rejected, approve=False)
    _vote(mailing, SAM, rejected)
    after = told(mailing)
    new = {user: after[user][: len(after[user]) - len(before.get(user, []))] for user in after}
    assert {user: found for user, found in new.items() if found} == {
        RITA: ["output.released (author)", "output.review_started (author)"],
        RUBEN: ["output.rejected (author)", "output.review_started (author)"],
        SAM: ["output.requested (steward)", "output.requested (steward)"],
        SOFIA: ["output.requested (steward)", "output.requested (steward)"],
    }
    assert mailed(sink) == {
        SAM: [
            f"Haven: Output release request {released} is waiting for review",
            f"Haven: Output release request {rejected} is waiting for review",
        ],
        SOFIA: [
            f"Haven: Freigabeantrag {released} für Ergebnisse wartet auf Prüfung",
            f"Haven: Freigabeantrag {rejected} für Ergebnisse wartet auf Prüfung",
        ],
        RITA: [
            f"Haven: L'examen de votre demande de sortie de résultats {released} a commencé",
            f"Haven: Votre résultat {released} a été libéré : vous pouvez le télécharger",
        ],
        RUBEN: [
            f"Haven: De beoordeling van uw vrijgaveverzoek {rejected} is begonnen",
            f"Haven: Uw vrijgaveverzoek {rejected} is afgewezen; de beoordelingen vermelden de redenen",
        ],
    }
    assert all(f"{PORTAL}/outputs/out-" in m.text for m in sink.messages)
    assert all(REASON not in m.text and SQL not in m.text for m in sink.messages)


def test_a_withdrawn_request_tells_the_stewards_who_were_told_of_it(mailing: Settings, permit: str) -> None:
    request_id = _request(mailing, RITA, permit)
    with unit_of_work(mailing) as store:  # the audit entry a withdrawal writes
        trail.append(store, actor=RITA, action="output.withdrawn", object_type="output", object_id=request_id)
    assert told(mailing)[SAM][0] == told(mailing)[SOFIA][0] == "output.withdrawn (steward)"
    assert told(mailing)[RITA][0] == "application.approved (party)"


def test_a_change_that_rolls_back_notifies_nobody_and_mails_nothing(
    mailing: Settings, sink: SMTPSink
) -> None:
    with pytest.raises(RuntimeError), unit_of_work(mailing) as store:
        submit(store, store.get_user(RITA), data_users=[RITA, RUBEN], now=SUBMITTED, application_id=FIRST)
        assert len(store.outbox) == 3  # made in the transaction, waiting for its commit
        raise RuntimeError("the command failed after the transition")
    assert told(mailing) == {} and sink.messages == []


def test_without_a_mail_server_notifications_stay_in_the_portal(
    mailing: Settings, sink: SMTPSink, caplog: pytest.LogCaptureFixture
) -> None:
    with unit_of_work(mailing.model_copy(update={"smtp_host": None})) as store:
        submit(store, store.get_user(RITA), data_users=[RITA, RUBEN], now=SUBMITTED, application_id=FIRST)
    with socket.socket() as closed:  # a port where nothing listens
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    caplog.set_level(logging.INFO)
    with unit_of_work(mailing.model_copy(update={"smtp_port": port})) as store:
        service.mark_incomplete(store, store.get_user(SAM), "app-2026-0001", "Say which hospitals.")
    assert sink.messages == []
    with unit_of_work(mailing) as store:
        assert [n.mailed_at for n in store.notifications_of(RUBEN)] == [None, None]
        assert store.get_application("app-2026-0001").state == "incomplete"
    assert "notifications.mail_failed error=ConnectionRefusedError unsent=2" in caplog.text
    assert "example.be" not in caplog.text


@pytest.fixture
def ruben_told(mailing: Settings) -> list[str]:
    """The second researcher's notifications: submission, then the request for more information."""
    with unit_of_work(mailing) as store:
        submit(store, store.get_user(RITA), data_users=[RITA, RUBEN], now=SUBMITTED, application_id=FIRST)
        service.mark_incomplete(
            store, store.get_user(SAM), "app-2026-0001", "Say which hospitals.", now=SUBMITTED
        )
        return [n.notification_id for n in store.notifications_of(RUBEN)]


def test_the_portal_lists_a_users_notifications_in_their_language(
    client: TestClient, ruben_told: list[str]
) -> None:
    sign_in(client, RUBEN)
    page = client.get("/notifications").text
    assert '<html lang="nl">' in page and "Meldingen (2 ongelezen)" in page
    assert (
        '<a href="/applications/app-2026-0001">Aanvraag app-2026-0001 is onvolledig: '
        "vul ze aan zodat erover beslist kan worden</a>"
    ) in page
    assert page.index("is onvolledig") < page.index("waarin u vermeld wordt")  # newest first
    assert f'action="/notifications/{ruben_told[0]}/read"' in page
    api = client.get("/api/notifications?lang=en").json()
    assert api["unread"] == 2
    assert [(n["id"], n["text"], n["link"], n["read"]) for n in api["notifications"]] == [
        (
            ruben_told[0],
            "Application app-2026-0001 is incomplete: complete it so that it can be decided",
            "/applications/app-2026-0001",
            False,
        ),
        (
            ruben_told[1],
            "Application app-2026-0001, which names you, was submitted",
            "/applications/app-2026-0001",
            False,
        ),
    ]
    account = client.get("/account").text
    assert "Ongelezen: 2 van 2." in account and "Aanvraag app-2026-0001 is onvolledig" in account


def test_a_user_sees_and_marks_only_their_own_notifications(
    client: TestClient, ruben_told: list[str]
) -> None:
    sign_in(client, SAM)
    page = client.get("/notifications").text
    assert (
        "Notifications (1 unread)" in page and "app-2026-0001 was submitted and is waiting for review" in page
    )
    assert ruben_told[0] not in page and "is incomplete" not in page
    token = csrf_token(client)
    for target in (ruben_told[0], "0" * 32):
        form = client.post(
            f"/notifications/{target}/read", data={"csrf_token": token}, follow_redirects=False
        )
        api = client.post(f"/api/notifications/{target}/read", headers={"x-csrf-token": token})
        assert (form.status_code, api.status_code) == (404, 404)
    assert client.post("/api/notifications/read", headers={"x-csrf-token": token}).json() == {
        "marked": 1,
        "unread": 0,
    }
    client.cookies.clear()
    sign_in(client, RUBEN)
    assert client.get("/api/notifications").json()["unread"] == 2


def test_marking_read_twice_keeps_the_first_time(
    client: TestClient, clock: Clock, ruben_told: list[str]
) -> None:
    sign_in(client, RUBEN)
    token = csrf_token(client)
    first = clock.now
    for _ in range(2):  # a double click, or the back button and the button again
        answer = client.post(
            f"/notifications/{ruben_told[0]}/read", data={"csrf_token": token}, follow_redirects=False
        )
        assert (answer.status_code, answer.headers["location"]) == (303, "/notifications")
        clock.advance(minutes=1)
    again = client.post(f"/api/notifications/{ruben_told[0]}/read", headers={"x-csrf-token": token}).json()
    assert again["read"] is True and datetime.fromisoformat(again["read_at"]) == first
    found = client.get("/api/notifications").json()
    assert found["unread"] == 1 and [n["read"] for n in found["notifications"]] == [True, False]
    everything = client.post("/notifications/read", data={"csrf_token": token}, follow_redirects=False)
    assert everything.headers["location"] == "/notifications?marked=1"
    assert "Als gelezen gemarkeerde meldingen: 1." in client.get(everything.headers["location"]).text
    assert (
        client.post("/notifications/read", data={"csrf_token": token}, follow_redirects=False).headers[
            "location"
        ]
        == "/notifications?marked=0"
    )
    assert client.get("/api/notifications").json()["unread"] == 0
