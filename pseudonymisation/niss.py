"""The Belgian national register number (NISS/INSZ/RRN) and the BIS number: validation.

Format: 11 digits ``YYMMDDSSSCC``, usually printed ``YY.MM.DD-SSS.CC``; also met as
``YYMMDD-SSS-CC``, ``YYMMDD SSS CC`` or ``YY MM DD SSS CC``. ``SSS`` is a daily serial
(odd for men, even for women), ``CC`` the check digits:

* born before 2000: ``CC = 97 - (YYMMDDSSS mod 97)``;
* born in 2000 or later: ``CC = 97 - (2YYMMDDSSS mod 97)`` (a ``2`` put in front).

``2 000 000 000 mod 97`` is not 0, so at most one rule matches, which tells the century.
BIS numbers (people outside the national register) add 20 to the month when the sex is
unknown and 40 when it is known; an unknown month or day is coded ``00``.

Source: Royal Decree of 3 April 1984 and the national register's public description of the
number; the BIS rules are those of the Crossroads Bank for Social Security.

Known limits, chosen on purpose because this validator guards against leaks (a miss is
worse than a false alarm): the calendar date is not checked (``31`` February passes, as do
month ``00`` with a known day), serials ``998``/``999`` pass, and the post-2000 rule is not
limited to years up to the current one. Serial ``000`` is rejected (serials start at 001).
About 2 % of random 11-digit strings with a plausible month and day pass the checksum.
"""

from __future__ import annotations

import re

# One candidate in any usual format: groups 2-2-2-3-2 with at most one separator (dot,
# white space or dash) between groups, not inside a longer run of digits. The same
# pattern is valid in Python's ``re``/``regex`` and in Java, so the Spark detector
# (``pseudonymisation.spark_niss``) and the Presidio recogniser find the same candidates.
# White space is spelled out because ``\s`` means ASCII white space in Java but any Unicode
# white space in Python.
_SEP = r"[-. \t\n\r\f\x0B]?"
_GROUPS = f"[0-9]{{2}}{_SEP}[0-9]{{2}}{_SEP}[0-9]{{2}}{_SEP}[0-9]{{3}}{_SEP}[0-9]{{2}}"
NISS_CANDIDATE = f"(?<![0-9]){_GROUPS}(?![0-9])"
# A whole value that is one number (surrounding white space allowed).
NISS_WHOLE = f"^[ \\t\\n\\r\\f\\x0B]*{_GROUPS}[ \\t\\n\\r\\f\\x0B]*$"
_CANDIDATE = re.compile(NISS_CANDIDATE)
_WHOLE = re.compile(_GROUPS)

POST_2000_PREFIX = 2_000_000_000
# Month ranges: register (0-12, 0 = unknown), BIS sex unknown (+20), BIS sex known (+40).
MONTH_RANGES = ((0, 12), (20, 32), (40, 52))


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def check_digits_match(digits: str) -> bool:
    """True when the last two of 11 digits are the check digits of the first nine under
    the pre-2000 or the post-2000 rule."""
    base, check = int(digits[:9]), int(digits[9:11])
    return 97 - base % 97 == check or 97 - (POST_2000_PREFIX + base) % 97 == check


def born_after_1999(digits: str) -> bool | None:
    """Which rule matched: True for the post-2000 rule, False for pre-2000, None for neither."""
    base, check = int(digits[:9]), int(digits[9:11])
    if 97 - base % 97 == check:
        return False
    if 97 - (POST_2000_PREFIX + base) % 97 == check:
        return True
    return None


def plausible_birth_fields(digits: str) -> bool:
    """Month within the register or BIS ranges, day 00-31, serial not 000."""
    month, day, serial = int(digits[2:4]), int(digits[4:6]), int(digits[6:9])
    month_ok = any(low <= month <= high for low, high in MONTH_RANGES)
    return month_ok and 0 <= day <= 31 and serial != 0


def is_valid_niss(text: str) -> bool:
    """True when ``text`` (surrounding white space ignored) is one national register or BIS
    number in a usual format whose check digits and month/day rules hold."""
    if not isinstance(text, str):
        return False
    candidate = text.strip(" \t\n\r\f\x0b")
    if not _WHOLE.fullmatch(candidate):
        return False
    digits = _digits(candidate)
    return len(digits) == 11 and plausible_birth_fields(digits) and check_digits_match(digits)


def contains_niss(text: str | None) -> bool:
    """True when ``text`` holds a valid number anywhere (the Python twin of the Spark
    detector in ``pseudonymisation.spark_niss``)."""
    if not text:
        return False
    return any(is_valid_niss(m.group(0)) for m in _CANDIDATE.finditer(text))


def make_niss(yy: int, mm: int, dd: int, serial: int, *, after_1999: bool = False) -> str:
    """A valid 11-digit number for the given fields (for tests and synthetic data only)."""
    base = int(f"{yy:02d}{mm:02d}{dd:02d}{serial:03d}")
    check = 97 - ((POST_2000_PREFIX if after_1999 else 0) + base) % 97
    return f"{base:09d}{check:02d}"


__all__ = ["NISS_CANDIDATE", "NISS_WHOLE", "contains_niss", "is_valid_niss", "make_niss"]
