"""The thin path end to end, through the real `haven` command: `haven demo` (generate,
pipeline on Airflow dag.test, Spark and Delta, the demo permit, queries), then a DuckDB query
in the SPE checked against the input files; `haven status`; an opt-out by phone and the same
delivery again, after which nothing holds the person; a broken delivery stopped by the gate;
every other command's --help example on the same instance; and every file the commands wrote
is owner-only, though they started with a permissive umask.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from deltalake import DeltaTable
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT

from catalog.datasets.descriptions import SOURCES_DIR
from cli.catalog_commands import demo_citizen_pids
from common.settings import PROJECT_ROOT, Settings
from pseudonymisation import pseudonym_of
from tests.e2e.test_help_examples import NOT_RUN, ORDER, examples
from tests.lake_scan import files_containing, readable_versions_containing, sqlite_cells_containing

pytestmark = pytest.mark.slow(minutes=20)

HAVEN = [sys.executable, "-m", "cli"]
# An application's or an output request's id (catalog.references).
REFERENCE = re.compile(r"\b(app|out)-\d{4}-[2-9a-z]{10}\b")
SQL = (
    "SELECT provider_type, count(DISTINCT person_id) AS persons, count(*) AS claims, "
    "sum(amount_reimbursed) AS reimbursed FROM claims GROUP BY provider_type ORDER BY provider_type"
)


def haven(
    home: Path, *args: str, cwd: Path | None = None, **settings: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "HAVEN_"))}
    env["HAVEN_HOME"] = str(home)
    env.update({f"HAVEN_{name.upper()}": value for name, value in settings.items()})
    env["HAVEN_SPARK_MASTER"] = "local[2]"
    # The test session's own umask may already be private (the shared Spark fixture sets it);
    # the command must keep its state owner-only starting from the usual 022.
    return subprocess.run(
        [*HAVEN, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
        preexec_fn=lambda: os.umask(0o022),
    )


def expected_from_input(landing: Path) -> tuple[list[dict[str, str]], set[str]]:
    """Claims rows and opted-out pids, computed from the CSV files without Haven's code."""
    with (landing / "optout.csv").open() as handle:
        events = sorted(csv.DictReader(handle), key=lambda e: (e["event_time"], e["action"] == "optout"))
    latest: dict[str, str] = {}
    for event in events:
        latest[event["pid"]] = event["action"]
    opted_out = {pid for pid, action in latest.items() if action == "optout"}
    with (landing / "claims.csv").open() as handle:
        claims = list(csv.DictReader(handle))
    return claims, opted_out


# The demo permit's datasets and the column that dates their rows (its period is 2025).
DEMO_DATES = {"claims": "service_date", "pharmacy": "delivery_date", "hospital_stays": "admission_date"}


def permit_rows(landing: Path, excluded: set[str]) -> dict[str, int]:
    """Rows of each demo permit dataset, counted from the CSV files: 2025, nobody excluded."""
    counts = {}
    for source, column in DEMO_DATES.items():
        with (landing / f"{source}.csv").open() as handle:
            counts[source] = sum(
                1 for r in csv.DictReader(handle) if r["pid"] not in excluded and r[column].startswith("2025")
            )
    return counts


def test_demo_pipeline_query_match_the_input_then_every_example(tmp_path: Path) -> None:
    # The trusted third party's drop folder is not Haven's state: outside HAVEN_HOME here.
    home, landing = tmp_path / "var", tmp_path / "landing"
    # A new instance holds no permit and no dataset: the demonstration's permit cannot be
    # loaded before the pipeline published its datasets.
    early = haven(home, "catalog", "seed-demo")
    assert early.returncode == 1 and "not in the catalogue yet" in early.stderr

    # `haven demo` as its --help example says: generate into the landing folder, the
    # pipeline, the demonstration permit, its build and two queries.
    (demo_example,) = examples()["demo"]
    demo = haven(home, *shlex.split(demo_example)[1:], cwd=tmp_path, landing_dir=str(landing))
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "4/4 querying permit demo-permit in the SPE as researcher@demo" in demo.stdout
    # It ends by saying how to reach the web portal, whose demo accounts it printed.
    assert "Web portal: run `haven serve`" in demo.stdout and "\n  researcher@demo " in demo.stdout
    claims, opted_out = expected_from_input(landing)
    assert opted_out, "the seed must produce at least one opt-out"
    (report_file,) = (home / "runs").glob("*.json")
    report = json.loads(report_file.read_text())
    # Not on a terminal, the progress comes as plain lines on stderr: each step with its rows.
    for source, figures in report["sources"].items():
        steps = (
            [("opt-out registry", figures["read"])]
            if source == "optout"
            else [("bronze", figures["read"]), ("silver", figures["read"]), ("catalogue", figures["loaded"])]
        )
        for stage, rows in steps:
            assert f"\n  {stage} {source}: {rows:,} rows, done in " in demo.stderr, (stage, source)
    assert "\n  quality claims: done in " in demo.stderr and "\n  vacuum lake: done in " in demo.stderr
    # Each of the seven silver tables is now a catalogue dataset at its first version.
    exported = haven(home, "catalog", "export", "--format", "turtle")
    graph = Graph().parse(data=exported.stdout, format="turtle")
    catalogue = URIRef("https://haven.example.be/catalogue")
    assert len(set(graph.objects(catalogue, DCAT.dataset))) == 7
    for source, figures in report["sources"].items():
        if source != "optout":
            assert figures["catalogue"] == {"published": True, "version": 1}, source
    shown = json.loads(haven(home, "catalog", "show", "claims", "--json").stdout)
    assert shown["metadata"]["number_of_records"] == report["sources"]["claims"]["loaded"]
    assert [v["version"] for v in shown["versions"]] == [1]

    # The demo loaded and built the permit; `haven pipeline publish` rebuilds it the same.
    built = haven(home, "pipeline", "publish", "--json")
    assert built.returncode == 0, built.stderr[-3000:]
    kept = [c for c in claims if c["pid"] not in opted_out and c["service_date"].startswith("2025")]
    dropped = [c for c in claims if c["pid"] in opted_out]
    assert report["sources"]["claims"] | {"extract_file": "", "bronze_version": 0} == {
        "extract_file": "",
        "bronze_version": 0,
        "read": len(claims),
        "loaded": len(claims) - len(dropped),
        "quarantined": 0,
        "dropped_by_optout": len(dropped),
        "persons_dropped_by_optout": len({c["pid"] for c in dropped}),
        "held_by_gate": 0,
        "quality": report["sources"]["claims"]["quality"],
        "quality_passed": True,
        "catalogue": {"published": True, "version": 1},
    }
    assert report["sources"]["claims"]["quality"].startswith("claims: passed (")
    assert json.loads(built.stdout)["permits"] == {"demo-permit": permit_rows(landing, opted_out)}
    rows_built = sum(permit_rows(landing, opted_out).values())
    assert f"\n  permit build demo-permit: {rows_built:,} rows, done in " in built.stderr
    assert permit_rows(landing, opted_out)["claims"] == len(kept)

    result = haven(home, "query", "--permit", "demo-permit", "--as", "researcher@demo", "--json", SQL)
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout)
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    for c in kept:
        groups[c["provider_type"]].append(c)
    assert answer["status"] == "ok"
    assert answer["columns"] == ["provider_type", "persons", "claims", "reimbursed"]
    # Disclosure control: groups of fewer than 10 persons leave no row; a row whose cells
    # are suppressed (secondary suppression) is listed in `suppressed`; every other row is
    # released exactly as computed from the input.
    expected = {
        ptype: [
            ptype,
            len({c["pid"] for c in rows}),
            len(rows),
            str(sum(Decimal(c["amount_reimbursed"]) for c in rows)),
        ]
        for ptype, rows in groups.items()
        if len({c["pid"] for c in rows}) >= 10
    }
    released = {row[0]: row for row in answer["rows"]}
    assert sorted(released) == sorted(expected)
    suppressed_rows = {entry["row"] for entry in answer["suppressed"]}
    for index, row in enumerate(answer["rows"]):
        if index in suppressed_rows:
            assert None in row[1:]
        else:
            assert row == expected[row[0]]
    assert len(suppressed_rows) < len(answer["rows"]) / 2

    # The permit holds permit pseudonyms of exactly the people kept, and nothing else.
    settings = Settings(home=home)
    permit_ids = set(
        DeltaTable(str(settings.lake / "permits" / "demo-permit" / "claims"))
        .to_pyarrow_table(columns=["person_id"])
        .column("person_id")
        .to_pylist()
    )
    assert permit_ids == {pseudonym_of(p, "demo-permit", settings) for p in {c["pid"] for c in kept}}

    # Every extract reached silver: each reconciles with its file, and no silver table holds
    # anyone whose opt-out is in force; notes reach silver de-identified.
    excluded = {pseudonym_of(p, "platform", settings) for p in opted_out}
    for source in (
        "population",
        "claims",
        "pharmacy",
        "hospital_stays",
        "lab_results",
        "clinical_notes",
        "wellness",
    ):
        figures = report["sources"][source]
        with (landing / f"{source}.csv").open() as handle:
            assert figures["read"] == sum(1 for _ in csv.DictReader(handle))
        assert figures["quality_passed"] and figures["quarantined"] == 0
        assert figures["read"] == figures["loaded"] + figures["dropped_by_optout"]
        table = DeltaTable(str(settings.lake / "silver" / source)).to_pyarrow_table()
        assert table.num_rows == figures["loaded"]
        assert not excluded & set(table.column("person_id").to_pylist())
    notes = DeltaTable(str(settings.lake / "silver" / "clinical_notes")).to_pyarrow_table()
    texts = " ".join(notes.column("text").to_pylist())
    assert "<PERSON>" in texts and "<NISS>" in texts

    # `haven status` tells where the instance stands, from the catalogue, the Delta logs and
    # Airflow's runs: each figure checked against what the commands above said or the input.
    status = json.loads(haven(home, "status", "--json").stdout)
    head = json.loads(haven(home, "audit", "verify", "--json").stdout)
    runs = {r["dag_id"]: (r["run_id"], r["state"]) for r in status["dags"]}
    assert runs == {
        "haven_ingest": (report["run_id"], "success"),
        "haven_publish": (json.loads(built.stdout)["run_id"], "success"),
        "haven_optout": (None, None),
    }
    assert {t["name"]: (t["version"], t["rows"]) for t in status["silver"]} == {
        source: (1, figures["loaded"]) for source, figures in report["sources"].items() if source != "optout"
    }
    assert (status["permits_in_force"], status["optouts_in_force"]) == (["demo-permit"], len(opted_out))
    assert (status["applications_pending"], status["releases_pending"]) == (0, 0)
    assert (status["audit_entries"], status["audit_head"], status["audit_intact"]) == (
        head["entries"],
        head["head"],
        True,
    )
    assert status["lake_bytes"] == sum(p.stat().st_size for p in settings.lake.rglob("*") if p.is_file())

    # No pid of the input appears in anything the commands printed or logged.
    printed = demo.stdout + demo.stderr + result.stdout + result.stderr + built.stderr
    logged = "".join(p.read_text(errors="replace") for p in home.rglob("*.log"))
    pids = {c["pid"] for c in claims}
    assert not [p for p in pids if p in printed or p in logged]

    # A person of the permit opts out by phone; the same delivery comes again. The run
    # neither loses nor doubles anyone else's rows, and afterwards nothing under HAVEN_HOME
    # (lake, catalogue, run reports, Airflow's database and logs) holds anyone whose opt-out
    # is in force under any identifier, except the registry's record of the opt-out, and no
    # Delta version that can still be read does (tests/integration/test_erasure_through_dags.py
    # does the same through the DAGs one by one).
    person = sorted({c["pid"] for c in kept})[0]
    added = haven(home, "optout", "add", "--pid", person, "--channel", "phone", "--agent", "agent-7")
    assert added.returncode == 0, added.stderr[-2000:]
    # This time the wellness description lost its German title: that dataset keeps its
    # previous catalogue entry, and the run report says why; the others are published.
    descriptions = tmp_path / "descriptions"
    shutil.copytree(SOURCES_DIR, descriptions)
    wellness = descriptions / "wellness.yaml"
    wellness.write_text(
        wellness.read_text().replace("  de: Von Personen selbst erfasste Wellnessdaten\n", "")
    )
    # The same delivery again, as `haven pipeline run`'s example runs it (with --json).
    (run_example,) = examples()["pipeline run"]
    again = haven(
        home,
        *shlex.split(run_example)[1:],
        "--json",
        dataset_descriptions=str(descriptions),
        landing_dir=str(landing),
    )
    assert again.returncode == 0, again.stderr[-3000:]
    second = json.loads(again.stdout)
    assert second["sources"]["wellness"]["catalogue"] == {
        "published": False,
        "kept_previous": True,
        "reason": "wellness.yaml: title.de: Field required",
    }
    assert second["sources"]["claims"]["catalogue"]["published"] is True
    shown = {
        name: json.loads(haven(home, "catalog", "show", name, "--json").stdout)
        for name in ("wellness", "claims")
    }
    assert len(shown["claims"]["versions"]) == 2 and len(shown["wellness"]["versions"]) == 1
    assert shown["wellness"]["metadata"]["title"]["de"] == "Von Personen selbst erfasste Wellnessdaten"
    theirs = [c for c in claims if c["pid"] == person]
    assert second["permits"] == {"demo-permit": permit_rows(landing, opted_out | {person})}
    assert second["permits"]["demo-permit"]["claims"] == len(kept) - sum(
        c["service_date"].startswith("2025") for c in theirs
    )
    assert second["permits_vacuumed"]["demo-permit"]["claims"]["earlier_versions"] == "removed"
    silver = DeltaTable(str(settings.lake / "silver" / "claims")).to_pyarrow_table()
    assert silver.num_rows == len(claims) - len(dropped) - len(theirs)
    out = sorted(opted_out | {person})
    needles = [
        i
        for pid in out
        for i in (pid, pseudonym_of(pid, "platform", settings), pseudonym_of(pid, "demo-permit", settings))
    ]
    assert files_containing(home, needles) == {pid: ["catalog.db"] for pid in out}
    # The registry keeps the pid to honour the opt-out; a demo citizen's account keeps the link
    # to its person, which lets the citizen see and withdraw their own opt-out.
    words = shlex.split(demo_example)
    linked = set(demo_citizen_pids(*(int(words[words.index(o) + 1]) for o in ("--people", "--seed"))))
    registry = {
        pid: ["citizen_links.pid", "optout_events.pid"] if pid in linked else ["optout_events.pid"]
        for pid in out
    }
    found = sqlite_cells_containing(home / "catalog.db", needles)
    assert {pid: sorted(where) for pid, where in found.items()} == registry
    assert readable_versions_containing(settings.lake, needles) == {}

    # A broken delivery (a tenth of the rows unparseable) is stopped by the quality gate:
    # the run fails, the rows are held or quarantined, and the previous silver stays.
    broken = tmp_path / "broken"
    broken.mkdir()
    lines = (landing / "claims.csv").read_text().splitlines()
    damaged = [line if i % 10 else line.replace(",", ";") for i, line in enumerate(lines[1:], 1)]
    (broken / "claims.csv").write_text("\n".join([lines[0], *damaged]) + "\n")
    silver_before = DeltaTable(str(settings.lake / "silver" / "claims")).to_pyarrow_table()
    stopped = haven(home, "pipeline", "run", "--landing", str(broken), "--json")
    assert stopped.returncode == 1
    assert (
        "failed the quality gate: claims: 1 critical expectation(s) failed: "
        "expect_column_values_to_be_null(_reject_reason)" in stopped.stderr
    )
    held = json.loads(stopped.stdout)["sources"]["claims"]
    intact = [line for line in damaged if ";" not in line]
    malformed = len(damaged) - len(intact)
    # The rows of people whose opt-out is in force never entered the lake: not held either.
    theirs = sum(1 for row in csv.DictReader([lines[0], *intact]) if row["pid"] in out)
    assert theirs
    assert (
        held["read"],
        held["quarantined"],
        held["dropped_by_optout"],
        held["held_by_gate"],
        held["loaded"],
    ) == (len(damaged), malformed, theirs, len(damaged) - malformed - theirs, 0)
    silver_after = DeltaTable(str(settings.lake / "silver" / "claims")).to_pyarrow_table()
    order = [(name, "ascending") for name in silver_before.column_names]
    assert silver_after.sort_by(order).equals(silver_before.sort_by(order))

    # Every other command's --help example works on this instance, in an order a user could
    # follow, from a folder that holds the repository's catalog/examples (NOT_RUN says which
    # examples do not run here and why). Application and request ids are random: an example's
    # id stands for the one the example that made it printed, as a user would copy it.
    (tmp_path / "catalog").symlink_to(PROJECT_ROOT / "catalog", target_is_directory=True)
    printed_by: dict[str, str] = {}
    made: dict[str, str] = {}  # kind ("app", "out") -> the id its example printed
    for command in ORDER:
        if command in NOT_RUN:
            continue
        for line in examples()[command]:
            line = REFERENCE.sub(lambda m: made[m.group(1)], line)
            done = haven(home, *shlex.split(line)[1:], cwd=tmp_path)
            assert done.returncode == 0, (line, done.stderr[-3000:])
            printed_by[command] = done.stdout
            if command in ("permit apply", "output request"):
                found = REFERENCE.search(done.stdout)
                assert found is not None, (line, "printed no id")
                made[found.group(1)] = found.group(0)
    # The count the query example printed is the one the released output holds.
    counted = printed_by["query"].splitlines()[2].strip()
    assert counted.isdigit() and int(counted) > 0
    with (tmp_path / "released.csv").open() as handle:
        assert list(csv.reader(handle)) == [["n"], [counted]]
    assert f"{made['out']} submitted" in printed_by["output request"]

    # Everything the commands wrote under HAVEN_HOME is owner-only; every kind of state was
    # written, so an empty walk cannot pass.
    paths = [home, *home.rglob("*")]
    names = {p.relative_to(home).as_posix() for p in paths}
    assert {
        "airflow/airflow.db",
        "catalog.db",
        "keys/platform/CURRENT",
        "logs/haven.log",
        "lake/silver/claims/_delta_log/00000000000000000000.json",
        "spe/demo-permit.releases.sqlite",
    } <= names
    assert any(n.startswith("runs/") for n in names) and any(n.startswith("quality/") for n in names)
    assert any(n.endswith(".parquet.crc") for n in names)
    offenders = sorted(
        f"{oct(stat.S_IMODE(p.lstat().st_mode))} {p.relative_to(home).as_posix()}"
        for p in paths
        if p.lstat().st_mode & 0o077
    )
    assert not offenders, f"{len(offenders)} of {len(paths)} paths readable by others:\n" + "\n".join(
        offenders[:50]
    )
