from pathlib import Path

import pytest

from common.layout import LakeLayout, Zone


def test_paths_are_computed_in_one_place() -> None:
    lake = LakeLayout(Path("/lake"))
    assert lake.table(Zone.SILVER, "claims") == Path("/lake/silver/claims")
    assert lake.permit_table("p-1", "claims") == Path("/lake/permits/p-1/claims")


@pytest.mark.parametrize("name", ["../etc", "Claims", "a/b", "", "x" * 65, "p 1"])
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="invalid"):
        LakeLayout(Path("/lake")).permit_dir(name)


def test_permit_tables_lists_delta_tables_only(tmp_path: Path) -> None:
    lake = LakeLayout(tmp_path)
    (lake.permit_table("p-1", "claims") / "_delta_log").mkdir(parents=True)
    (lake.permit_dir("p-1") / "scratch").mkdir()
    assert lake.permit_tables("p-1") == {"claims": lake.permit_table("p-1", "claims")}
    assert lake.permit_tables("p-2") == {}
