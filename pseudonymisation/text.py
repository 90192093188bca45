"""Free-text de-identification for clinical notes in French, Dutch and English.

``deidentify(text, language)`` replaces persons, dates, phone numbers, e-mail addresses,
postal addresses, IBANs and national register numbers with typed placeholders
(``<PERSON>``, ``<DATE>``, ``<PHONE>``, ``<EMAIL>``, ``<ADDRESS>``, ``<IBAN>``, ``<NISS>``)
and leaves clinical content alone. Measured recall and precision per language are in
``pseudonymisation/README.md``. For many texts use ``deidentify_many`` or the Spark
integration in ``pseudonymisation.spark_text``, which batch through spaCy.
"""

from __future__ import annotations

from collections.abc import Iterable

from pseudonymisation.engine import LANGUAGES, get_engine


def deidentify(text: str, language: str) -> str:
    """``text`` with identifying information replaced by typed placeholders
    (``language``: ``fr``, ``nl`` or ``en``)."""
    result = get_engine().deidentify_batch([text], language)[0]
    return result if result is not None else text


def deidentify_many(texts: Iterable[str | None], language: str) -> list[str | None]:
    """``deidentify`` over many texts at once (one spaCy batch); ``None`` stays ``None``."""
    return get_engine().deidentify_batch(texts, language)


__all__ = ["LANGUAGES", "deidentify", "deidentify_many"]
