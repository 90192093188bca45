"""Each privacy threshold is defined once: settings, application terms and the SPE agree with it."""

from __future__ import annotations

from dataclasses import fields

import pytest
from annotated_types import Ge, Le

from catalog.permits.terms import Disclosure
from common.settings import Settings
from common.thresholds import DISCLOSURE, K_ANONYMITY, Threshold
from spe.disclosure import DisclosureSettings
from spe.errors import LooserThanDefault

SETTING = {f"disclosure_{name}": t for name, t in DISCLOSURE.items()} | {"k_anonymity": K_ANONYMITY}


def _bounds(field_name: str) -> tuple[float, float]:
    metadata = Settings.model_fields[field_name].metadata
    ge = next(m.ge for m in metadata if isinstance(m, Ge))
    le = next(m.le for m in metadata if isinstance(m, Le))
    return ge, le


@pytest.mark.parametrize("field_name", sorted(SETTING))
def test_settings_take_default_and_bounds_from_the_table(field_name: str) -> None:
    threshold = SETTING[field_name]
    assert Settings.model_fields[field_name].default == threshold.default
    assert _bounds(field_name) == tuple(sorted((threshold.loosest, threshold.strictest)))


def test_every_disclosure_setting_is_in_the_table() -> None:
    named = {name for name in Settings.model_fields if name.startswith("disclosure_")}
    assert named == {f"disclosure_{name}" for name in DISCLOSURE}
    assert set(Settings().disclosure) == set(DISCLOSURE)


def test_the_spe_and_the_application_terms_know_the_same_thresholds() -> None:
    spe = {f.name: f.default for f in fields(DisclosureSettings) if f.name != "zeros_disclosive"}
    assert spe == {name: t.default for name, t in DISCLOSURE.items()}
    assert set(Disclosure.model_fields) == set(DISCLOSURE)


@pytest.mark.parametrize("threshold", DISCLOSURE.values(), ids=list(DISCLOSURE))
def test_stricter_means_the_same_direction_everywhere(threshold: Threshold) -> None:
    step = (1 if threshold.integral else 0.5) * (1 if threshold.higher_is_stricter else -1)
    base = threshold.cast(threshold.default + 2 * step)  # an instance stricter than the default
    platform = {name: t.default for name, t in DISCLOSURE.items()} | {threshold.name: base}
    looser, stricter = threshold.cast(base - step), threshold.cast(base + step)
    # The application terms refuse the looser value and accept the stricter one ...
    assert Disclosure.model_validate({threshold.name: looser}).looser_than(platform) == [threshold.name]
    assert Disclosure.model_validate({threshold.name: stricter}).looser_than(platform) == []
    # ... and so do the SPE's rules ...
    instance = DisclosureSettings(**{threshold.name: base})
    with pytest.raises(LooserThanDefault):
        instance.stricter({threshold.name: looser})
    assert getattr(instance.stricter({threshold.name: stricter}), threshold.name) == stricter
    # ... and the settings refuse an instance looser than the common rules.
    with pytest.raises(ValueError, match=f"disclosure_{threshold.name}"):
        Settings(**{f"disclosure_{threshold.name}": threshold.cast(threshold.loosest - step)})
