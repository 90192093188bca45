"""The portal's four languages: message catalogues, the visitor's language, and locale
formatting of numbers and dates.

French, Dutch, German and English are equal: every string of the templates and of the
portal's Python code has a translation in ``portal/locale/<lang>/LC_MESSAGES/messages.po``
(``tests/portal/test_translations.py`` fails on a missing or empty one). The catalogues are
read at startup and compiled in memory, so there is no separate compile step and no ``.mo``
file to forget. ``python -m portal.i18n`` adds the msgids found in the code to every
catalogue (with an empty translation to fill in) and drops the ones no longer used.

Python code marks its strings with ``N_`` (no translation at definition time) and translates
them where a language is known; templates call ``_``.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from catalog.datasets.metadata import LANGUAGES
from portal.errors import TranslationsBroken

PORTAL = Path(__file__).resolve().parent
LOCALE_DIR = PORTAL / "locale"
DEFAULT_LANGUAGE = "en"
# The locale each language formats numbers and dates in: Belgian French, Dutch and German;
# British English for the international researchers English serves.
LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "de": "de_BE", "en": "en_GB"}
# Each language's name in itself, for the language chooser.
NATIVE_NAMES = {"fr": "Français", "nl": "Nederlands", "de": "Deutsch", "en": "English"}
# Where msgids come from: Python through its N_/_ calls, templates through Jinja's extractor.
METHOD_MAP = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]


HEADER_COMMENT = """\
# The Haven portal's messages in %(language)s.
# Kept in line with the code by `python -m portal.i18n`; every msgid needs a translation."""


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it yet."""
    return message


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


def read_catalogue(language: str) -> Catalog:
    """The message catalogue of ``language`` as Babel reads it."""
    path = po_path(language)
    try:
        with path.open("rb") as handle:
            return read_po(handle, locale=language)
    except (OSError, ValueError) as exc:
        raise TranslationsBroken(
            f"{path.relative_to(PORTAL)}: cannot be read ({type(exc).__name__})"
        ) from None


# Each .po file compiled to .mo bytes, by the file's path, modification time and size: a
# process that builds several apps (the tests, a reloading server) compiles each file once.
_COMPILED: dict[tuple[str, int, int], bytes] = {}


def _compiled(language: str) -> bytes:
    """``language``'s catalogue as .mo bytes, compiled once per version of its file."""
    path = po_path(language)
    try:
        found = path.stat()
        key: tuple[str, int, int] | None = (str(path), found.st_mtime_ns, found.st_size)
    except OSError:
        key = None  # not kept: read_catalogue says what is wrong with the file
    if key is not None and key in _COMPILED:
        return _COMPILED[key]
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(language))
    if key is not None:
        _COMPILED[key] = buffer.getvalue()
    return buffer.getvalue()


def load_translations() -> dict[str, Translations]:
    """Every language's translations, compiled in memory from its ``.po`` file."""
    return {language: Translations(io.BytesIO(_compiled(language))) for language in LANGUAGES}


def source_messages() -> set[str]:
    """Every msgid the portal's templates and Python code use."""
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(PORTAL), METHOD_MAP):
        if isinstance(message, tuple):  # ngettext: singular and plural
            found.update(m for m in message if m)
        elif message:
            found.add(message)
    return found


def parse_accept_language(header: str | None) -> list[str]:
    """The languages of an Accept-Language header that Haven has, best first (q-values
    respected, regions ignored: ``nl-BE`` is ``nl``)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().split("-")[0].lower()
        if language in LANGUAGES and quality > 0:
            ranked.append((-quality, position, language))
    return list(dict.fromkeys(language for _, _, language in sorted(ranked)))


def choose_language(
    asked: str | None, preference: str | None, cookie: str | None, accept_language: str | None
) -> str:
    """The visitor's language: ``?lang=``, then the signed-in user's stored preference, then
    the language cookie, then the browser's Accept-Language, then English."""
    for candidate in (asked, preference, cookie):
        if candidate in LANGUAGES:
            return candidate
    return next(iter(parse_accept_language(accept_language)), DEFAULT_LANGUAGE)


def number(value: float | int | None, language: str) -> str:
    """``value`` grouped and with the decimal mark of ``language``'s locale; an en dash if None."""
    return "–" if value is None else format_decimal(value, locale=LOCALES[language])


def percent(value: float | None, language: str) -> str:
    return "–" if value is None else format_percent(value, format="#,##0.#%", locale=LOCALES[language])


def long_date(value: date | datetime | str | None, language: str) -> str:
    """A date as people of ``language``'s locale write it in full (``3 mars 2026``)."""
    if value is None:
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format="long", locale=LOCALES[language])


def date_time(value: datetime, language: str) -> str:
    return format_datetime(value, format="medium", locale=LOCALES[language])


def update_catalogues(languages: Iterable[str] = LANGUAGES) -> dict[str, list[str]]:
    """Add every msgid the code uses to each catalogue (empty translation) and drop unused
    ones; returns per language the msgids still without a translation."""
    wanted = source_messages()
    untranslated = {}
    for language in languages:
        catalogue = read_catalogue(language) if po_path(language).is_file() else Catalog(locale=language)
        catalogue.project, catalogue.version, catalogue.fuzzy = "Haven portal", "1", False
        catalogue.copyright_holder = "the Haven contributors"
        catalogue.header_comment = HEADER_COMMENT % {"language": NATIVE_NAMES[language]}
        for message in list(catalogue):
            if message.id and message.id not in wanted:
                catalogue.delete(message.id)
        for msgid in sorted(wanted):
            if msgid not in catalogue:
                catalogue.add(msgid, "")
        po_path(language).parent.mkdir(parents=True, exist_ok=True)
        with po_path(language).open("wb") as handle:
            write_po(handle, catalogue, width=100, omit_header=False, sort_output=True)
        untranslated[language] = sorted(str(m.id) for m in catalogue if m.id and not m.string)
    return untranslated


if __name__ == "__main__":  # python -m portal.i18n: bring the catalogues in line with the code
    missing = update_catalogues()
    for language, msgids in missing.items():
        print(f"{language}: {len(msgids)} without a translation")
    sys.exit(1 if any(missing.values()) else 0)
