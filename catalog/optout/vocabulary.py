"""The closed vocabulary of the opt-out registry: actions, channels, sources."""

from __future__ import annotations

from enum import StrEnum


class OptOutAction(StrEnum):
    """What a citizen asks for: object to secondary use, or withdraw that objection (Art 71)."""

    OPTOUT = "optout"
    WITHDRAWAL = "withdrawal"


class OptOutChannel(StrEnum):
    """How the request reached the platform ("click, call, connect")."""

    ONLINE = "online"
    PHONE = "phone"
    DESK = "desk"


# Channels where an agent takes the request on the citizen's behalf and must be named.
AGENT_CHANNELS = frozenset({OptOutChannel.PHONE, OptOutChannel.DESK})


class OptOutSource(StrEnum):
    """Which component recorded an opt-out event."""

    CLI = "cli"
    FEED = "feed"
    PORTAL = "portal"


class Outcome(StrEnum):
    """What a request came to: recorded, or nothing to do because the state was already so."""

    RECORDED = "recorded"
    ALREADY_OPTED_OUT = "already_opted_out"  # an opt-out while one is in force
    NOTHING_TO_WITHDRAW = "nothing_to_withdraw"  # a withdrawal without an opt-out in force


# A TTP pid is an opaque token: letters, digits and a few separators, at most 128 characters.
# The registry checks events with it, and silver checks the landing feed with it in Spark.
PID_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"
