"""The generator's contract: same arguments same bytes, manifest, schemas, Parquet copies."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from common.layout import Source
from common.schemas import SCHEMA_VERSION, SCHEMAS
from synthetic.generate import generate


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(out, 400, 5)
    return out


def test_same_arguments_same_bytes_other_seed_other_bytes(clean: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", 400, 5)
    generate(tmp_path / "other", 400, 6)
    again, first = _tree(tmp_path / "again"), _tree(clean)
    assert again == first
    assert len(first) == 8 + 8 + 1 + 1  # CSV, Parquet, PII truth, manifest
    other = _tree(tmp_path / "other")
    assert all(other[f"{s.value}.csv"] != first[f"{s.value}.csv"] for s in Source)


def test_faults_flag_changes_the_bytes_and_is_deterministic(tmp_path: Path) -> None:
    generate(tmp_path / "a", 300, 5, faults=True)
    generate(tmp_path / "b", 300, 5, faults=True)
    generate(tmp_path / "c", 300, 5)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert (tmp_path / "a" / "claims.csv").read_bytes() != (tmp_path / "c" / "claims.csv").read_bytes()


def test_manifest_lists_every_file_with_its_rows_and_digest(clean: Path) -> None:
    manifest = json.loads((clean / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["people"] == 400
    assert manifest["schema_version"] == SCHEMA_VERSION and manifest["faults"] is False
    assert [f["source"] for f in manifest["files"]] == [s.value for s in SCHEMAS]
    for entry in manifest["files"] + manifest["truth"]:
        data = (clean / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert data.count(b"\n") - 1 == entry["rows"] > 0
    for entry in manifest["files"]:
        parquet = clean / entry["parquet"]
        assert hashlib.sha256(parquet.read_bytes()).hexdigest() == entry["parquet_sha256"]
    assert manifest["files"][0]["rows"] == 400  # population: one row per person


@pytest.mark.parametrize("source", list(SCHEMAS))
def test_every_extract_has_its_schema_header_and_field_count(clean: Path, source: Source) -> None:
    names = SCHEMAS[source].names
    with (clean / f"{source.value}.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == names
    assert {len(r) for r in rows[1:]} == {len(names)}


@pytest.mark.parametrize("source", list(SCHEMAS))
def test_parquet_copy_holds_the_same_rows_as_the_csv(clean: Path, source: Source) -> None:
    table = pq.read_table(clean / "parquet" / f"{source.value}.parquet")
    text = (clean / f"{source.value}.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert table.column_names == rows[0]
    assert [list(r.values()) for r in table.to_pylist()] == rows[1:]


def test_claims_and_optout_keep_the_columns_the_pipeline_reads(clean: Path) -> None:
    header = (clean / "claims.csv").read_text().splitlines()[0]
    assert header == (
        '"pid","nomenclature_code","service_date","provider_type","provider_id",'
        '"institution_id","amount_reimbursed","amount_copay","amount_supplement"'
    )
    assert (clean / "optout.csv").read_text().splitlines()[0] == '"pid","event_time","action","channel"'


def test_people_are_generated_in_chunks_without_changing_the_contract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import synthetic.generate as module

    monkeypatch.setattr(module, "CHUNK_PEOPLE", 150)
    generate(tmp_path, 400, 5)
    with (tmp_path / "population.csv").open() as handle:
        pids = [r["pid"] for r in csv.DictReader(handle)]
    with (tmp_path / "claims.csv").open() as handle:
        claims = [(r["pid"], r["service_date"]) for r in csv.DictReader(handle)]
    assert len(pids) == len(set(pids)) == 400 and pids == sorted(pids)
    assert claims == sorted(claims)  # sorted by pid then date across chunk borders
    ids = [r["stay_id"] for r in csv.DictReader((tmp_path / "hospital_stays.csv").open())]
    assert ids == [f"S{i:09d}" for i in range(1, len(ids) + 1)]


def test_reference_tables_are_package_data_of_a_real_package() -> None:
    # A folder without __init__.py would be left out of the wheel by setuptools' find.
    from importlib.resources import files

    from common import reference
    from synthetic.reference import OWN_TABLES, load

    for package, tables in (("synthetic.tables", OWN_TABLES), ("common.reference_tables", reference.TABLES)):
        shipped = {p.name for p in files(package).iterdir() if p.name.endswith(".csv")}
        assert shipped == {f"{t}.csv" for t in tables}
    assert (
        sum(len(load(t)) for t in ("icd10cm", "icd10pcs", "apr_drg", "nomenclature", "atc", "cnk", "loinc"))
        > 600
    )


def test_cli_generate_with_faults_prints_counts_and_paths_only(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    result = CliRunner().invoke(
        app, ["generate", "--out", str(tmp_path / "x"), "--people", "120", "--seed", "4", "--faults"]
    )
    assert result.exit_code == 0, result.output
    assert "planted faults listed in" in result.output and "claims" in result.output
    with (tmp_path / "x" / "population.csv").open(encoding="utf-8", errors="replace") as handle:
        pids = [line.split(",")[0].strip('"') for line in handle][1:]
    assert len(pids) == 120 and not [p for p in pids if p in result.output]
    assert (tmp_path / "x" / "truth" / "faults.csv").is_file()
