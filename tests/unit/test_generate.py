import csv
import json
from pathlib import Path

from synthetic.generate import generate


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", 200, 5)
    generate(tmp_path / "b", 200, 5)
    generate(tmp_path / "c", 200, 6)
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert _bytes(tmp_path / "a")["claims.csv"] != _bytes(tmp_path / "c")["claims.csv"]


def test_manifest_counts_match_files_and_opt_outs_are_known_people(tmp_path: Path) -> None:
    files = generate(tmp_path, 300, 9)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["seed"] == 9 and manifest["people"] == 300
    rows = {}
    for f in files:
        with f.path.open() as handle:
            rows[f.source.value] = list(csv.DictReader(handle))
    assert {m["source"]: m["rows"] for m in manifest["files"]} == {k: len(v) for k, v in rows.items()}
    claim_pids = {r["pid"] for r in rows["claims"]}
    assert len(claim_pids) == 300
    assert {r["pid"] for r in rows["optout"]} <= claim_pids
    assert {r["action"] for r in rows["optout"]} <= {"optout", "withdrawal"}
