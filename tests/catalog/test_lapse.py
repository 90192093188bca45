"""An application asked for more information lapses when not completed within four weeks
(EHDS Art 68): the sweep the publish DAG runs rejects it with the reason and tells the
applicant; one completed in time, or asked again later, does not lapse."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from catalog.db.gateway import unit_of_work
from catalog.errors import NotAuthorised
from catalog.permits import service
from catalog.permits.policies import COMPLETION_WINDOW, LAPSED_REASON
from catalog.permits.vocabulary import PermitState
from common.settings import Settings
from jobs.publishing import sweep
from tests.catalog.factories import SUBMITTED_AT, make_world, submit

ASKED = SUBMITTED_AT + timedelta(days=3)


def asked_for_more(settings: Settings) -> tuple[str, str]:
    """Two applications marked incomplete at ``ASKED``; the second is completed a week later."""
    with unit_of_work(settings) as store:
        people = make_world(store)
        ids = [submit(store, people["rita"], title=f"Study {n}").application_id for n in (1, 2)]
        for application_id in ids:
            service.mark_incomplete(store, people["sam"], application_id, "Say which hospitals.", now=ASKED)
        service.resubmit(store, people["rita"], ids[1], now=ASKED + timedelta(days=7))
    return ids[0], ids[1]


def test_an_application_lapses_four_weeks_after_the_request_not_before(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HAVEN_HOME", str(tmp_path))
    waiting, completed = asked_for_more(settings)
    assert sweep(settings, now=ASKED + COMPLETION_WINDOW - timedelta(seconds=1)) == {}
    with unit_of_work(settings) as store:
        assert store.get_application(waiting).state is PermitState.INCOMPLETE

    sweep(settings, now=ASKED + COMPLETION_WINDOW)
    with unit_of_work(settings) as store:
        lapsed = store.get_application(waiting)
        assert (lapsed.state, lapsed.decision_reason, lapsed.decided_by) == (
            PermitState.REJECTED,
            LAPSED_REASON,
            "system",
        )
        assert lapsed.decided_at == ASKED + COMPLETION_WINDOW
        assert store.get_application(completed).state is PermitState.SUBMITTED
        last = store.transitions(waiting)[-1]
        assert (last.from_state, last.to_state, last.reason) == (
            PermitState.INCOMPLETE,
            PermitState.REJECTED,
            LAPSED_REASON,
        )
        entry = store.audit_entries()[-1]
        assert (entry.actor, entry.action, entry.object_id) == ("system", "application.lapsed", waiting)
        told = [(n.action, n.object_id) for n in store.notifications_of("rita")]
        assert ("application.lapsed", waiting) in told


def test_the_window_starts_again_at_each_request_for_more_information(settings: Settings) -> None:
    with unit_of_work(settings) as store:
        people = make_world(store)
        application_id = submit(store, people["rita"]).application_id
        service.mark_incomplete(store, people["sam"], application_id, "Say which hospitals.", now=ASKED)
        service.resubmit(store, people["rita"], application_id, now=ASKED + timedelta(days=20))
        again = ASKED + timedelta(days=25)
        service.mark_incomplete(store, people["sam"], application_id, "And which years.", now=again)
        assert service.lapse_due(store, people["otto"], now=ASKED + COMPLETION_WINDOW) == []
        assert service.lapse_due(store, people["otto"], now=again + COMPLETION_WINDOW) == [application_id]
        with pytest.raises(NotAuthorised):
            service.lapse_due(store, people["rita"], now=again + COMPLETION_WINDOW)
