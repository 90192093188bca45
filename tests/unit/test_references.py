"""Application and output-request ids: the kind, the year, then a part nobody can guess."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from catalog.references import ALPHABET, LENGTH, new_reference


def test_a_reference_names_its_kind_and_year_then_ten_random_characters_without_look_alikes() -> None:
    at = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)
    made = [new_reference("out", at) for _ in range(2000)]
    assert all(re.fullmatch(r"out-2027-[2-9a-z]{10}", ref) for ref in made)
    assert len(set(made)) == len(made)  # about 49 bits each: no collision in 2,000
    used = set("".join(ref[-LENGTH:] for ref in made))
    assert used == set(ALPHABET)  # every character is drawn, and only those
    assert not used & set("01lio")
