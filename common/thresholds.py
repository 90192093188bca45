"""Privacy thresholds: the one definition of each default, its bounds and which way is stricter.

The platform's disclosure control in the SPE and its k-anonymity floor are numbers an
instance may set (``HAVEN_DISCLOSURE_*``, ``HAVEN_K_ANONYMITY``) and a permit may tighten,
never loosen. Every place that needs a default, a bound or the direction of "stricter"
reads it here: the settings' fields, the application terms (``catalog.permits.terms``) and
the SPE's rules (``spe.disclosure``). The defaults are the common rules of trusted research
environments (DOMAIN.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Threshold:
    """One threshold: its default, the loosest and strictest values allowed, its direction."""

    name: str
    default: float
    loosest: float  # an instance may not go past this; for disclosure it is the default itself
    strictest: float
    higher_is_stricter: bool
    integral: bool
    description: str

    def is_looser(self, value: float, than: float) -> bool:
        """Whether ``value`` relaxes the rule compared with ``than``."""
        return value < than if self.higher_is_stricter else value > than

    def tightest(self, *values: float) -> float:
        """The strictest of ``values``."""
        return max(values) if self.higher_is_stricter else min(values)

    def bounds(self) -> tuple[float, float]:
        """The lowest and highest value an instance may set: from loosest to strictest."""
        low, high = sorted((self.loosest, self.strictest))
        return low, high

    def cast(self, value: float) -> float:
        return int(value) if self.integral else float(value)


# Counts behind a released cell, and the dominance rules on sums (DOMAIN.md, disclosure control).
DISCLOSURE: dict[str, Threshold] = {
    t.name: t
    for t in (
        Threshold("min_persons", 10, 10, 1000, True, True, "fewest distinct persons behind an output cell"),
        Threshold(
            "p_percent",
            10.0,
            10.0,
            100.0,
            True,
            False,
            "p % rule on sums: the rest must hide the largest by p %",
        ),
        Threshold("nk_n", 2, 2, 10, True, True, "nk dominance: the n largest contributors ..."),
        Threshold("nk_k_percent", 90.0, 90.0, 1.0, False, False, "... may not hold k % or more of a sum"),
        Threshold(
            "rounding_base", 0, 0, 1000, True, True, "round released counts to this base; 0: no rounding"
        ),
    )
}

# Anonymised permit datasets: persons sharing every combination of quasi-identifiers. An
# instance may choose a k as low as 2 for small populations; a permit may only raise it.
K_ANONYMITY = Threshold(
    "k_anonymity",
    10,
    2,
    1000,
    True,
    True,
    "smallest number of persons sharing every combination of quasi-identifiers in an "
    "anonymised permit's datasets; a permit may ask for more, never less",
)


def default_disclosure() -> dict[str, float]:
    """The platform's disclosure thresholds by name when an instance sets none."""
    return {name: t.default for name, t in DISCLOSURE.items()}
