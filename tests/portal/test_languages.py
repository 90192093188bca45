"""Four equal languages: every msgid of the templates and the Python code has a translation in
each catalogue, the visitor's language is chosen as documented, and numbers and dates follow
the language's locale."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from catalog.datasets.descriptions import publish
from catalog.datasets.metadata import LANGUAGES
from catalog.db.gateway import unit_of_work
from common.layout import Source
from common.settings import Settings
from jobs.catalogue_facts import rule_facts
from portal import i18n
from portal.errors import TranslationsBroken
from portal.i18n import choose_language, parse_accept_language, read_catalogue, source_messages
from tests.portal.conftest import ACCOUNTS, csrf_token, sign_in

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_the_code_uses_messages_in_templates_and_python() -> None:
    found = source_messages()
    assert {"Skip to main content", "Enter your password.", "Completeness", "Page not found"} <= found
    assert len(found) > 150


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_translation(language: str) -> None:
    catalogue = read_catalogue(language)
    wanted = source_messages()
    missing = sorted(m for m in wanted if m not in catalogue or not catalogue[m].string)
    assert missing == [], f"{language}: run `python -m portal.i18n` and translate these"
    unused = sorted(str(m.id) for m in catalogue if m.id and m.id not in wanted)
    assert unused == []
    for message in catalogue:
        if message.id:
            assert set(PLACEHOLDER.findall(str(message.string))) == set(
                PLACEHOLDER.findall(str(message.id))
            ), message.id


@pytest.mark.parametrize(
    ("asked", "preference", "cookie", "header", "chosen"),
    [
        ("de", "fr", "nl", "en", "de"),
        (None, "fr", "nl", "en", "fr"),
        ("xx", None, "nl", "en", "nl"),
        (None, None, None, "es, nl-BE;q=0.8, fr;q=0.9", "fr"),
        (None, None, None, "es, it", "en"),
        (None, None, None, None, "en"),
    ],
)
def test_the_language_is_chosen_in_order(
    asked: str | None, preference: str | None, cookie: str | None, header: str | None, chosen: str
) -> None:
    assert choose_language(asked, preference, cookie, header) == chosen


def test_accept_language_weights() -> None:
    assert parse_accept_language("de-BE;q=0.5, nl;q=0.7, fr;q=0, en") == ["en", "nl", "de"]


@pytest.fixture
def counted(settings: Settings) -> Settings:
    """Claims published with figures big enough to show the locale's grouping."""
    facts = replace(
        rule_facts(Source.CLAIMS),
        silver_version=1,
        records=1234567,
        persons=45678,
        first_date=date(2025, 1, 1),
        last_date=date(2025, 12, 31),
    )
    with unit_of_work(settings) as store:
        publish(store, "claims", facts)
    return settings


def test_a_french_page(client: TestClient, counted: Settings) -> None:
    html = client.get("/datasets/claims", headers={"accept-language": "fr-BE"}).text
    assert '<html lang="fr">' in html and "<h2>À propos des données</h2>" in html
    assert "<dd>1\u202f234\u202f567</dd>" in html and "<dd>45\u202f678</dd>" in html
    assert "du 1 janvier 2025 au 31 décembre 2025" in html
    assert "Aller au contenu principal" in html


def test_a_dutch_page(client: TestClient, counted: Settings) -> None:
    html = client.get("/datasets/claims?lang=nl").text
    assert '<html lang="nl">' in html and "<h2>Over de gegevens</h2>" in html
    assert "<dd>1.234.567</dd>" in html and "<dd>45.678</dd>" in html
    assert "van 1 januari 2025 tot 31 december 2025" in html
    listing = client.get("/datasets?lang=nl").text
    assert "Catalogus van datasets" in listing and "<dd>1.234.567</dd>" in listing


def test_the_chosen_language_is_kept_for_the_account(client: TestClient, settings: Settings) -> None:
    sign_in(client, ACCOUNTS["citizen"])
    chosen = client.post(
        "/language",
        data={"lang": "de", "next": "/datasets?q=x&lang=fr", "csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/datasets?q=x&lang=fr"
    client.cookies.delete("haven_lang")  # the account remembers, not only the browser
    assert '<html lang="de">' in client.get("/").text
    assert "Willkommen" in client.get("/", headers={"accept-language": "nl"}).text
    assert '<html lang="fr">' in client.get("/?lang=fr").text


def test_signed_out_the_choice_is_kept_in_a_cookie(client: TestClient) -> None:
    kept = client.post(
        "/language",
        data={"lang": "nl", "next": "https://elsewhere.example/", "csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert kept.headers["location"] == "/"  # never away from the portal
    assert '<html lang="nl">' in client.get("/").text
    refused = client.post("/language", data={"lang": "xx", "csrf_token": csrf_token(client)})
    assert refused.status_code == 400


def test_an_edited_catalogue_is_compiled_again_and_a_broken_one_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    monkeypatch.setattr(i18n, "PORTAL", tmp_path)  # messages name the file from here
    assert i18n.load_translations()["fr"].gettext("Sign in") == "Se connecter"
    french = i18n.po_path("fr")
    french.write_text(french.read_text().replace('msgstr "Se connecter"', 'msgstr "Connexion"'))
    assert i18n.load_translations()["fr"].gettext("Sign in") == "Connexion"
    french.write_bytes(b'msgid "Sign in"\nmsgstr "\xff\xfe"\n')  # not UTF-8
    with pytest.raises(
        TranslationsBroken,
        match=r"^locale/fr/LC_MESSAGES/messages.po: cannot be read \(UnicodeDecodeError\)$",
    ):
        i18n.load_translations()
