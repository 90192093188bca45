"""`haven optout add|withdraw|status` through the real command: exit codes, counts, no pid printed."""

from __future__ import annotations

import json

import pytest

from tests.catalog.test_cli_catalog import haven

PID = "TTP-cli-5e91c0"


@pytest.mark.parametrize("catalog_url", ["sqlite"], indirect=True)
def test_add_withdraw_status_never_print_the_pid(catalog_url: str) -> None:
    runs = [
        haven(
            "optout",
            "add",
            "--pid",
            PID,
            "--channel",
            "phone",
            "--agent",
            "agent-3",
            "--at",
            "2026-03-01T09:00:00+01:00",
        ),
        haven(
            "optout",
            "add",
            "--pid",
            PID,
            "--channel",
            "phone",
            "--agent",
            "agent-3",
            "--at",
            "2026-03-01T08:00:00Z",
        ),  # the same instant: a duplicate
        haven("optout", "add", "--pid", "TTP-cli-other", "--channel", "online"),
    ]
    assert [r.returncode for r in runs] == [0, 0, 0], [r.stderr for r in runs]
    assert runs[0].stdout.startswith("optout recorded as event 1 (phone)")
    assert runs[1].stdout == "optout already recorded: nothing changed\n"

    status = haven("optout", "status", "--json")
    assert json.loads(status.stdout) == {
        "persons_opted_out": 2,
        "events": 2,
        "events_by_channel": {"online": 1, "phone": 1, "desk": 0},
        "events_by_action": {"optout": 2, "withdrawal": 0},
    }
    withdrawn = haven(
        "optout",
        "withdraw",
        "--pid",
        PID,
        "--channel",
        "desk",
        "--agent",
        "desk-9",
        "--at",
        "2026-03-02T10:00:00Z",
    )
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert json.loads(haven("optout", "status", "--json").stdout)["persons_opted_out"] == 1
    text = haven("optout", "status")
    assert text.stdout == (
        "opt-outs in force: 1 persons\nevents: 3 (optout 2, withdrawal 1)\n"
        "by channel: online 1, phone 1, desk 1\n"
    )
    for run in [*runs, status, withdrawn, text]:
        assert PID not in run.stdout + run.stderr


@pytest.mark.parametrize("catalog_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--channel", "phone"), 1, "a phone request needs the agent id"),
        (("--channel", "online", "--agent", "a-1"), 1, "an online request has no agent"),
        (("--channel", "email"), 2, "'email' is not one of 'online', 'phone', 'desk'"),
        (("--channel", "online", "--at", "yesterday"), 2, "--at: not an ISO 8601 date-time"),
        (("--channel", "online", "--at", "2026-03-01T09:00"), 2, "--at: needs a time zone"),
    ],
)
def test_refused_events_exit_non_zero_and_record_nothing(
    catalog_url: str, args: tuple[str, ...], code: int, message: str
) -> None:
    result = haven("optout", "add", "--pid", PID, *args)
    assert (result.returncode, message in result.stderr) == (code, True), result.stderr
    assert PID not in result.stdout + result.stderr
    assert json.loads(haven("optout", "status", "--json").stdout)["events"] == 0
