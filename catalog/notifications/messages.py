"""What a notification says, in French, Dutch, German and English: one line per kind of
change and audience (the portal's list and the mail's subject), and the mail's short body.

Words name the object by its id and say what changed; never a reason, a title, a value or
anything else someone typed. ``tests/portal/test_notifications.py`` checks that every kind
has all four languages.
"""

from __future__ import annotations

from catalog.notifications.domain import Audience, Notification

A, P, S = Audience.AUTHOR, Audience.PARTY, Audience.STEWARD
LANGUAGES = ("fr", "nl", "de", "en")
DEFAULT_LANGUAGE = "en"

# (audit action, audience) -> language -> one line; ``{id}`` is the object's id.
TITLES: dict[tuple[str, Audience], dict[str, str]] = {
    ("application.submitted", S): {
        "en": "Application {id} was submitted and is waiting for review",
        "fr": "La demande {id} a été introduite et attend un examen",
        "nl": "Aanvraag {id} is ingediend en wacht op beoordeling",
        "de": "Antrag {id} wurde eingereicht und wartet auf Prüfung",
    },
    ("application.submitted", P): {
        "en": "Application {id}, which names you, was submitted",
        "fr": "La demande {id}, qui vous désigne, a été introduite",
        "nl": "Aanvraag {id}, waarin u vermeld wordt, is ingediend",
        "de": "Antrag {id}, in dem Sie genannt sind, wurde eingereicht",
    },
    ("application.resubmitted", S): {
        "en": "Application {id} was completed and resubmitted; it is waiting for review",
        "fr": "La demande {id} a été complétée et réintroduite ; elle attend un examen",
        "nl": "Aanvraag {id} is aangevuld en opnieuw ingediend; ze wacht op beoordeling",
        "de": "Antrag {id} wurde ergänzt und erneut eingereicht; er wartet auf Prüfung",
    },
    ("application.resubmitted", P): {
        "en": "Application {id} was completed and resubmitted",
        "fr": "La demande {id} a été complétée et réintroduite",
        "nl": "Aanvraag {id} is aangevuld en opnieuw ingediend",
        "de": "Antrag {id} wurde ergänzt und erneut eingereicht",
    },
    ("application.marked_incomplete", P): {
        "en": "Application {id} is incomplete: complete it so that it can be decided",
        "fr": "La demande {id} est incomplète : complétez-la pour qu'une décision puisse être prise",
        "nl": "Aanvraag {id} is onvolledig: vul ze aan zodat erover beslist kan worden",
        "de": "Antrag {id} ist unvollständig: ergänzen Sie ihn, damit über ihn entschieden werden kann",
    },
    ("application.approved", P): {
        "en": "Application {id} was approved: the data permit is granted",
        "fr": "La demande {id} a été approuvée : le permis d'accès aux données est accordé",
        "nl": "Aanvraag {id} is goedgekeurd: de datavergunning is verleend",
        "de": "Antrag {id} wurde genehmigt: die Datengenehmigung ist erteilt",
    },
    ("application.rejected", P): {
        "en": "Application {id} was rejected; the decision gives the reason",
        "fr": "La demande {id} a été refusée ; la décision en donne la raison",
        "nl": "Aanvraag {id} is afgewezen; de beslissing vermeldt de reden",
        "de": "Antrag {id} wurde abgelehnt; die Entscheidung nennt den Grund",
    },
    ("application.refused", P): {
        "en": "Application {id} was refused at once: its purpose is not permitted",
        "fr": "La demande {id} a été refusée d'emblée : sa finalité n'est pas autorisée",
        "nl": "Aanvraag {id} is meteen geweigerd: het doel ervan is niet toegestaan",
        "de": "Antrag {id} wurde sofort abgelehnt: sein Zweck ist nicht zulässig",
    },
    ("application.lapsed", P): {
        "en": "Application {id} lapsed: it was not completed within four weeks",
        "fr": "La demande {id} est caduque : elle n'a pas été complétée dans les quatre semaines",
        "nl": "Aanvraag {id} is vervallen: ze werd niet binnen vier weken aangevuld",
        "de": "Antrag {id} ist verfallen: er wurde nicht innerhalb von vier Wochen ergänzt",
    },
    ("permit.activated", P): {
        "en": "Permit {id} is active: its data are ready in the secure processing environment",
        "fr": "Le permis {id} est actif : ses données sont prêtes "
        "dans l'environnement de traitement sécurisé",
        "nl": "Vergunning {id} is actief: de gegevens staan klaar in de beveiligde verwerkingsomgeving",
        "de": "Genehmigung {id} ist aktiv: ihre Daten stehen in der sicheren Verarbeitungsumgebung bereit",
    },
    ("permit.revoked", P): {
        "en": "Permit {id} was revoked: its data can no longer be used",
        "fr": "Le permis {id} a été révoqué : ses données ne peuvent plus être utilisées",
        "nl": "Vergunning {id} is ingetrokken: de gegevens mogen niet meer gebruikt worden",
        "de": "Genehmigung {id} wurde widerrufen: ihre Daten dürfen nicht mehr verwendet werden",
    },
    ("permit.expired", P): {
        "en": "Permit {id} has expired: its data can no longer be used",
        "fr": "Le permis {id} a expiré : ses données ne peuvent plus être utilisées",
        "nl": "Vergunning {id} is verlopen: de gegevens mogen niet meer gebruikt worden",
        "de": "Genehmigung {id} ist abgelaufen: ihre Daten dürfen nicht mehr verwendet werden",
    },
    ("output.requested", S): {
        "en": "Output release request {id} is waiting for review",
        "fr": "La demande de sortie de résultats {id} attend un examen",
        "nl": "Vrijgaveverzoek {id} voor resultaten wacht op beoordeling",
        "de": "Freigabeantrag {id} für Ergebnisse wartet auf Prüfung",
    },
    ("output.review_started", A): {
        "en": "The review of your output release request {id} has started",
        "fr": "L'examen de votre demande de sortie de résultats {id} a commencé",
        "nl": "De beoordeling van uw vrijgaveverzoek {id} is begonnen",
        "de": "Die Prüfung Ihres Freigabeantrags {id} hat begonnen",
    },
    ("output.released", A): {
        "en": "Your output {id} was released: you can download it",
        "fr": "Votre résultat {id} a été libéré : vous pouvez le télécharger",
        "nl": "Uw resultaat {id} is vrijgegeven: u kunt het downloaden",
        "de": "Ihr Ergebnis {id} wurde freigegeben: Sie können es herunterladen",
    },
    ("output.rejected", A): {
        "en": "Your output release request {id} was rejected; the reviews give the reasons",
        "fr": "Votre demande de sortie de résultats {id} a été refusée ; les examens en donnent les raisons",
        "nl": "Uw vrijgaveverzoek {id} is afgewezen; de beoordelingen vermelden de redenen",
        "de": "Ihr Freigabeantrag {id} wurde abgelehnt; die Prüfungen nennen die Gründe",
    },
    ("output.withdrawn", S): {
        "en": "Output release request {id} was withdrawn by its author: it needs no review",
        "fr": "La demande de sortie de résultats {id} a été retirée par son auteur : "
        "elle ne doit plus être examinée",
        "nl": "Vrijgaveverzoek {id} is door de auteur ingetrokken: het hoeft niet meer beoordeeld te worden",
        "de": "Freigabeantrag {id} wurde von seinem Autor zurückgezogen: er muss nicht mehr geprüft werden",
    },
}

BODIES = {
    "en": "{title}.\n\nSee it in the Haven portal: {link}\n\n"
    "You receive this e-mail because this change concerns you. All your notifications: {inbox}\n",
    "fr": "{title}.\n\nVoir dans le portail Haven : {link}\n\n"
    "Vous recevez ce courriel parce que ce changement vous concerne. Toutes vos notifications : {inbox}\n",
    "nl": "{title}.\n\nBekijk het in het Haven-portaal: {link}\n\n"
    "U ontvangt deze e-mail omdat deze wijziging u aangaat. Al uw meldingen: {inbox}\n",
    "de": "{title}.\n\nIm Haven-Portal ansehen: {link}\n\n"
    "Sie erhalten diese E-Mail, weil diese Änderung Sie betrifft. Alle Ihre Benachrichtigungen: {inbox}\n",
}


def _language(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def title(notification: Notification, language: str | None) -> str:
    """The notification's one line in ``language`` (English when it has none)."""
    words = TITLES[(notification.action, notification.audience)]
    return words[_language(language)].format(id=notification.object_id)


def subject(notification: Notification, language: str | None) -> str:
    return f"Haven: {title(notification, language)}"


def body(notification: Notification, language: str | None, portal_url: str) -> str:
    """The mail's text: what changed, the link to the object, the link to all notifications."""
    base = portal_url.rstrip("/")
    return BODIES[_language(language)].format(
        title=title(notification, language), link=base + notification.path, inbox=base + "/notifications"
    )
