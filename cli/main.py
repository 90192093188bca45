"""The ``haven`` command: every operation from a terminal.

Commands translate arguments into calls of the libraries below and turn Haven's errors
into exit codes; they decide nothing themselves.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.catalog_commands import audit_app, catalog_app, demo_citizen_pids, permit_app, print_demo_passwords
from cli.indicator_commands import indicator_app
from cli.optout_commands import optout_app
from cli.output_commands import output_app
from cli.progress import showing
from cli.render import print_table as _print_table
from cli.spe_commands import spe_app
from cli.stack_commands import stack_app
from cli.user_commands import user_app
from common import progress
from common.errors import HavenError
from common.files import make_private
from common.logging import configure_logging, describe_exception
from common.settings import Settings, get_settings, reset_settings

if TYPE_CHECKING:
    from cli.airflow_runner import PipelineOutcome

# Known, harmless warnings of pinned dependencies; they would only bury Haven's output.
warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")

app = typer.Typer(
    help="Haven: secure secondary use of health data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
pipeline_app = typer.Typer(help="Run the data pipeline.", no_args_is_help=True)
app.add_typer(pipeline_app, name="pipeline")
app.add_typer(permit_app, name="permit")
app.add_typer(catalog_app, name="catalog")
app.add_typer(audit_app, name="audit")
app.add_typer(output_app, name="output")
app.add_typer(indicator_app, name="indicator")
app.add_typer(optout_app, name="optout")
app.add_typer(user_app, name="user")
app.add_typer(spe_app, name="spe")
app.add_typer(stack_app, name="stack")


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


@app.callback()
def main(
    home: Annotated[Path | None, typer.Option(help="HAVEN_HOME: the instance's state folder.")] = None,
) -> None:
    """Haven: lake, opt-out, quality, de-identification, permits and a secure processing environment."""
    if home is not None:
        os.environ["HAVEN_HOME"] = str(home)
        reset_settings()
    settings = get_settings()
    make_private(settings.home)
    configure_logging(settings.log_level, settings.logs)


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Folder to write the extracts into.")],
    people: Annotated[int, typer.Option(min=1, help="Number of people.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same bytes.")] = 1,
    faults: Annotated[
        bool,
        typer.Option(
            "--faults", help="Plant documented bad rows in every extract, listed in truth/faults.csv."
        ),
    ] = False,
) -> None:
    """Write synthetic landing extracts for every source (deterministic per seed).

    Example:

        haven generate --out landing --people 50 --seed 3
    """
    from synthetic.generate import generate as run_generate

    started = time.perf_counter()
    with showing("haven generate", plain=False):
        files = run_generate(out, people, seed, faults=faults)
    for f in files:
        typer.echo(f"{f.source.value:<15} {f.rows:>12,} rows  {f.path}")
    if faults:
        typer.echo(f"planted faults listed in {out / 'truth' / 'faults.csv'}")
    typer.echo(f"generated in {time.perf_counter() - started:.1f}s")


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Send everything written to fd 1 (Airflow, Spark's JVM) to stderr, keeping stdout for results."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _run_pipeline(landing: Path) -> PipelineOutcome:
    from cli.airflow_runner import run_ingest
    from common.spark import spark_starting

    settings = get_settings()
    with _stdout_to_stderr(), spark_starting(settings):
        outcome = run_ingest(settings, landing)
    return outcome


def _full_report(outcome: PipelineOutcome) -> dict[str, Any] | None:
    """The ingest run's report with what the ``haven_publish`` run after it did to the permits."""
    if outcome.report is None:
        return None
    publish = outcome.publish
    return {
        **outcome.report,
        "permits": (publish.published or {}) if publish else {},
        "permits_removed": (publish.removed or {}) if publish else {},
        "permits_vacuumed": (publish.vacuumed or {}) if publish else {},
        "publish_run_id": publish.run_id if publish else None,
    }


def _print_report(report: dict[str, Any]) -> None:
    typer.echo(f"run {report['run_id']}")
    typer.echo(
        f"  {'source':<15} {'read':>10} {'loaded':>10} {'quarantined':>12} "
        f"{'opt-out rows':>13} {'opt-out persons':>16}"
    )
    for source, c in sorted(report["sources"].items()):
        typer.echo(
            f"  {source:<15} {c['read']:>10,} {c['loaded']:>10,} {c['quarantined']:>12,} "
            f"{c['dropped_by_optout']:>13,} {c['persons_dropped_by_optout']:>16,}"
        )
    for source, c in sorted(report["sources"].items()):
        if c.get("held_by_gate"):
            typer.echo(f"  {source}: {c['held_by_gate']:,} rows held by the quality gate")
        typer.echo(f"  quality {source}: {c.get('quality', 'not gated')}")
        entry = c.get("catalogue")
        if entry:
            typer.echo(
                f"  catalogue {source}: "
                + (
                    f"version {entry['version']} published"
                    if entry["published"]
                    else f"previous entry kept, {entry['reason']}"
                )
            )
    optout = report.get("optout", {})
    if optout:
        erased = ", ".join(f"{t} {n:,}" for t, n in sorted(optout["rows_erased"].items()) if n) or "none"
        typer.echo(
            f"  opt-outs in force: {optout['persons_opted_out']:,} persons (policy "
            f"{optout['policy']}); rows erased: {erased}"
        )
    vacuum = report.get("vacuum")
    if vacuum:
        typer.echo(
            f"  vacuum: {vacuum['files_removed']:,} files removed from {vacuum['tables']} tables"
            + (
                f"; {vacuum['files_kept']:,} kept until {vacuum['removable_after']} (retention "
                f"{vacuum['retention_hours']:g} h)"
                if vacuum["files_kept"]
                else ""
            )
        )
    if report.get("publish_run_id"):
        typer.echo(f"permits (run {report['publish_run_id']} of haven_publish)")
    _print_permits(report["permits"], report.get("permits_vacuumed") or {})
    _print_removed(report.get("permits_removed") or {})


def _print_removed(removed: dict[str, Any]) -> None:
    for permit, what in sorted(removed.items()):
        typer.echo(f"  permit {permit} ({what['state']}): workspace removed")


def _print_permits(permits: dict[str, Any], vacuumed: dict[str, Any]) -> None:
    """Per permit what its build did and, per dataset, whether its earlier versions (which may
    hold people whose opt-out this build applied) are gone or until when they are kept."""
    for permit, datasets in sorted(permits.items()):
        if datasets.get("frozen"):
            typer.echo(f"  permit {permit}: frozen (regulation policy)")
            continue
        if "refused" in datasets or "skipped" in datasets:
            outcome = "refused" if "refused" in datasets else "skipped"
            typer.echo(f"  permit {permit}: {outcome}, {datasets[outcome]}")
            continue
        for dataset, rows in sorted(datasets.items()):
            earlier = vacuumed.get(permit, {}).get(dataset, {}).get("earlier_versions", "not vacuumed")
            typer.echo(f"  permit {permit}/{dataset}: {rows:,} rows; earlier versions {earlier}")


def _print_indicators(outcomes: dict[str, Any]) -> None:
    """Per standing indicator that ran, its outcome and the rules it failed."""
    for indicator, ran in sorted(outcomes.items()):
        rules = f" ({', '.join(ran['rules'])})" if ran.get("rules") else ""
        typer.echo(f"  indicator {indicator}: {ran['outcome']}{rules}")


@pipeline_app.command("run")
def pipeline_run(
    landing: Annotated[Path | None, typer.Option(help="Landing folder (default HAVEN_HOME/landing).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run report as JSON.")] = False,
) -> None:
    """Run the ingest DAG in-process (Airflow dag.test) and print the run report.

    Example (the delivery `haven demo` put in HAVEN_HOME/landing, once more):

        haven pipeline run
    """
    folder = landing or get_settings().landing
    if not as_json:
        typer.echo(f"running haven_ingest on {folder} ...", err=True)
    with showing("haven pipeline run", plain=as_json):
        outcome = _run_pipeline(folder)
    report = _full_report(outcome)
    if report is not None:
        if as_json:
            typer.echo(json.dumps(report, indent=2, sort_keys=True))
        else:
            _print_report(report)
    _check_outcome(outcome)


@pipeline_app.command("publish")
def pipeline_publish(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print what publish and sweep did, as JSON.")
    ] = False,
) -> None:
    """Run the haven_publish DAG in-process: rebuild every permit in force, sweep ended ones,
    vacuum the workspaces' earlier versions, and run the standing indicators.

    Example:

        haven pipeline publish
    """
    from cli.airflow_runner import run_publish
    from common.spark import spark_starting

    settings = get_settings()
    with showing("haven pipeline publish", plain=as_json), _stdout_to_stderr(), spark_starting(settings):
        outcome = run_publish(settings)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "run_id": outcome.run_id,
                    "state": outcome.state,
                    "permits": outcome.published,
                    "removed": outcome.removed,
                    "vacuumed": outcome.vacuumed,
                    "indicators": outcome.indicators,
                },
                indent=2,
                sort_keys=True,
            )
        )
    else:
        typer.echo(f"run {outcome.run_id}")
        _print_permits(outcome.published or {}, outcome.vacuumed or {})
        _print_removed(outcome.removed or {})
        _print_indicators(outcome.indicators or {})
    if outcome.state != "success":
        raise fail(
            f"haven_publish run {outcome.run_id} ended {outcome.state}; failed tasks: "
            f"{', '.join(outcome.failed_tasks) or 'none'} (see {get_settings().airflow / 'logs'})"
        )


def _check_outcome(outcome: PipelineOutcome) -> None:
    """Exit non-zero, saying why, unless the run (and the publish run after it) succeeded."""
    if outcome.succeeded:
        return
    publish = outcome.publish
    if outcome.state == "success" and publish is not None and publish.state != "success":
        raise fail(
            f"haven_publish run {publish.run_id} after pipeline run {outcome.run_id} ended "
            f"{publish.state}; failed tasks: {', '.join(publish.failed_tasks) or 'none'} "
            f"(see {get_settings().airflow / 'logs'})"
        )
    quality = (outcome.report or {}).get("quality_failures") or []
    if quality:
        raise fail(f"pipeline run {outcome.run_id} failed the quality gate: " + " | ".join(quality))
    raise fail(
        f"pipeline run {outcome.run_id} ended {outcome.state}; failed tasks: "
        f"{', '.join(outcome.failed_tasks) or 'none'} (see {get_settings().airflow / 'logs'})"
    )


@app.command()
def query(
    sql: Annotated[str, typer.Argument(metavar="SQL", help="One SELECT statement.")],
    permit: Annotated[str, typer.Option(help="Permit id.")],
    as_user: Annotated[str, typer.Option("--as", help="Acting user (embedded mode only).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run SQL in the secure processing environment over one permit's datasets (audited),
    through the SPE service when it is up (`haven spe serve`), else in this process.

    Example:

        haven query --permit demo-permit --as researcher@demo "SELECT count(*) AS deliveries FROM pharmacy"
    """
    from spe.client import run_query
    from spe.errors import NotPublished

    try:
        result = run_query(permit, as_user, sql).result
    except NotPublished as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, default=str))
    elif result.status != "ok":
        typer.echo(f"refused: {result.reason}")
    else:
        _print_table(result.columns, result.rows)
        if result.suppressed:
            rules = sorted({str(e["rule"]) for e in result.suppressed})
            typer.echo(
                f"disclosure control: {len(result.suppressed)} suppressions "
                f"({', '.join(rules)}); suppressed cells are shown as None"
            )
        if result.unit == "records":
            typer.echo("anonymised data: disclosure control counted records, not persons")
    if result.status != "ok":
        raise typer.Exit(2)


@app.command()
def schema(
    permit: Annotated[str, typer.Option(help="Permit id.")],
    as_user: Annotated[str, typer.Option("--as", help="Acting user (embedded mode only).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the listing as JSON.")] = False,
) -> None:
    """The tables and columns of a permit's datasets in the SPE, with what each column is and
    whether people entered the data themselves (audited; names and types only).

    Example:

        haven schema --permit demo-permit --as researcher@demo
    """
    from spe.errors import NotPublished
    from spe.schema import permit_schema

    try:
        tables = permit_schema(permit, as_user)
    except NotPublished as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps([t.as_dict() for t in tables], indent=2, ensure_ascii=False))
        return
    for table in tables:
        entered = "; PATIENT-ENTERED: data people added themselves" if table.patient_entered else ""
        typer.echo(f"{table.name} (version {table.version}): {table.title}{entered}")
        _print_table(
            ["column", "type", "description"], [[c.name, c.type, c.description] for c in table.columns]
        )


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Where this instance stands: home and backends, the last run of each DAG, silver tables
    (with the de-identification version of their free text), permits in force, opt-outs,
    pending applications and release requests, the audit chain's head and the lake's size
    (counts and ids only).

    Example:

        haven status
    """
    from jobs.status import instance_status

    state = instance_status(get_settings())
    if as_json:
        typer.echo(json.dumps(state.as_dict(), indent=2, sort_keys=True, default=str))
        return
    typer.echo(f"home      {state.home}")
    for name, where in state.backends.items():
        typer.echo(f"  {name:<17} {where}")
    typer.echo("last runs")
    for run in state.dags:
        if run.run_id is None:
            typer.echo(f"  {run.dag_id:<15} never run")
            continue
        ended = f"{run.ended:%Y-%m-%d %H:%M:%S} UTC" if run.ended else "still running"
        typer.echo(f"  {run.dag_id:<15} {run.state:<8} {ended}  {run.run_id}")
    typer.echo("silver")
    for table in state.silver:
        version = f"version {table.version}" if table.version is not None else "no data yet"
        text = ""
        if table.deid_current is not None:
            text = f"  text de-identified by version {table.deid_version or '(not recorded)'}"
            text += "" if table.deid_current else " (out of date: re-derived by the next pipeline run)"
        typer.echo(f"  {table.name:<15} {version:<12} {table.rows:>12,} rows{text}")
    typer.echo(
        f"permits in force: {len(state.permits_in_force)}"
        + (f" ({', '.join(state.permits_in_force)})" if state.permits_in_force else "")
    )
    typer.echo(f"opt-outs in force: {state.optouts_in_force:,} persons")
    typer.echo(
        f"waiting: {state.applications_pending} applications for a decision, "
        f"{state.releases_pending} release requests for review"
    )
    chain = "intact" if state.audit_intact else "BROKEN: run `haven audit verify`"
    typer.echo(f"audit chain: {state.audit_entries:,} entries, head {state.audit_head}, {chain}")
    typer.echo(f"lake: {state.lake_bytes / 2**20:,.1f} MiB on disk")


quality_app = typer.Typer(help="Data quality results and labels.", no_args_is_help=True)
app.add_typer(quality_app, name="quality")


@quality_app.command("report")
def quality_report(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The latest validation results and quality label of every dataset.

    Example:

        haven quality report
    """
    from catalog.db.gateway import unit_of_work
    from quality.store import QualityStore

    latest = QualityStore(get_settings().home / "quality").latest()
    # Validation results come from the run's files; the label, kept once, from the catalogue.
    with unit_of_work() as store:
        for source, record in latest.items():
            labelled = store.latest_quality_label(source)
            if labelled is not None:
                record.update(silver_version=labelled.silver_version, label=labelled.label)
    if as_json:
        typer.echo(json.dumps(latest, indent=2, sort_keys=True))
        return
    if not latest:
        typer.echo("no quality results yet: run `haven pipeline run`")
        return
    for source, record in latest.items():
        typer.echo(f"{source} (run {record.get('run_id')}): {record.get('summary')}")
        for outcome in record.get("validation", {}).get("outcomes", []):
            mark = "ok  " if outcome["success"] else "FAIL"
            counts = (
                f"{outcome['unexpected_count']}/{outcome['element_count']} unexpected"
                if outcome.get("element_count")
                else ""
            )
            typer.echo(
                f"  {mark} {outcome['severity']:<8} {outcome['dimension']:<12} {outcome['name']} {counts}"
            )
        label = record.get("label")
        if label:
            tech = ", ".join(f"{k} {v['grade']}" for k, v in label["technical_quality"].items())
            typer.echo(
                f"  label (silver v{record.get('silver_version')}): documentation "
                f"{label['documentation']['grade']}; {tech}; coverage "
                f"{label['coverage']['grade']}; quality management "
                f"{label['quality_management']['grade']}"
            )


class Benchmark(StrEnum):
    """The benchmarks under ``bench/``, one module each."""

    GENERATE = "generate"
    PSEUDONYM = "pseudonym"
    DEID = "deid"
    WORKBENCH = "workbench"
    DIFFERENCING = "differencing"
    PIPELINE = "pipeline"
    SPE = "spe"


@app.command()
def bench(
    only: Annotated[
        list[Benchmark] | None, typer.Option("--only", help="Run only this one (repeatable).")
    ] = None,
    options: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="BENCH_OPTIONS",
            help="After --: options for the benchmark chosen with --only (its sizes; see bench/).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the benchmarks; each prints its figures as ratios against a baseline of the same run.

    Example (a small run of one benchmark):

        haven bench --only generate -- --people 2000 --baseline-rows 2000
    """
    import runpy

    chosen = [b.value for b in only or Benchmark]
    if options and len(chosen) != 1:
        raise typer.BadParameter("options after -- go to one benchmark: choose it with --only")
    with showing("haven bench", plain=False):
        for name in chosen:
            typer.echo(f"== bench.{name}")
            saved = sys.argv
            sys.argv = [f"bench.{name}", *(options or [])]
            try:
                with progress.step("bench", name):
                    runpy.run_module(f"bench.{name}", run_name="__main__")
            finally:
                sys.argv = saved


DEMO_SQL = (
    "SELECT provider_type, count(DISTINCT person_id) AS persons, count(*) AS claims, "
    "round(sum(amount_reimbursed), 2) AS reimbursed FROM claims "
    "GROUP BY provider_type ORDER BY provider_type"
)
# Two of the permit's datasets joined on the permit's person pseudonym: people with a
# hospital stay who also had medicines delivered, and how many different medicines.
DEMO_JOIN_SQL = (
    "SELECT s.stay_type, count(DISTINCT s.person_id) AS persons_with_medicines, "
    "count(DISTINCT p.atc_code) AS distinct_medicines "
    "FROM hospital_stays s JOIN pharmacy p ON p.person_id = s.person_id "
    "GROUP BY s.stay_type ORDER BY s.stay_type"
)


@app.command()
def demo(
    people: Annotated[int, typer.Option(min=1, help="Number of synthetic people.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
) -> None:
    """Generate synthetic data, run the whole pipeline (which publishes the datasets in the
    catalogue), load the demonstration permit over three of them, build it, query it, print a
    summary.

    Example:

        haven demo --people 300 --seed 11
    """
    with showing("haven demo", plain=False):
        _demo(people, seed)


def _build_demo_permit(settings: Settings) -> None:
    """The demo's standing indicator, then the permit's build (``haven_publish``, whose
    ``indicators`` task releases the indicator), then a public dashboard on that release."""
    from catalog.demo import DEMO_PERMIT_ID, SECOND_STEWARD, STEWARD, seed_dashboard, seed_indicator
    from cli.airflow_runner import run_publish

    indicator = seed_indicator(settings)
    if indicator is not None:
        typer.echo(
            f"standing indicator {indicator} on {DEMO_PERMIT_ID}: approved by {STEWARD} and "
            f"{SECOND_STEWARD}; it runs after every permit build"
        )
    with _stdout_to_stderr():
        published = run_publish(settings)
    typer.echo(f"permits (run {published.run_id} of haven_publish)")
    _print_permits(published.published or {}, published.vacuumed or {})
    _print_indicators(published.indicators or {})
    if published.state != "success":
        raise fail(f"haven_publish run {published.run_id} ended {published.state}")
    dashboard = seed_dashboard(settings)
    if dashboard is not None:
        typer.echo(f"  dashboard {dashboard}: the indicator's latest release, published to the public")


def _demo(people: int, seed: int) -> None:
    from catalog.demo import DEMO_DATASETS, DEMO_PERMIT_ID, RESEARCHER
    from catalog.demo import seed as seed_demo
    from synthetic.generate import generate as run_generate

    settings = get_settings()
    started = time.perf_counter()
    typer.echo(f"1/4 generating {people:,} people into {settings.landing}")
    run_generate(settings.landing, people, seed)
    typer.echo(
        "2/4 running the pipeline (Airflow dag.test: haven_ingest bronze -> quality gate -> silver "
        "-> catalogue, then haven_publish -> permits)"
    )
    outcome = _run_pipeline(settings.landing)
    report = _full_report(outcome)
    if report is not None:
        _print_report(report)
    _check_outcome(outcome)
    loaded = seed_demo(citizen_pids=demo_citizen_pids(people, seed))
    typer.echo(
        f"3/4 demonstration {'loaded' if loaded else 'already loaded'}: demo users and "
        f"{DEMO_PERMIT_ID} over {', '.join(DEMO_DATASETS)}"
    )
    if loaded:
        print_demo_passwords()
        _build_demo_permit(settings)
    typer.echo(f"4/4 querying permit {DEMO_PERMIT_ID} in the SPE as {RESEARCHER}")
    for sql in (DEMO_SQL, DEMO_JOIN_SQL):
        typer.echo(f"  {sql}")
        query(sql, permit=DEMO_PERMIT_ID, as_user=RESEARCHER, as_json=False)
    typer.echo(
        f"done in {time.perf_counter() - started:.0f}s. State: {settings.home} "
        f"(lake {settings.lake}, run reports {settings.runs})."
    )
    typer.echo(
        f"Web portal: run `haven serve` (in this checkout: .venv/bin/haven serve), then open "
        f"{settings.portal_url.rstrip('/')}/ and sign in with a demo account "
        + ("above." if loaded else "(new passwords: haven catalog seed-demo --new-passwords).")
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8080,
) -> None:
    """Run the web portal (catalogue, sign-in, JSON API under /api/, OpenAPI at /openapi.json)
    with uvicorn until stopped (Ctrl-C). Requests are logged by route, never by URL.

    Example:

        haven serve --host 127.0.0.1 --port 8080
    """
    import uvicorn

    from portal.app import create_app

    portal = create_app(get_settings())
    typer.echo(f"Haven portal on http://{host}:{port}/ (stop with Ctrl-C)", err=True)
    # uvicorn's access log prints whole URLs, and a set-password link's secret is in its URL:
    # the portal logs each request by its route instead (portal.security).
    uvicorn.run(portal, host=host, port=port, access_log=False, server_header=False, log_level="warning")


def _context_of(argv: list[str]) -> typer.Context:
    """The context of the (sub)command that ``argv`` names, for a usage line: the parser
    reports a missing option value without one."""
    command = typer.main.get_command(app)
    context = typer.Context(command, info_name="haven")
    for word in argv:
        sub = getattr(command, "get_command", lambda _ctx, _name: None)(context, word)
        if sub is not None:
            command, context = sub, typer.Context(sub, info_name=word, parent=context)
    return context


def run() -> None:
    """Entry point: usage mistakes print the usage and exit 2, Haven errors one line and exit 1,
    anything else exit 70 without its message; never a traceback with data."""
    try:
        result = app(standalone_mode=False, prog_name="haven")
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:
        # Typer's own click raises these: unknown commands and options, missing or malformed
        # values (UsageError, exit 2, shown with the command's usage and a close match).
        if getattr(exc, "ctx", False) is None:
            exc.ctx = _context_of(sys.argv[1:])  # type: ignore[attr-defined]
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            typer.secho(f"error: {exc.format_message()}", err=True, fg=typer.colors.RED)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.secho("aborted", err=True)
        sys.exit(130)
    except HavenError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(1)
    except Exception as exc:  # an unexpected failure: describe it without its message
        typer.secho(f"internal error: {describe_exception(exc)}", err=True, fg=typer.colors.RED)
        sys.exit(70)
    sys.exit(result if isinstance(result, int) else 0)
