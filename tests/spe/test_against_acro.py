"""The SPE's primary suppression agrees with ACRO's crosstab checks on the same table.

ACRO (the SACRO project's reference implementation, same default thresholds) checks pandas
crosstabs: threshold, zeros, nk and p % per cell. With one row per person, its row counts
are person counts, so both must flag exactly the same cells. Differences that are by design:
ACRO does no secondary suppression (the SPE adds cells, reported as ``secondary``), and a
GROUP BY result has no row for an empty combination (ACRO shows it as a suppressed zero).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spe.session import SandboxSession
from tests.spe.factories import write_rows

acro = pytest.importorskip("acro")
pytestmark = pytest.mark.filterwarnings(
    "ignore::FutureWarning", "ignore::UserWarning", "ignore::pandas.errors.SettingWithCopyWarning"
)

PRIMARY = {"threshold", "zero", "dominance", "p-percent"}


def people_table(seed: int) -> pd.DataFrame:
    """One row per person: a skewed category pair and an amount with a few dominant values."""
    rng = np.random.default_rng(seed)
    n = 400
    frame = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(n)],
            "a": rng.choice(["x", "y", "z", "w"], n, p=[0.5, 0.3, 0.17, 0.03]),
            "b": rng.choice(["u", "v", "t"], n, p=[0.6, 0.37, 0.03]),
            "amount": rng.uniform(1, 20, n).round(2),
        }
    )
    frame.loc[rng.choice(n, 3, replace=False), "amount"] = 5000.0
    return frame


def acro_flags(frame: pd.DataFrame, **kwargs: object) -> set[tuple[str, str]]:
    logging.getLogger("acro").setLevel(logging.WARNING)
    session = acro.ACRO(suppress=True)
    session.crosstab(frame.a, frame.b, **kwargs)
    outcome = session.results.get_index(0).outcome
    return {(str(a), str(b)) for a in outcome.index for b in outcome.columns if outcome.loc[a, b] != "ok"}


def spe_flags(tmp_path: Path, frame: pd.DataFrame, aggregate: str) -> set[tuple[str, str]]:
    rows = list(frame[["person_id", "a", "b", "amount"]].itertuples(index=False, name=None))
    table = write_rows(tmp_path / "claims", rows, columns=("person_id", "a", "b", "amount"))
    with SandboxSession({"claims": table}) as session:
        result = session.run(f"SELECT a, b, {aggregate} AS v FROM claims GROUP BY a, b ORDER BY a, b")
    assert result.status == "ok", result.reason
    present = {(a, b) for a, b in frame[["a", "b"]].itertuples(index=False, name=None)}
    shown = {(r[0], r[1]) for r in result.rows}
    primary = {
        (result.rows[e["row"]][0], result.rows[e["row"]][1])
        for e in result.suppressed
        if e["row"] is not None and e["rule"] in PRIMARY
    }
    # Left-out groups and empty combinations both appear as absent rows.
    all_cells = {(a, b) for a in frame.a.unique() for b in frame.b.unique()}
    absent = all_cells - shown
    assert present - shown <= absent
    return primary | absent


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_flag_the_same_cells_as_acro(tmp_path: Path, seed: int) -> None:
    frame = people_table(seed)
    theirs = acro_flags(frame)
    assert theirs, "the table must have small cells to compare"
    assert spe_flags(tmp_path, frame, "count(DISTINCT person_id)") == theirs


@pytest.mark.parametrize("seed", [2, 3])
def test_sums_flag_the_same_cells_as_acro(tmp_path: Path, seed: int) -> None:
    frame = people_table(seed)
    theirs = acro_flags(frame, values=frame.amount, aggfunc="sum")
    assert theirs - acro_flags(frame), "the seed must give cells that only dominance flags"
    assert spe_flags(tmp_path, frame, "sum(amount)") == theirs
