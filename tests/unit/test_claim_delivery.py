"""A complete delivery leaves landing for a folder of its own; an incomplete one stays."""

from __future__ import annotations

from pathlib import Path

from jobs.landing import claim_delivery


def files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_delivery_is_claimed_once_its_manifest_is_there(tmp_path: Path) -> None:
    landing, deliveries = tmp_path / "landing", tmp_path / "deliveries"
    landing.mkdir()
    (landing / "population.csv").write_text("pid\n1\n")
    (landing / "claims.csv").write_text("pid\n2\n")
    (landing / "notes.txt").write_text("not an extract")
    assert claim_delivery(landing, deliveries) is None  # no manifest yet: still arriving
    assert not deliveries.exists()

    (landing / "manifest.json").write_text('{"seed": 1}\n')
    folder = claim_delivery(landing, deliveries)

    assert folder is not None and folder.parent == deliveries
    assert files(folder) == {
        "claims.csv": "pid\n2\n",
        "manifest.json": '{"seed": 1}\n',
        "population.csv": "pid\n1\n",
    }
    assert files(landing) == {"notes.txt": "not an extract"}
    assert claim_delivery(landing, deliveries) is None


def test_a_claim_cut_short_is_finished_in_the_same_folder(tmp_path: Path) -> None:
    landing, deliveries = tmp_path / "landing", tmp_path / "deliveries"
    landing.mkdir()
    (landing / "manifest.json").write_text('{"seed": 2}\n')
    (landing / "claims.csv").write_text("pid\n2\n")
    first = claim_delivery(landing, deliveries)
    assert first is not None
    # A crash after moving population.csv but before the manifest: both are in landing again.
    (first / "manifest.json").replace(landing / "manifest.json")
    (landing / "population.csv").write_text("pid\n1\n")

    again = claim_delivery(landing, deliveries)

    assert again == first
    assert sorted(files(first)) == ["claims.csv", "manifest.json", "population.csv"]
    assert files(landing) == {}


def test_different_deliveries_get_different_folders(tmp_path: Path) -> None:
    landing, deliveries = tmp_path / "landing", tmp_path / "deliveries"
    landing.mkdir()
    folders = []
    for seed in (1, 2):
        (landing / "claims.csv").write_text(f"pid\n{seed}\n")
        (landing / "manifest.json").write_text(f'{{"seed": {seed}}}\n')
        folders.append(claim_delivery(landing, deliveries))
    assert folders[0] != folders[1]
    assert [files(f)["claims.csv"] for f in folders if f] == ["pid\n1\n", "pid\n2\n"]
