"""The audit log for stewards and operators: filters that always say how many entries they
hide, pages of 50, the details as stored, and the hash chain verified on the page as
``haven audit verify`` does (intact with its head and count, or BROKEN at the first bad entry)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import text, update
from starlette.testclient import TestClient

from catalog.audit import trail
from catalog.db.engine import open_catalog
from catalog.db.gateway import unit_of_work
from catalog.db.models import AuditRow
from common.settings import Settings
from tests.portal.conftest import ACCOUNTS, sign_in

OTTO, SAM = ACCOUNTS["operator"], ACCOUNTS["steward"]
PUBLISHED = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
REVOKED = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)


def _fill(settings: Settings) -> int:
    """55 publications of claims by the operator on 1 March, 5 revocations by the steward on
    5 March; returns how many entries the log holds then."""
    with unit_of_work(settings) as store:
        for version in range(55):
            trail.append(
                store,
                actor=OTTO,
                action="dataset.published",
                object_type="dataset",
                object_id="claims",
                details={"version": version, "rows": 1000 + version, "versions": [f"claims@{version}"]},
                at=PUBLISHED,
            )
        for n in range(5):
            trail.append(
                store,
                actor=SAM,
                action="permit.revoked",
                object_type="application",
                object_id=f"app-{n}",
                at=REVOKED,
            )
        return len(store.audit_entries())


def _hidden(html: str) -> str | None:
    found = re.search(r'<p class="hidden-count"><strong>([^<]+)</strong>', html)
    return None if found is None else found.group(1)


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr>\s*<th scope="row">(\d+)</th>', html)


def test_filters_say_how_many_entries_they_hide_and_pages_hold_fifty(
    client: TestClient, settings: Settings
) -> None:
    sign_in(client, SAM)
    total = _fill(settings)
    unfiltered = client.get("/audit").text
    assert _hidden(unfiltered) is None
    assert f"Showing entries 1 to 50 of {total}, newest first." in unfiltered
    published = client.get("/audit?action=dataset.published").text
    assert _hidden(published) == f"{total - 55} of the {total} entries are hidden by the filters."
    assert "Showing entries 1 to 50 of 55, newest first." in published
    assert len(_rows(published)) == 50
    assert '<a href="/audit?action=dataset.published&amp;page=2" rel="next">Older entries</a>' in published
    second = client.get("/audit?action=dataset.published&page=2").text
    assert "Showing entries 51 to 55 of 55, newest first." in second and len(_rows(second)) == 5
    assert _hidden(second) == f"{total - 55} of the {total} entries are hidden by the filters."
    # Newest first: the last publication (version 54) heads page 1, the first (version 0) ends page 2.
    assert "<code>version</code>: 54" in published.split("</tr>")[1]
    assert "<code>version</code>: 0" in second.split("</tr>")[-2]
    revoked = client.get(f"/audit?actor={SAM}&start=2026-03-05&end=2026-03-05").text
    assert "Showing entries 1 to 5 of 5, newest first." in revoked
    assert _hidden(revoked) == f"{total - 5} of the {total} entries are hidden by the filters."
    nothing = client.get("/audit?object_type=application&object_id=app-9").text
    assert "No entry matches the filters." in nothing
    assert _hidden(nothing) == f"{total} of the {total} entries are hidden by the filters."


def test_the_api_gives_the_same_page_and_counts(client: TestClient, settings: Settings) -> None:
    sign_in(client, OTTO)
    total = _fill(settings)
    found = client.get("/api/audit", params={"object_type": "application", "start": "2026-03-02"}).json()
    assert (found["total"], found["matching"], found["hidden"], found["pages"]) == (total, 5, total - 5, 1)
    assert [e["object_id"] for e in found["entries"]] == ["app-4", "app-3", "app-2", "app-1", "app-0"]
    assert found["filters"]["start"] == "2026-03-02" and found["chain"]["intact"] is True
    page = client.get("/api/audit", params={"action": "dataset.published", "page": 2}).json()
    assert [e["details"]["version"] for e in page["entries"]] == [4, 3, 2, 1, 0]
    assert page["entries"][0]["details"] == {"version": 4, "rows": 1004, "versions": ["claims@4"]}


def test_details_are_shown_as_stored(client: TestClient, settings: Settings) -> None:
    sign_in(client, SAM)
    _fill(settings)
    html = client.get("/audit?action=dataset.published&page=2").text
    row = next(r for r in html.split("</tr>") if "<code>version</code>: 3<" in r)
    assert "<li><code>rows</code>: 1003</li>" in row and "<li><code>versions</code>: claims@3</li>" in row
    assert f"<td>{OTTO}</td>" in row and "dataset <code>claims</code>" in row


def test_invalid_filters_are_listed_at_the_top_with_links_to_their_fields(client: TestClient) -> None:
    sign_in(client, SAM)
    page = client.get("/audit?start=2026-13-01&expected_head=abc&actor=" + "x" * 121)
    assert page.status_code == 400
    assert '<a href="#start">Enter the date as year-month-day, for example 2026-03-02.</a>' in page.text
    assert '<a href="#expected_head">Enter the head as 64 hexadecimal characters (0-9, a-f).</a>' in page.text
    assert '<a href="#actor">Enter at most 120 characters.</a>' in page.text
    assert 'id="start" name="start" type="text" value="2026-13-01"' in page.text
    assert 'aria-invalid="true"' in page.text and "Correct the filters above to see the entries." in page.text
    order = client.get("/audit?start=2026-03-05&end=2026-03-01&lang=fr")
    assert order.status_code == 400
    assert (
        '<a href="#end">La date de fin doit être la date de début ou une date ultérieure.</a>' in order.text
    )
    api = client.get("/api/audit?end=soon", headers={"accept-language": "de"})
    assert api.status_code == 422
    assert api.json()["errors"] == [
        {
            "loc": ["query", "end"],
            "msg": "Geben Sie das Datum als Jahr-Monat-Tag ein, zum Beispiel 2026-03-02.",
        }
    ]


def test_an_intact_chain_shows_its_head_and_count(client: TestClient, settings: Settings) -> None:
    sign_in(client, OTTO)
    total = _fill(settings)
    with unit_of_work(settings) as store:
        head = trail.verify(store).head
    page = client.get("/audit").text
    assert f"<strong>Intact.</strong> {total} entries verified." in page
    assert f'<code class="hash">{head}</code>' in page
    given = client.get(f"/audit?expected_head={head}").text
    assert "The head is the one you gave." in given
    other = client.get("/audit?expected_head=" + "0" * 64).text
    assert "<strong>BROKEN.</strong> The last entry is not the head you gave" in other
    assert client.get("/api/audit/verification").json() == {
        "intact": True,
        "entries": total,
        "stored": total,
        "head": head,
        "cause": None,
        "first_bad": None,
        "message": None,
        "expected_head": None,
    }


@pytest.fixture
def tampered(settings: Settings) -> int:
    """Someone with the database's administrator rights drops the append-only trigger and
    changes the actor of entry 2 (as tests/catalog/test_status.py does)."""
    total = _fill(settings)
    engine = open_catalog(settings).engine
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        connection.execute(
            text(
                "DROP TRIGGER audit_log_append_only ON audit_log"
                if postgres
                else "DROP TRIGGER audit_log_no_update"
            )
        )
        connection.execute(update(AuditRow).where(AuditRow.seq == 2).values(actor="mallory"))
    return total


def test_a_tampered_chain_is_shown_broken_at_the_first_bad_entry(client: TestClient, tampered: int) -> None:
    sign_in(client, SAM)  # signing in appends one more entry, after the broken one
    total = tampered + 1
    page = client.get("/audit").text
    broken = page.split('<div class="chain chain-broken" role="alert">')[1].split("</div>")[0]
    assert "<strong>BROKEN.</strong> Entry 2 was altered: its hash does not match its content." in broken
    assert "First bad entry: number 2." in broken
    assert f"Entries verified good before it: 1 of {total}." in broken
    assert "Intact." not in page
    french = client.get("/audit?lang=fr").text
    assert "<strong>ROMPUE.</strong> L&#39;entrée 2 a été modifiée" in french
    chain = client.get("/api/audit/verification").json()
    assert (chain["intact"], chain["cause"], chain["first_bad"], chain["entries"], chain["stored"]) == (
        False,
        "altered",
        2,
        1,
        total,
    )
    assert chain["message"] == "Entry 2 was altered: its hash does not match its content."
