"""Clinical notes in Dutch, French or English with realistic personal data, and its ground truth.

Each classic or day stay gets a discharge letter (emergency stays a short report) in the
patient's language: Dutch in Flanders, French in Wallonia, mostly French in Brussels, and
English for about 2 % of notes, which gives roughly nl 58 %, fr 40 %, en 2 %. Notes are
assembled from templates, a piece at a time, so the exact character span of every piece
of personal data is known: names, dates, national register numbers (valid check digits),
addresses, phone numbers, e-mail addresses and IBANs (valid check digits). All of it is
synthetic. Offsets count Unicode code points, end exclusive (Python slicing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from common.schemas import CLINICAL_NOTES
from synthetic import fmt
from synthetic.hospital import Stays
from synthetic.population import People
from synthetic.reference import load

LANGUAGES = ("nl", "fr", "en")
PII_TYPES = ("PERSON", "DATE", "NISS", "ADDRESS", "PHONE", "EMAIL", "IBAN")
_MONTHS = {
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
_DOMAINS = ["gmail.com", "hotmail.com", "telenet.be", "skynet.be", "proximus.be", "outlook.com"]
_BANKS = [1, 63, 68, 83, 103, 310, 363, 377, 737, 751, 973, 979]

# A template is a list of literal text and (field, PII type or "") pairs.
Piece = str | tuple[str, str]
TEMPLATES: dict[str, list[list[Piece]]] = {
    "nl": [
        [
            "Ontslagbrief. Betreft: ",
            ("patient", "PERSON"),
            ", geboren op ",
            ("birth_long", "DATE"),
            ", rijksregisternummer ",
            ("niss_printed", "NISS"),
            ", wonende te ",
            ("address", "ADDRESS"),
            ". De patiënt werd opgenomen op ",
            ("admission", "DATE"),
            " en ontslagen op ",
            ("discharge", "DATE"),
            ". Hoofddiagnose: ",
            ("diagnosis", ""),
            ". Contact: ",
            ("phone", "PHONE"),
            " of ",
            ("email", "EMAIL"),
            ". Opvolging door de huisarts, dr. ",
            ("gp", "PERSON"),
            ", binnen twee weken.",
        ],
        [
            "Geachte collega ",
            ("gp", "PERSON"),
            ", wij zagen uw patiënt ",
            ("patient", "PERSON"),
            " (INSZ ",
            ("niss_raw", "NISS"),
            ", geboren ",
            ("birth_short", "DATE"),
            ") van ",
            ("admission", "DATE"),
            " tot ",
            ("discharge", "DATE"),
            " voor ",
            ("diagnosis", ""),
            ". Adres: ",
            ("address", "ADDRESS"),
            ", tel. ",
            ("phone", "PHONE"),
            ". Met collegiale groeten, dr. ",
            ("doctor", "PERSON"),
            ".",
        ],
        [
            "Verslag van ",
            ("discharge", "DATE"),
            ". ",
            ("patient", "PERSON"),
            ", ",
            ("address", "ADDRESS"),
            ". Rijksregister: ",
            ("niss_printed", "NISS"),
            ". Diagnose: ",
            ("diagnosis", ""),
            ". Terugbetaling op rekening ",
            ("iban", "IBAN"),
            ". E-mail patiënt: ",
            ("email", "EMAIL"),
            ".",
        ],
    ],
    "fr": [
        [
            "Lettre de sortie. Concerne : ",
            ("patient", "PERSON"),
            ", né(e) le ",
            ("birth_long", "DATE"),
            ", numéro de registre national ",
            ("niss_printed", "NISS"),
            ", domicilié(e) ",
            ("address", "ADDRESS"),
            ". Hospitalisé(e) du ",
            ("admission", "DATE"),
            " au ",
            ("discharge", "DATE"),
            ". Diagnostic principal : ",
            ("diagnosis", ""),
            ". Contact : ",
            ("phone", "PHONE"),
            " ou ",
            ("email", "EMAIL"),
            ". Suivi par le médecin traitant, le Dr ",
            ("gp", "PERSON"),
            ", dans les quinze jours.",
        ],
        [
            "Cher confrère ",
            ("gp", "PERSON"),
            ", nous avons vu votre patient(e) ",
            ("patient", "PERSON"),
            " (NISS ",
            ("niss_raw", "NISS"),
            ", né(e) le ",
            ("birth_short", "DATE"),
            ") du ",
            ("admission", "DATE"),
            " au ",
            ("discharge", "DATE"),
            " pour ",
            ("diagnosis", ""),
            ". Adresse : ",
            ("address", "ADDRESS"),
            ", tél. ",
            ("phone", "PHONE"),
            ". Bien confraternellement, Dr ",
            ("doctor", "PERSON"),
            ".",
        ],
        [
            "Rapport du ",
            ("discharge", "DATE"),
            ". ",
            ("patient", "PERSON"),
            ", ",
            ("address", "ADDRESS"),
            ". Registre national : ",
            ("niss_printed", "NISS"),
            ". Diagnostic : ",
            ("diagnosis", ""),
            ". Remboursement sur le compte ",
            ("iban", "IBAN"),
            ". Courriel du patient : ",
            ("email", "EMAIL"),
            ".",
        ],
    ],
    "en": [
        [
            "Discharge letter. Patient: ",
            ("patient", "PERSON"),
            ", born ",
            ("birth_long", "DATE"),
            ", national register number ",
            ("niss_printed", "NISS"),
            ", living at ",
            ("address", "ADDRESS"),
            ". Admitted on ",
            ("admission", "DATE"),
            " and discharged on ",
            ("discharge", "DATE"),
            ". Main diagnosis: ",
            ("diagnosis", ""),
            ". Contact: ",
            ("phone", "PHONE"),
            " or ",
            ("email", "EMAIL"),
            ". Follow-up by the GP, Dr ",
            ("gp", "PERSON"),
            ", within two weeks.",
        ],
        [
            "Dear Dr ",
            ("gp", "PERSON"),
            ", we saw your patient ",
            ("patient", "PERSON"),
            " (NISS ",
            ("niss_raw", "NISS"),
            ", born ",
            ("birth_short", "DATE"),
            ") from ",
            ("admission", "DATE"),
            " to ",
            ("discharge", "DATE"),
            " for ",
            ("diagnosis", ""),
            ". Address: ",
            ("address", "ADDRESS"),
            ", phone ",
            ("phone", "PHONE"),
            ". Kind regards, Dr ",
            ("doctor", "PERSON"),
            ".",
        ],
    ],
}


@dataclass(frozen=True)
class Notes:
    table: pa.Table
    spans: pa.Table  # note_id, start, end, type


def niss_numbers(birth: np.ndarray, male: np.ndarray, serial_draw: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """National register numbers with valid check digits: raw 11 digits and ``YY.MM.DD-SSS.CC``.

    ``serial_draw`` (0..498) picks the daily serial: odd for men, even for women. The check
    is ``97 - (YYMMDDSSS mod 97)``, with a 2 put before the nine digits for births in 2000+.
    """
    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    month = (birth.astype("datetime64[M]") - birth.astype("datetime64[Y]")).astype(np.int64) + 1
    day = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
    serial = 2 * serial_draw + np.where(male, 1, 2)
    base = (year % 100) * 10**7 + month * 10**5 + day * 10**3 + serial
    check = 97 - (base + np.where(year >= 2000, 2 * 10**9, 0)) % 97
    yy, mm, dd = fmt.zpad(year % 100, 2), fmt.zpad(month, 2), fmt.zpad(day, 2)
    sss, cc = fmt.zpad(serial, 3), fmt.zpad(check, 2)
    return fmt.join(yy, mm, dd, sss, cc), fmt.join(yy, ".", mm, ".", dd, "-", sss, ".", cc)


def ibans(rng: np.random.Generator, n: int) -> pa.Array:
    """Belgian IBANs (``BEkk bbbb bbbb bbbb``) whose account and IBAN check digits are valid."""
    account = np.array(_BANKS)[rng.integers(0, len(_BANKS), n)] * 10**7 + rng.integers(0, 10**7, n)
    check = account % 97
    bban = account * 100 + np.where(check == 0, 97, check)
    kk = 98 - (bban * 10**6 + 111400) % 97  # "BE00" moved to the end: B=11, E=14
    text = fmt.zpad(bban, 12)
    groups = [pc.utf8_slice_codeunits(text, i, i + 4) for i in (0, 4, 8)]
    return fmt.join("BE", fmt.zpad(kk, 2), " ", groups[0], " ", groups[1], " ", groups[2])


def _dates(start: date, offsets: np.ndarray, lang: str, long: bool) -> pa.Array:
    when = fmt.day0(start) + offsets.astype("timedelta64[D]")
    year = when.astype("datetime64[Y]").astype(np.int64) + 1970
    month = (when.astype("datetime64[M]") - when.astype("datetime64[Y]")).astype(np.int64)
    day = (when - when.astype("datetime64[M]")).astype(np.int64) + 1
    if long:
        return fmt.join(fmt.ints(day), " ", fmt.pick(_MONTHS[lang], month), " ", fmt.ints(year))
    sep = "-" if lang == "nl" else "/"
    return fmt.join(fmt.zpad(day, 2), sep, fmt.zpad(month + 1, 2), sep, fmt.ints(year))


def _names(rng: np.random.Generator, n: int, french: np.ndarray, male: np.ndarray) -> pa.Array:
    names = load("names")
    out = []
    for lang in ("nl", "fr"):
        first_m = names["value"][(names["language"] == lang) & (names["kind"] == "male")]
        first_f = names["value"][(names["language"] == lang) & (names["kind"] == "female")]
        last = names["value"][(names["language"] == lang) & (names["kind"] == "last")]
        first = np.where(
            male, first_m[rng.integers(0, len(first_m), n)], first_f[rng.integers(0, len(first_f), n)]
        )
        out.append(fmt.join(pa.array(first), " ", fmt.pick(last, rng.integers(0, len(last), n))))
    return pc.if_else(pa.array(french), out[1], out[0])


def _ascii_lower(text: pa.Array) -> pa.Array:
    plain = pc.utf8_normalize(pc.utf8_lower(text), form="NFKD")
    return pc.replace_substring_regex(plain, pattern="[^a-z0-9]", replacement="")


def _person_fields(rng: np.random.Generator, people: People) -> dict[str, pa.Array]:
    """Personal data of every person of the chunk, drawn once so each person's notes agree."""
    n = len(people)
    streets, postcodes = load("streets"), load("postcodes")
    fr_first = _names(rng, n, people.french, people.male)
    parts = pc.split_pattern(fr_first, " ", max_splits=1)
    first = pc.list_element(parts, 0)
    last = pc.list_element(parts, 1)
    niss_raw, niss_printed = niss_numbers(people.birth, people.male, rng.integers(0, 499, n))
    fr_streets = streets["value"][streets["language"] == "fr"]
    nl_streets = streets["value"][streets["language"] == "nl"]
    street = np.where(
        people.french,
        fr_streets[rng.integers(0, len(fr_streets), n)],
        nl_streets[rng.integers(0, len(nl_streets), n)],
    )
    address = fmt.join(
        pa.array(street),
        " ",
        fmt.ints(rng.integers(1, 250, n)),
        ", ",
        fmt.pick(postcodes["postcode"], people.postcode),
        " ",
        fmt.pick(postcodes["municipality"], people.postcode),
    )
    a, b, c, d = (rng.integers(60 if i == 0 else 0, 100, n) for i in range(4))
    style = rng.integers(0, 3, n)
    a2, b2, c2, d2 = fmt.zpad(a, 2), fmt.zpad(b, 2), fmt.zpad(c, 2), fmt.zpad(d, 2)
    phone = pc.case_when(
        pc.make_struct(pa.array(style == 0), pa.array(style == 1)),
        fmt.join("04", a2, " ", b2, " ", c2, " ", d2),
        fmt.join("04", a2, "/", b2, ".", c2, ".", d2),
        fmt.join("+32 4", a2, " ", b2, " ", c2, " ", d2),
    )
    suffix = pc.if_else(pa.array(rng.random(n) < 0.3), fmt.zpad(rng.integers(0, 100, n), 2), "")
    email = fmt.join(
        _ascii_lower(first),
        ".",
        _ascii_lower(last),
        suffix,
        "@",
        fmt.pick(_DOMAINS, rng.integers(0, len(_DOMAINS), n)),
    )
    return {
        "patient": fr_first,
        "niss_raw": niss_raw,
        "niss_printed": niss_printed,
        "address": address,
        "phone": phone,
        "email": email,
        "iban": ibans(rng, n),
        "gp": _names(rng, n, people.french, rng.random(n) < 0.5),
    }


# Long on purpose: each kind of note and its PII spans are written side by side, so the
# ground truth can be checked against the text by eye.
def notes(
    rng: np.random.Generator, people: People, hospital_stays: Stays, start: date, first_id: int
) -> Notes:
    """Notes of one chunk's stays and their PII spans; ``note_id`` numbers start at ``first_id``."""
    icd = load("icd10cm")
    keep = rng.random(len(hospital_stays.owner)) < np.array([0.9, 0.35, 0.5])[hospital_stays.stay_type]
    stay = np.flatnonzero(keep)
    owner = hospital_stays.owner[stay]
    m = len(stay)
    lang = np.where(people.french[owner], 1, 0)
    lang = np.where(rng.random(m) < 0.02, 2, lang)
    written = hospital_stays.discharge[stay] + (rng.random(m) < 0.3)
    person = _person_fields(rng, people)
    doctor = _names(rng, m, people.french[owner], rng.random(m) < 0.5)
    template = rng.integers(0, 3, m)
    texts: list[pa.Array] = []
    rows: list[np.ndarray] = []
    span_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, str]] = []
    for li, language in enumerate(LANGUAGES):
        for ti, pieces in enumerate(TEMPLATES[language]):
            rows_here = np.flatnonzero((lang == li) & (template % len(TEMPLATES[language]) == ti))
            if len(rows_here) == 0:
                continue
            o, s = owner[rows_here], stay[rows_here]
            take = pa.array(o)
            born = (people.birth[o] - fmt.day0(start)).astype(np.int64)
            fields: dict[str, pa.Array] = {
                **{k: v.take(take) for k, v in person.items()},
                "doctor": doctor.take(pa.array(rows_here)),
                "birth_long": _dates(start, born, language, True),
                "birth_short": _dates(start, born, language, False),
                "admission": _dates(start, hospital_stays.admission[s], language, bool(ti % 2)),
                "discharge": _dates(start, hospital_stays.discharge[s], language, bool(ti % 2)),
                "diagnosis": fmt.pick(icd[f"label_{language}"], hospital_stays.main[s]),
            }
            offset = np.zeros(len(rows_here), dtype=np.int64)
            values: list[pa.Array | str] = []
            for piece in pieces:
                if isinstance(piece, str):
                    values.append(piece)
                    offset += len(piece)
                    continue
                value = fields[piece[0]]
                length = pc.utf8_length(value).to_numpy().astype(np.int64)
                if piece[1]:
                    span_parts.append((rows_here, offset.copy(), offset + length, piece[1]))
                values.append(value)
                offset += length
            texts.append(fmt.join(*values))
            rows.append(rows_here)
    order = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    inverse = np.empty(m, dtype=np.int64)
    inverse[order] = np.arange(m)
    text = pa.concat_arrays(texts).take(pa.array(inverse)) if texts else pa.array([], pa.string())
    note_id = fmt.ident("N", np.arange(first_id, first_id + m), 9)
    columns = {
        "note_id": note_id,
        "stay_id": hospital_stays.stay_id.take(pa.array(stay)),
        "pid": pa.array(people.pid).take(pa.array(owner)),
        "note_date": fmt.dates(start, written),
        "note_type": fmt.pick(
            ["discharge_letter", "discharge_letter", "emergency_report"], hospital_stays.stay_type[stay]
        ),
        "language": fmt.pick(list(LANGUAGES), lang),
        "text": text,
    }
    table = pa.table([columns[c] for c in CLINICAL_NOTES.names], names=CLINICAL_NOTES.names)
    if span_parts:
        note = np.concatenate([p[0] for p in span_parts])
        begin = np.concatenate([p[1] for p in span_parts])
        end = np.concatenate([p[2] for p in span_parts])
        kind = np.concatenate([np.full(len(p[0]), PII_TYPES.index(p[3])) for p in span_parts])
    else:
        note = begin = end = kind = np.zeros(0, dtype=np.int64)
    o = np.lexsort((begin, note))
    spans = pa.table(
        {
            "note_id": note_id.take(pa.array(note[o])),
            "start": fmt.ints(begin[o]),
            "end": fmt.ints(end[o]),
            "type": fmt.pick(list(PII_TYPES), kind[o]),
        }
    )
    return Notes(table, spans)
