"""``haven permit``, ``haven catalog`` and ``haven audit``: the control plane from a terminal.

Each command opens the instance's catalogue, calls one service function and prints the
outcome; the rules live in ``catalog``. Haven errors become exit code 1 (``cli.main.run``);
a refused application exits with 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

# The catalogue's libraries (SQLAlchemy, Alembic, rdflib) load inside the commands, so that
# other `haven` commands start as fast as before.
FORMATS = ("turtle", "jsonld")

permit_app = typer.Typer(help="Permit applications, decisions and the public register.", no_args_is_help=True)
catalog_app = typer.Typer(help="The HealthDCAT-AP dataset catalogue.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@permit_app.command("apply")
def permit_apply(
    file: Annotated[Path, typer.Option("--file", help="Application file (YAML), see catalog/examples/.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Submit a permit application; one for a prohibited purpose is refused at once, with the reason.

    Example:

        haven permit apply --file catalog/examples/application.yaml
    """
    from catalog.db.gateway import unit_of_work
    from catalog.permits import service
    from catalog.permits.applications import load_application
    from catalog.permits.vocabulary import PermitState

    spec = load_application(file)
    with unit_of_work() as store:
        application = service.apply(store, store.get_user(spec.applicant), spec)
    outcome = {
        "id": application.application_id,
        "state": application.state.value,
        "reason": application.decision_reason,
    }
    if as_json:
        typer.echo(json.dumps(outcome, indent=2))
    elif application.state is PermitState.REJECTED:
        typer.echo(f"{application.application_id} refused: {application.decision_reason}")
    else:
        typer.echo(f"{application.application_id} {application.state.value}")
    if application.state is PermitState.REJECTED:
        raise typer.Exit(2)


@permit_app.command("decide")
def permit_decide(
    application_id: Annotated[
        str, typer.Argument(metavar="APPLICATION_ID", help="Application id (as `haven permit list` shows).")
    ],
    reason: Annotated[str, typer.Option(help="Why: published in the register with the decision.")],
    as_user: Annotated[str, typer.Option("--as", help="Deciding steward (embedded mode only).")],
    approve: Annotated[bool, typer.Option("--approve/--reject", help="Approve or reject.")],
) -> None:
    """Approve or reject an application, with a reason.

    Example:

        haven permit decide app-2026-7kq2m9x4pz --approve --reason "Permitted purpose." --as steward@demo
    """
    from catalog.db.gateway import unit_of_work
    from catalog.permits import service

    with unit_of_work() as store:
        decided = service.decide(
            store, store.get_user(as_user), application_id, approve=approve, reason=reason
        )
    until = f" until {decided.expires_at:%Y-%m-%d}" if decided.expires_at else ""
    typer.echo(f"{decided.application_id} {decided.state.value}{until}")


@permit_app.command("list")
def permit_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print the register as JSON.")] = False,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only applications past their decision deadline.")
    ] = False,
) -> None:
    """The public register: applications, decisions with reasons, permits; overdue ones flagged.

    Example:

        haven permit list --overdue
    """
    from catalog.db.gateway import unit_of_work
    from catalog.permits.register import public_register

    with unit_of_work() as store:
        entries = public_register(store)
    if overdue:
        entries = [e for e in entries if e.overdue]
    if as_json:
        typer.echo(json.dumps([e.as_dict() for e in entries], indent=2, ensure_ascii=False))
        return
    typer.echo(
        f"{'id':<16} {'state':<13} {'organisation (type)':<40} {'purpose':<28} {'commercial':<10} "
        "datasets / due or reason"
    )
    for e in entries:
        note = (
            f"OVERDUE since {e.decision_due:%Y-%m-%d}"
            if e.overdue
            else f"decision due {e.decision_due:%Y-%m-%d}"
            if e.decision_due
            else e.decision_reason or ""
        )
        org = f"{e.organisation} ({e.organisation_type})"
        typer.echo(
            f"{e.application_id:<16} {e.state:<13} {org[:40]:<40} {e.purpose:<28} "
            f"{'yes' if e.commercial else 'no':<10} {','.join(d for d, _ in e.datasets)} {note}"
        )
    typer.echo(f"({len(entries)} applications)")


@catalog_app.command("export")
def catalog_export(
    fmt: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(FORMATS)}.")] = "turtle",
) -> None:
    """The HealthDCAT-AP catalogue as RDF on stdout.

    Example:

        haven catalog export --format turtle
    """
    from catalog.dashboards import registry
    from catalog.dashboards.rdf import released_distributions
    from catalog.datasets.rdf import export
    from catalog.db.gateway import unit_of_work

    if fmt not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")
    with unit_of_work() as store:
        records = store.list_datasets()
        released = registry.publishable(store)
    typer.echo(export(records, fmt, released_distributions(released)))


@catalog_app.command("show")
def catalog_show(
    dataset: Annotated[
        str, typer.Argument(metavar="DATASET", help="Dataset id, for example claims or wellness.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole description as JSON.")] = False,
) -> None:
    """One dataset: its description, the silver versions published and the stewards' revisions.

    Example:

        haven catalog show claims
    """
    from catalog.db.gateway import unit_of_work

    with unit_of_work() as store:
        record = store.get_dataset(dataset)
        revisions = store.dataset_revisions(dataset)
    versions = [
        {"version": v, "published_at": at.isoformat(), "rows": rows} for v, at, rows in record.versions
    ]
    history = [
        {"revision": r.revision, "by": r.actor, "at": r.at.isoformat(), "fields": sorted(r.changes)}
        for r in revisions
    ]
    if as_json:
        out = {"metadata": record.metadata, "versions": versions, "revisions": history}
        if record.quality is not None:
            out["quality_label"] = record.quality.summary()
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    meta = record.metadata
    typer.echo(f"{record.dataset_id}: {meta['title']['en']}")
    for lang in ("fr", "nl", "de"):
        typer.echo(f"  {lang}: {meta['title'][lang]}")
    span = f"{meta.get('temporal_start') or '?'} to {meta.get('temporal_end') or '?'}"
    typer.echo(
        f"  records {meta.get('number_of_records')}, persons {meta.get('number_of_unique_individuals')}, "
        f"period {span}, patient-entered {'yes' if meta.get('patient_entered') else 'no'}"
    )
    typer.echo(f"  variables: {', '.join(v['name'] for v in meta['variables'])}")
    if record.quality is not None:
        typer.echo(f"  {record.quality.summary()}")
    for v in versions:
        typer.echo(f"  version {v['version']} published {v['published_at']} ({v['rows']} rows)")
    for r in revisions:
        typer.echo(
            f"  revision {r.revision} by {r.actor} at {r.at.isoformat()}: {', '.join(sorted(r.changes))}"
        )


@catalog_app.command("edit")
def catalog_edit(
    dataset: Annotated[str, typer.Argument(metavar="DATASET", help="Dataset id, for example claims.")],
    file: Annotated[Path, typer.Option("--file", help="YAML with the descriptive fields to correct.")],
    as_user: Annotated[str, typer.Option("--as", help="Editing steward or operator (embedded mode only).")],
) -> None:
    """Correct a dataset's descriptive part (titles, descriptions, keywords, themes, ...): a new
    revision, audited, kept over the repository's file at every later silver version. Facts
    derived from the data (coverage, counts, variables) cannot be edited.

    Example:

        haven catalog edit claims --file catalog/examples/datasets/claims-correction.yaml --as steward@demo
    """
    import yaml

    from catalog.datasets import descriptions
    from catalog.db.gateway import unit_of_work
    from catalog.errors import InvalidDescription
    from common.settings import get_settings
    from common.yaml_text import load_yaml

    try:
        changes = load_yaml(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidDescription(f"{file}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError:
        raise InvalidDescription(f"{file}: not valid YAML") from None
    if not isinstance(changes, dict):
        raise InvalidDescription(f"{file}: must be a mapping of fields")
    with unit_of_work() as store:
        descriptions.edit(
            store,
            store.get_user(as_user),
            dataset,
            changes,
            folder=get_settings().dataset_descriptions,
            name=str(file),
        )
        [*_, revision] = store.dataset_revisions(dataset)
    typer.echo(f"{dataset} revision {revision.revision}: {', '.join(sorted(changes))}")


DEMO_PEOPLE, DEMO_SEED = 2000, 42  # `haven demo`'s defaults


def demo_citizen_pids(people: int = DEMO_PEOPLE, seed: int = DEMO_SEED) -> list[str]:
    """The pids of two persons of the synthetic population ``haven demo`` generates with
    ``people`` and ``seed``, for the demo citizens (never printed: they are the persons' keys)."""
    import numpy as np

    from synthetic.population import make_pids

    pids = make_pids(np.random.default_rng([seed, 0]), people)
    return [str(p) for p in pids[: min(2, len(pids))]]


def print_demo_passwords() -> None:
    """Give the demo users new random passwords and print them, once (demo only: a real
    instance has no demo users; its accounts choose their password through a one-time link)."""
    from catalog.demo import demo_passwords
    from common.settings import get_settings

    chosen = demo_passwords()
    typer.echo(
        f"demo passwords (demo only; shown this once, stored only as hashes; sign in at "
        f"{get_settings().portal_url.rstrip('/')}/sign-in after `haven serve`):"
    )
    for username, password in chosen.items():
        typer.echo(f"  {username:<16} {password}")


@catalog_app.command("seed-demo")
def catalog_seed_demo(
    new_passwords: Annotated[
        bool,
        typer.Option("--new-passwords", help="Give the demo users new passwords and print them."),
    ] = False,
) -> None:
    """Load the demonstration: one user per role and the active demo permit over claims,
    pharmacy and hospital stays (the pipeline must have published them). The demo users get
    random passwords for the web portal, printed once. The demo citizens are linked to two
    persons of the population `haven demo` generates by default (2000 people, seed 42).

    For trying Haven on synthetic data only; a real instance never needs it. Running it twice
    changes nothing, unless --new-passwords asks for new passwords.

    Example:

        haven catalog seed-demo
    """
    from catalog.demo import DEMO_PERMIT_ID, DEMO_USERS, seed

    loaded = seed(citizen_pids=demo_citizen_pids())
    if loaded:
        typer.echo(f"loaded the demonstration: {DEMO_PERMIT_ID} and users {', '.join(DEMO_USERS)}")
    else:
        typer.echo(f"the demonstration is already loaded ({DEMO_PERMIT_ID})")
    if loaded or new_passwords:
        print_demo_passwords()


@audit_app.command("verify")
def audit_verify(
    expect_head: Annotated[str | None, typer.Option(help="Head hash recorded earlier elsewhere.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Check the audit log's hash chain: any edited, removed or reordered entry is reported.

    Example:

        haven audit verify
    """
    from catalog.db.gateway import unit_of_work
    from catalog.errors import AuditChainBroken
    from catalog.people.domain import SYSTEM
    from catalog.permits import service

    with unit_of_work() as store:
        result = service.verify_audit(store, SYSTEM, expected_head=expect_head)
    if as_json:
        typer.echo(
            json.dumps(
                {"ok": result.ok, "entries": result.entries, "head": result.head, "problem": result.problem},
                indent=2,
            )
        )
    elif result.ok:
        typer.echo(f"audit log intact: {result.entries} entries, head {result.head}")
    if not result.ok:
        raise AuditChainBroken(f"audit log broken after {result.entries} good entries: {result.problem}")


@permit_app.command("revoke")
def permit_revoke(
    permit_id: Annotated[
        str, typer.Argument(metavar="PERMIT_ID", help="Permit id (as `haven permit list` shows).")
    ],
    reason: Annotated[str, typer.Option(help="Why: published in the register.")],
    as_user: Annotated[str, typer.Option("--as", help="Revoking steward (embedded mode only).")],
) -> None:
    """Revoke a permit; `haven permit sweep` then removes its workspace.

    Example:

        haven permit revoke app-2026-7kq2m9x4pz --reason "The study ended early." --as steward@demo
    """
    from catalog.db.gateway import unit_of_work
    from catalog.permits import service

    with unit_of_work() as store:
        revoked = service.revoke(store, store.get_user(as_user), permit_id, reason=reason)
    typer.echo(f"{revoked.application_id} {revoked.state.value}")


@permit_app.command("sweep")
def permit_sweep(
    as_json: Annotated[bool, typer.Option("--json", help="Print the removed workspaces as JSON.")] = False,
) -> None:
    """Expire permits past their date, then delete the workspace of every expired or revoked permit.

    Example:

        haven permit sweep
    """
    from common.settings import get_settings
    from jobs.publishing import sweep
    from spe.differencing_history import forget_ended

    removed = sweep(get_settings())
    forget_ended(get_settings())
    if as_json:
        typer.echo(json.dumps(removed, indent=2, sort_keys=True))
        return
    for permit_id, outcome in removed.items():
        typer.echo(f"{permit_id} ({outcome['state']}): workspace removed, {outcome['files_removed']} files")
    typer.echo(f"({len(removed)} workspaces removed)")


@permit_app.command("builds")
def permit_builds(
    permit_id: Annotated[str, typer.Argument(metavar="PERMIT_ID", help="Permit id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """What each publication of a permit did: versions read and written, refusals, removal.

    Example:

        haven permit builds demo-permit
    """
    from dataclasses import asdict

    from catalog.db.gateway import unit_of_work

    with unit_of_work() as store:
        builds = store.permit_builds(permit_id)
    if as_json:
        typer.echo(json.dumps([asdict(b) for b in builds], indent=2, default=str))
        return
    for b in builds:
        if b.outcome == "published":
            read = ", ".join(f"silver/{s}@{v}" for s, v in sorted(b.source_versions.items()))
            label = " [patient-entered data (wellness apps)]" if b.patient_entered else ""
            typer.echo(
                f"{b.at:%Y-%m-%d %H:%M} published {b.dataset}@{b.output_version} "
                f"({b.rows:,} rows) from {read}{label}"
            )
        else:
            typer.echo(f"{b.at:%Y-%m-%d %H:%M} {b.outcome}: {json.dumps(b.report, sort_keys=True)}")
    typer.echo(f"({len(builds)} builds)")
