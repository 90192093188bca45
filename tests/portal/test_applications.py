"""Permit applications on the portal, from both sides: the task list with save and come back,
per-field errors in the visitor's language, check your answers, submission through
``haven permit apply``'s service (one application however often it is sent), a prohibited
purpose refused with its legal reason, questions and answers, the decision and activation,
and the access state the catalogue then shows; a researcher never sees another's application."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from catalog.db.gateway import unit_of_work
from catalog.people import users
from catalog.people.domain import Role
from catalog.permits import drafts
from common.settings import Settings
from portal.applications.files import application_data
from tests.catalog.factories import SUBMITTED_AT
from tests.catalog.factories import submit as factory_submit
from tests.portal.application_steps import (
    ANSWERS,
    APPLICATION_FILE,
    RITA,
    fill,
    save,
    start_draft,
    steward_form,
    submit,
)
from tests.portal.conftest import ACCOUNTS, PASSWORD, csrf_token, sign_in

SAM = ACCOUNTS["steward"]


def test_the_whole_flow_from_draft_to_permit_in_force(client: TestClient, settings: Settings) -> None:
    sign_in(client, RITA)
    draft = start_draft(client)
    tasks = client.get(f"/applications/drafts/{draft}").text
    assert tasks.count("Not started") == 7 and "You have completed 0 of 7 sections." in tasks
    # Save and come back later: kept, in progress, even with a field not yet right.
    later = save(client, draft, "purpose", {"title": "Anti", "summary": "short"}, action="later")
    assert later.status_code == 303 and later.headers["location"] == f"/applications/drafts/{draft}"
    tasks = client.get(f"/applications/drafts/{draft}").text
    assert "In progress" in tasks and tasks.count("Not started") == 6
    assert 'value="Anti"' in client.get(f"/applications/drafts/{draft}/sections/purpose").text
    # Save and continue checks every field, in the visitor's language.
    wrong = save(client, draft, "purpose", {"title": "Anti", "summary": "short", "purpose": "x"})
    assert wrong.status_code == 400
    assert '<a href="#title">Write from 5 to 300 characters; you wrote 4.</a>' in wrong.text
    assert '<a href="#organisation_type">Choose one of the options.</a>' in wrong.text
    assert 'id="summary-error"' in wrong.text and 'aria-invalid="true"' in wrong.text
    fill(client, draft)
    check = client.get(f"/applications/drafts/{draft}/check").text
    assert "There is a problem" not in check and "Submit the application" in check
    first, second = submit(client, draft), submit(client, draft)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"].endswith("?submitted=1")
    application_id = first.headers["location"].split("/")[2].split("?")[0]
    assert second.headers["location"] == first.headers["location"]  # the same application
    with unit_of_work(settings) as store:
        assert [a.application_id for a in store.list_applications()] == [application_id]
        recorded = store.get_application(application_id)
    assert recorded.cohort_rules is not None and recorded.cohort_rules.codes[0].prefixes == ("7680",)
    assert recorded.disclosure is not None and recorded.disclosure.rounding_base == 5
    page = client.get(first.headers["location"]).text
    assert f"Your reference number is {application_id}." in page and "Submitted" in page
    assert "Decision due" in page and "2 June 2026" in page and "92 days left" in page

    # The steward asks for more information on the cohort.
    steward = TestClient(client.app)
    sign_in(steward, SAM)
    queue = steward.get("/review").text
    assert f'<a href="/review/{application_id}">{application_id}</a>' in queue
    assert "Showing 1 of 1 applications." in queue
    short = steward_form(steward, application_id, "ask", question="Which?", sections=["cohort"])
    assert (
        short.status_code == 400 and '<a href="#ask-question">Write at least 10 characters.</a>' in short.text
    )
    asked = steward_form(
        steward,
        application_id,
        "ask",
        question="Which hospitals do the day surgeries come from?",
        sections=["cohort"],
    )
    assert asked.status_code == 303
    again = steward_form(
        steward, application_id, "ask", question="Which hospitals exactly, please?", sections=["cohort"]
    )
    assert again.status_code == 303 and again.headers["location"].endswith("?changed=1")  # no second question
    page = client.get(f"/applications/{application_id}").text
    assert "More information asked" in page and "Which hospitals do the day surgeries come from?" in page
    assert "Sections asked about: Cohort rules" in page and "Which hospitals exactly" not in page
    # Asked on the clock's day (2 March 2026): four weeks to complete it.
    assert (
        "<dt>Complete by</dt><dd>30 March 2026: an application not completed within four weeks lapses" in page
    )
    # The researcher answers by editing the cohort and resubmits through the service.
    answer = client.post(
        f"/applications/{application_id}/answer",
        data={"draft_key": "k" * 43, "csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    amendment = answer.headers["location"].split("/")[-1]
    assert "Completed" in client.get(answer.headers["location"]).text
    edited = save(
        client, amendment, "cohort", {**ANSWERS["cohort"], "cohort": "Adults operated in Ghent in 2025"}
    )
    assert edited.status_code == 303
    resubmitted = submit(client, amendment)
    assert resubmitted.headers["location"] == f"/applications/{application_id}?submitted=1"
    # The steward starts the review, approves with a reason and activates the permit.
    assert steward_form(steward, application_id, "start").status_code == 303
    no_reason = steward_form(steward, application_id, "decide", decision="approve", reason="ok")
    assert no_reason.status_code == 400 and "Write at least 10 characters." in no_reason.text
    approved = steward_form(
        steward, application_id, "decide", decision="approve", reason="Permitted purpose, minimal data."
    )
    assert approved.status_code == 303
    assert steward_form(steward, application_id, "activate").status_code == 303
    with unit_of_work(settings) as store:
        final = store.get_application(application_id)
        moves = [(t.from_state.value, t.to_state.value) for t in store.transitions(application_id)]
    assert final.cohort_criteria == "Adults operated in Ghent in 2025" and final.state.value == "active"
    assert moves == [
        ("draft", "submitted"),
        ("submitted", "incomplete"),
        ("incomplete", "submitted"),
        ("submitted", "under_review"),
        ("under_review", "approved"),
        ("approved", "active"),
    ]
    catalogue = client.get("/datasets").text
    claims = catalogue.split('<a href="/datasets/claims">')[1].split("</li>")[0]
    assert '<p class="access access-in_force"><strong>Your access:</strong> Permit in force</p>' in claims
    mine = client.get(f"/applications/{application_id}").text
    assert "Permit in use" in mine and "Reason: Permitted purpose, minimal data." in mine


def test_the_answers_make_the_file_haven_permit_apply_reads() -> None:
    answers = {section: {"values": values, "complete": True} for section, values in ANSWERS.items()}
    assert application_data(answers, RITA) == APPLICATION_FILE


def test_a_prohibited_purpose_is_refused_at_once_with_its_legal_reason(
    client: TestClient, settings: Settings
) -> None:
    sign_in(client, RITA)
    draft = start_draft(client)
    fill(client, draft, purpose={"purpose": "employment_insurance_credit"})
    check = client.get(f"/applications/drafts/{draft}/check?lang=fr").text
    assert "Cette finalité est interdite." in check
    refused = submit(client, draft)
    page = client.get(refused.headers["location"] + "&lang=fr").text
    assert "Rejetée" in page
    assert (
        "Motif : Les décisions en matière d&#39;emploi, de primes d&#39;assurance ou de crédit "
        "sont interdites (EHDS art. 54, b))." in page
    )
    assert "are prohibited" not in page  # the English text of the service is not shown
    with unit_of_work(settings) as store:
        [application] = store.list_applications()
    assert application.state.value == "rejected" and application.decided_by == "system"
    api = client.get(f"/api/applications/{application.application_id}?lang=nl").json()
    assert api["decision_reason"] == (
        "Beslissingen over werk, verzekeringspremies of krediet zijn verboden (EHDS art. 54, b))."
    )


def test_field_errors_in_the_visitors_language(client: TestClient) -> None:
    sign_in(client, RITA)
    draft = start_draft(client)
    for lang, expected in (
        ("nl", '<a href="#end">De periode moet eindigen op of na haar begin.</a>'),
        ("de", '<a href="#end">Der Zeitraum muss an oder nach seinem Beginn enden.</a>'),
    ):
        client.cookies.set("haven_lang", lang, domain="testserver.local", path="/")
        with unit_of_work(client.app.state.portal.settings) as store:  # type: ignore[attr-defined]
            store.set_user_language(RITA, lang)
        wrong = save(
            client, draft, "period", {"start": "2025-06-01", "end": "2025-01-01", "duration_months": "99"}
        )
        assert wrong.status_code == 400 and expected in wrong.text
        assert f'<html lang="{lang}">' in wrong.text
    assert "Geben Sie eine ganze Zahl von 1 bis 60 ein." in wrong.text


def test_a_researcher_never_sees_another_researchers_application(
    client: TestClient, settings: Settings
) -> None:
    with unit_of_work(settings) as store:
        users.create_user(store, store.get_user("system"), "ruben@example.be", {Role.RESEARCHER}, PASSWORD)
        theirs = factory_submit(store, store.get_user("ruben@example.be"), data_users=["ruben@example.be"])
        draft = drafts.start(store, store.get_user("ruben@example.be"), "r" * 43, SUBMITTED_AT)
    sign_in(client, RITA)
    for path in (f"/applications/{theirs.application_id}", f"/applications/drafts/{draft.draft_id}"):
        assert client.get(path).status_code == 404
    assert client.get(f"/api/applications/{theirs.application_id}").status_code == 404
    assert client.get("/api/applications/app-2026-9999").status_code == 404  # the same answer
    assert client.get("/api/applications").json() == []
    assert theirs.application_id not in client.get("/applications").text


def test_a_steward_who_applied_is_told_another_steward_decides(
    client: TestClient, settings: Settings
) -> None:
    with unit_of_work(settings) as store:
        users.create_user(
            store, store.get_user("system"), "sofie@example.be", {Role.STEWARD, Role.RESEARCHER}, PASSWORD
        )
        own = factory_submit(store, store.get_user("sofie@example.be"), data_users=["sofie@example.be"])
    sign_in(client, "sofie@example.be")
    page = client.get(f"/review/{own.application_id}").text
    assert (
        "You made this application, so another steward decides on it." in page
        and "Record the decision" not in page
    )
    forced = client.post(
        f"/review/{own.application_id}/decide",
        data={
            "state": "submitted",
            "decision": "approve",
            "reason": "My own is fine.",
            "csrf_token": csrf_token(client),
        },
    )
    assert (
        forced.status_code == 409
        and "You made this application, so another steward decides on it." in forced.text
    )
    api = client.post(
        f"/api/applications/{own.application_id}/decision",
        json={"approve": True, "reason": "My own is fine."},
        headers={"x-csrf-token": csrf_token(client)},
    )
    assert api.status_code == 409
    with unit_of_work(settings) as store:
        assert store.get_application(own.application_id).state.value == "submitted"


def test_the_queue_puts_overdue_first_and_says_what_the_filter_hides(
    client: TestClient, settings: Settings
) -> None:
    with unit_of_work(settings) as store:
        rita = store.get_user(RITA)
        late = factory_submit(store, rita, data_users=[RITA], now=SUBMITTED_AT - timedelta(days=120))
        recent = factory_submit(store, rita, data_users=[RITA], title="A recent application")
    sign_in(client, SAM)
    queue = client.get("/review").text
    assert queue.index(late.application_id) < queue.index(recent.application_id)
    assert "overdue by" in queue and "Showing 2 of 2 applications." in queue
    filtered = client.get("/review?overdue=1").text
    assert "Showing 1 of 2 applications." in filtered and recent.application_id not in filtered
    assert "1 applications hidden by the filter:" in filtered and '<a href="/review">show all</a>' in filtered
    words = client.get("/review?q=recent").text
    assert recent.application_id in words and late.application_id not in words


def test_the_api_submits_once_per_idempotency_key(client: TestClient, settings: Settings) -> None:
    sign_in(client, RITA)
    headers = {"x-csrf-token": csrf_token(client), "idempotency-key": "i" * 43}
    first = client.post("/api/applications", json=APPLICATION_FILE, headers=headers)
    second = client.post("/api/applications", json=APPLICATION_FILE, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"] and first.json()["state"]["code"] == "submitted"
    wrong = client.post(
        "/api/applications",
        json={**APPLICATION_FILE, "data_users": [RITA, "nobody@example.be"]},
        headers={**headers, "idempotency-key": "j" * 43},
    )
    assert wrong.status_code == 422
    assert wrong.json()["problems"] == [
        {
            "place": "data_users[1]",
            "code": "unknown_user",
            "message": "A data user has no account on the platform.",
        }
    ]
    with unit_of_work(settings) as store:
        assert store.count_applications() == 1
