"""The README's layout and Five Safes tables match the tree, so they cannot go stale."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    start = README.index(title)
    end = README.index("\n#", start + len(title))
    return README[start:end]


def test_the_layout_table_lists_every_top_level_folder_and_every_control_plane_concept() -> None:
    layout = section("## Layout")
    listed = set(re.findall(r"^\| `([a-z_]+)/` \|", layout, re.M))
    # Every Python package at the top, and the folders that are not packages.
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    folders = packages | {"infra", "tests", "docs"}
    assert listed == folders
    catalog_row = next(line for line in layout.splitlines() if line.startswith("| `catalog/`"))
    packages = {p.name for p in (ROOT / "catalog").iterdir() if (p / "__init__.py").exists()}
    assert {name for name in packages if f"`{name}/`" not in catalog_row} == set()


def test_every_path_the_readme_names_exists() -> None:
    named = set(
        re.findall(
            r"`((?:catalog|common|jobs|spe|quality|cli|dags|pseudonymisation|tests)"
            r"/[A-Za-z0-9_/]*(?:\.py)?)`",
            README,
        )
    )
    assert named, "the README names files"
    assert sorted(p for p in named if not (ROOT / p).exists()) == []
