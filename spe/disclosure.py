"""Statistical disclosure control rules for one output cell, and their thresholds.

The defaults are the common rules of trusted research environments (see DOMAIN.md): at
least 10 distinct persons behind every cell, zeros treated as disclosive, the p% rule with
p = 10 and nk dominance with n = 2, k = 90 on sums and means, optional rounding to base 5.
Thresholds can be made stricter per permit, never looser (``DisclosureSettings.stricter``).

Rules come in pairs: ``check_cell`` raises ``CellDisclosive`` naming the rule,
``can_release_cell`` returns a bool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from common.thresholds import DISCLOSURE
from spe.errors import CellDisclosive, LooserThanDefault


class Rule(StrEnum):
    """Why a cell was suppressed; these names appear in results' ``suppressed`` lists."""

    THRESHOLD = "threshold"  # fewer than min_persons distinct persons behind the cell
    ZERO = "zero"  # a count of zero
    DOMINANCE = "dominance"  # nk rule: the n largest contributors hold k % or more
    P_PERCENT = "p-percent"  # the rest of the cell estimates the largest within p %
    DIFFERENCING = "differencing"  # with an earlier released cell, reveals a small group
    # with several released cells, a sum and difference of them reveals a small group
    LINKED_DIFFERENCING = "linked-differencing"
    SECONDARY = "secondary"  # suppressed so that another cell cannot be recomputed


@dataclass(frozen=True)
class DisclosureSettings:
    """Thresholds of automated disclosure control; each field's default is the platform
    minimum (``common.thresholds``, which also says which way each one is stricter)."""

    min_persons: int = int(DISCLOSURE["min_persons"].default)
    zeros_disclosive: bool = True
    p_percent: float = DISCLOSURE["p_percent"].default
    nk_n: int = int(DISCLOSURE["nk_n"].default)
    nk_k_percent: float = DISCLOSURE["nk_k_percent"].default
    rounding_base: int = int(DISCLOSURE["rounding_base"].default)  # 0: no rounding

    def __post_init__(self) -> None:
        if self.min_persons < 1 or self.nk_n < 1 or self.rounding_base < 0:
            raise ValueError("disclosure thresholds must be positive")
        if not 0 < self.nk_k_percent <= 100 or not 0 <= self.p_percent <= 100:
            raise ValueError("percentages must lie between 0 and 100")

    def stricter(self, overrides: Mapping[str, Any]) -> DisclosureSettings:
        """These settings with a permit's overrides; raise ``LooserThanDefault`` if one relaxes a rule."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise LooserThanDefault(f"unknown disclosure settings: {sorted(unknown)}")
        new = replace(self, **overrides)
        looser = [
            name
            for name, rule in DISCLOSURE.items()
            if rule.is_looser(getattr(new, name), getattr(self, name))
        ]
        if self.zeros_disclosive and not new.zeros_disclosive:
            looser.append("zeros_disclosive")
        if looser:
            raise LooserThanDefault(f"a permit may only make disclosure control stricter: {looser}")
        return new

    def strictest(self, overrides: Mapping[str, Any]) -> DisclosureSettings:
        """These settings with each of ``overrides`` that is stricter; looser ones are ignored
        (a permit granted before the platform raised a threshold keeps the platform's)."""
        new = self
        for name, value in overrides.items():
            kind = type(getattr(self, name))
            with suppress(LooserThanDefault):
                new = new.stricter({name: kind(value)})
        return new

    @classmethod
    def for_permit(cls, platform: Mapping[str, Any], permit: Mapping[str, Any]) -> DisclosureSettings:
        """The platform's thresholds (``Settings.disclosure``; never looser than these
        defaults), made stricter field by field where the permit's own terms are."""
        base = cls()
        return base.stricter(
            {name: type(getattr(base, name))(value) for name, value in platform.items()}
        ).strictest(permit)


@dataclass(frozen=True)
class CellStats:
    """What disclosure control knows about one aggregate in one cell (never shown to anyone).

    ``persons`` is the number of contributing persons, ``largest`` the largest per-person
    contributions in absolute value (their count or their sum of the aggregated value), in
    decreasing order, and ``total`` the sum of all contributions in absolute value.
    ``count_like`` is true for counts and for sums or means of a 0/1 value, which are
    counts in disguise.

    A mean (or any ratio) depends on two groups: ``denominator`` is the number of persons
    with a value, and ``persons`` those whose value is not zero, who alone make the
    numerator. With the mean's denominator known (a count released beside it, before or
    after), the numerator follows, so both groups must meet the rules; for a mean of a 0/1
    value the persons at zero are a group too (a proportion of 100 % says that every
    person has the attribute, as a count of zero says none has).
    """

    count_like: bool
    persons: int
    largest: tuple[float, ...] = ()
    total: float = 0.0
    denominator: int | None = None  # means only: the persons with a value

    @classmethod
    def of(cls, count_like: bool, contributions: Sequence[float]) -> CellStats:
        """Stats from every contribution (tests and small tables)."""
        shares = sorted((abs(float(x)) for x in contributions), reverse=True)
        return cls(count_like, len(shares), tuple(shares), sum(shares))


def _dominance_rule(stats: CellStats, settings: DisclosureSettings) -> Rule | None:
    if stats.total <= 0:
        return None
    if sum(stats.largest[: settings.nk_n]) >= settings.nk_k_percent / 100 * stats.total:
        return Rule.DOMINANCE
    largest = stats.largest[0] if stats.largest else 0.0
    second = stats.largest[1] if len(stats.largest) > 1 else 0.0
    if stats.total - largest - second < settings.p_percent / 100 * largest:
        return Rule.P_PERCENT
    return None


def _small_group(size: int, settings: DisclosureSettings) -> Rule | None:
    if size == 0:
        return Rule.ZERO if settings.zeros_disclosive else None
    return Rule.THRESHOLD if size < settings.min_persons else None


def _mean_rule(stats: CellStats, denominator: int, settings: DisclosureSettings) -> Rule | None:
    """A mean's denominator, and for a proportion its persons at zero, as groups of their own."""
    if denominator < settings.min_persons:
        return Rule.ZERO if denominator == 0 and settings.zeros_disclosive else Rule.THRESHOLD
    if stats.count_like:
        return _small_group(denominator - stats.persons, settings)
    return None


def cell_rule(stats: CellStats, settings: DisclosureSettings) -> Rule | None:
    """The first rule that ``stats`` breaks, or None when the cell may be released."""
    if stats.denominator is not None:
        rule = _mean_rule(stats, stats.denominator, settings)
        if rule is not None:
            return rule
    if stats.persons == 0 and settings.zeros_disclosive:
        return Rule.ZERO
    if stats.persons < settings.min_persons:
        return Rule.THRESHOLD
    if not stats.count_like:
        return _dominance_rule(stats, settings)
    return None


def check_cell(stats: CellStats, settings: DisclosureSettings) -> None:
    """Raise ``CellDisclosive`` unless the cell passes every primary rule."""
    rule = cell_rule(stats, settings)
    if rule is not None:
        raise CellDisclosive(rule)


def can_release_cell(stats: CellStats, settings: DisclosureSettings) -> bool:
    return cell_rule(stats, settings) is None


def round_count(value: Any, base: int) -> Any:
    """``value`` rounded to the nearest multiple of ``base`` (halves up); non-integers unchanged."""
    if base <= 1 or isinstance(value, bool) or not isinstance(value, int | Decimal):
        return value
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return value
    number = int(value)
    return (
        type(value)(((number + base // 2) // base) * base)
        if number >= 0
        else type(value)(-(((-number) + base // 2) // base) * base)
    )
