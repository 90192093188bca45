"""References people see and type: a kind, the year, then a part nobody can guess.

Application, permit and output-request ids appear in URLs, mails and the transparency
register. A counter would tell anyone how many exist and let them walk the sequence; so the
part after the year is random: 10 characters from an alphabet without look-alikes (no 0/o,
1/l/i), about 49 bits. Access is still decided by the policies, never by the id being secret.
"""

from __future__ import annotations

import secrets
from datetime import datetime

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LENGTH = 10


def new_reference(kind: str, at: datetime) -> str:
    """``kind-YYYY-xxxxxxxxxx``, for example ``out-2026-k7q2m9x4pz``."""
    return f"{kind}-{at:%Y}-" + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
