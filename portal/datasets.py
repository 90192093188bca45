"""The catalogue's datasets as people read them: one language, names for codes, the quality
label as graded elements, and the signed-in researcher's access.

Built from the catalogue's own records (``catalog.datasets``) and access rule
(``catalog.permits.access``); never from the lake.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from catalog.datasets.domain import DatasetRecord
from catalog.datasets.domain import QualityLabel as StoredLabel
from catalog.datasets.metadata import CODING_SYSTEMS, DatasetMetadata, metadata_of
from catalog.permits.access import Access
from portal import vocabulary
from portal.i18n import N_
from portal.schemas import (
    DatasetCard,
    DatasetPage,
    Grade,
    Named,
    Organisation,
    QualityLabel,
    Variable,
    Version,
)

Gettext = Callable[[str], str]
LEVELS = {"A": 4, "B": 3, "C": 2, "D": 1}
ACCESS_RIGHTS = {"NON_PUBLIC": N_("Not public: used only under a data permit, inside the secure environment")}


def _named(codes: Iterable[str], names: dict[str, str], _: Gettext) -> list[Named]:
    return [Named(code=c, label=_(names[c]) if c in names else c) for c in codes]


def _grade(element: str, graded: dict[str, Any], _: Gettext) -> Grade:
    grade = str(graded.get("grade", "not assessed"))
    return Grade(
        element=element,
        name=_(vocabulary.QUALITY_ELEMENTS[element]),
        grade=grade,
        grade_label=_(vocabulary.GRADES.get(grade, vocabulary.GRADES["not assessed"])),
        score=graded.get("score"),
        level=LEVELS.get(grade, 0),
    )


def quality(stored: StoredLabel | None, _: Gettext) -> QualityLabel | None:
    """The label's elements in the label's own order, each graded and named."""
    if stored is None:
        return None
    label = stored.label
    elements = [_grade("documentation", label.get("documentation", {}), _)]
    elements += [_grade(name, graded, _) for name, graded in label.get("technical_quality", {}).items()]
    for name in ("quality_management", "coverage", "access_delays", "enrichments"):
        elements.append(_grade(name, label.get(name, {}), _))
    return QualityLabel(
        silver_version=stored.silver_version, measured_at=stored.measured_at, elements=elements
    )


def _access(access: Access | None, _: Gettext) -> Named | None:
    return None if access is None else Named(code=access.value, label=_(vocabulary.ACCESS[access.value]))


def _card_fields(record: DatasetRecord, meta: DatasetMetadata, lang: str, _: Gettext) -> dict[str, Any]:
    return {
        "id": record.dataset_id,
        "language": lang,
        "title": getattr(meta.title, lang),
        "description": getattr(meta.description, lang),
        "themes": _named(meta.themes, vocabulary.THEMES, _),
        "health_categories": _named(meta.health_categories, vocabulary.HEALTH_CATEGORIES, _),
        "patient_entered": meta.patient_entered,
        "records": meta.number_of_records,
        "quality": quality(record.quality, _),
    }


def card(record: DatasetRecord, lang: str, access: Access | None, _: Gettext) -> DatasetCard:
    """``record`` as a card in ``lang``; ``access`` only for a signed-in researcher."""
    meta = metadata_of(record)
    return DatasetCard(**_card_fields(record, meta, lang, _), access=_access(access, _))


def _organisation(agent: Any, lang: str) -> Organisation:
    return Organisation(
        id=agent.id, name=getattr(agent.name, lang), email=agent.email, homepage=agent.homepage
    )


def _variables(meta: DatasetMetadata, _: Gettext) -> list[Variable]:
    return [
        Variable(
            name=v.name,
            title=v.title,
            description=v.description,
            datatype=Named(code=v.datatype, label=_(vocabulary.DATATYPES[v.datatype])),
            code_list=v.code_list,
            coding_system=v.coding_system,
            values=list(v.values),
            free_text=v.free_text,
        )
        for v in meta.variables
    ]


def page(record: DatasetRecord, lang: str, access: Access | None, _: Gettext) -> DatasetPage:
    """``record``'s whole description in ``lang``."""
    meta = metadata_of(record)
    systems = sorted({*meta.coding_systems, *(v.coding_system for v in meta.variables if v.coding_system)})
    coverage = meta.population_coverage
    return DatasetPage(
        **_card_fields(record, meta, lang, _),
        access=_access(access, _),
        keywords=list(meta.keywords.get(lang, [])),  # type: ignore[call-overload]
        provenance=getattr(meta.provenance, lang),
        population_coverage=getattr(coverage, lang) if coverage else None,
        publisher=_organisation(meta.publisher, lang),
        hdab=_organisation(meta.hdab, lang),
        custodian=_organisation(meta.custodian, lang) if meta.custodian else None,
        temporal_start=meta.temporal_start,
        temporal_end=meta.temporal_end,
        persons=meta.number_of_unique_individuals,
        min_typical_age=meta.min_typical_age,
        max_typical_age=meta.max_typical_age,
        coding_systems=[Named(code=s, label=CODING_SYSTEMS[s][1]) for s in systems],
        variables=_variables(meta, _),
        versions=[Version(version=v, published_at=at, rows=rows) for v, at, rows in record.versions],
        access_rights=_(ACCESS_RIGHTS.get(meta.access_rights, meta.access_rights)),
        applicable_legislation=list(meta.applicable_legislation),
        retention_years=meta.retention_years,
    )


def matches(found: DatasetCard, words: str, theme: str) -> bool:
    """Whether a card fits the catalogue's filter: every word in its title or description (any
    case), and the theme if one is chosen."""
    text = f"{found.title} {found.description}".casefold()
    fits_words = all(word in text for word in words.casefold().split())
    return fits_words and (not theme or theme in {t.code for t in found.themes})
