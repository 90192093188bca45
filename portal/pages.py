"""Server-rendered pages: one Jinja environment per language, each with its translations
installed, and the helper every route renders through.

Autoescaping is on, undefined variables fail, and the locale filters (``number``,
``percent``, ``date``, ``datetime``) format in the page's language. Every page gets the
visitor, its language and the CSRF token its forms carry.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.support import Translations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from catalog.datasets.metadata import LANGUAGES
from catalog.people.domain import User
from catalog.people.roles import Operation, can
from portal import i18n, vocabulary
from portal.applications import vocabulary as words

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
HTMX = STATIC / "vendor" / "htmx.min.js"
VEGA = STATIC / "vendor" / "vega-embed.min.js"


def _may(user: User | None, operation: str) -> bool:
    """Whether ``user`` may do ``operation`` (``catalog.people.roles``): menus show only what works."""
    return user is not None and can(user, Operation(operation))


def _environment(language: str, translations: Translations) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        number=partial(i18n.number, language=language),
        percent=partial(i18n.percent, language=language),
        date=partial(i18n.long_date, language=language),
        datetime=partial(i18n.date_time, language=language),
    )
    env.globals.update(
        lang=language,
        languages=LANGUAGES,
        native_names=i18n.NATIVE_NAMES,
        role_names=vocabulary.ROLES,
        words=words,  # names of the permit codes: purposes, organisation types, states
        htmx=HTMX.is_file(),  # vendored by project setup; every page works without it
        vega=VEGA.is_file(),  # likewise: dashboards draw live charts with it, SVG and tables without
        may=_may,
    )
    return env


class Pages:
    """The templates in each language, and the translations for Python-side strings."""

    def __init__(self, translations: dict[str, Translations]) -> None:
        self.translations = translations
        self.environments = {lang: _environment(lang, translations[lang]) for lang in LANGUAGES}

    def gettext(self, language: str) -> Any:
        """``_`` for Python code rendering in ``language``."""
        return self.translations[language].gettext

    def render(self, request: Request, name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        """``name`` rendered in the visitor's language (English when the request has no visitor)."""
        visitor = getattr(request.state, "visitor", None)
        language = visitor.language if visitor else context.pop("language", i18n.DEFAULT_LANGUAGE)
        template = self.environments[language].get_template(name)
        html = template.render(request=request, visitor=visitor, here=_here(request), **context)
        return HTMLResponse(html, status_code=status)


def _here(request: Request) -> str:
    """This page's path and query without ``lang``: where the language chooser comes back to."""
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "lang"])
    return request.url.path + (f"?{query}" if query else "")


def pages_of(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages
