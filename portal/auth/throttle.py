"""Sign-in throttling: after too many failures in a window, an account (whoever tries it) and
a client address (whichever accounts it tries) are held until the window has passed.

Failures are counted in this process's memory, in a sliding window; a portal run as several
processes counts in each, so the limits multiply by the number of workers (say so when
sizing them). Being held is audited by the caller as a refused sign-in.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import datetime, timedelta


class SignInThrottle:
    """Counts failed sign-ins per account and per address; ``held`` says whether to refuse."""

    def __init__(
        self,
        *,
        per_account: int,
        per_address: int,
        window: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self._limits = {"account": per_account, "address": per_address}
        self._window = window
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[datetime]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str]) -> deque[datetime]:
        failures = self._failures[key]
        cutoff = self._clock() - self._window
        while failures and failures[0] <= cutoff:
            failures.popleft()
        return failures

    def held(self, account: str, address: str | None) -> bool:
        """Whether a sign-in to ``account`` from ``address`` must be refused without trying it."""
        with self._lock:
            keys = [("account", account.lower())]
            if address:
                keys.append(("address", address))
            return any(len(self._recent(key)) >= self._limits[key[0]] for key in keys)

    def address_held(self, address: str | None) -> bool:
        """Whether sign-ins from ``address`` must be refused (sign-in through an identity
        provider, where no account is typed, counts per address only)."""
        with self._lock:
            return bool(address) and len(self._recent(("address", address or ""))) >= self._limits["address"]

    def address_failed(self, address: str | None) -> None:
        """Count one failed sign-in from ``address``."""
        if address:
            with self._lock:
                self._recent(("address", address)).append(self._clock())

    def failed(self, account: str, address: str | None) -> None:
        """Count one failed sign-in."""
        with self._lock:
            now = self._clock()
            self._recent(("account", account.lower())).append(now)
            if address:
                self._recent(("address", address)).append(now)

    def succeeded(self, account: str) -> None:
        """A right password clears the account's count (not the address's)."""
        with self._lock:
            self._failures.pop(("account", account.lower()), None)


class AddressRate:
    """Counts requests per client address in a sliding window; ``allow`` says whether one more
    may go through (and counts it). In this process's memory, like ``SignInThrottle``; only
    the address is kept, never what the request carried."""

    def __init__(self, *, per_address: int, window: timedelta, clock: Callable[[], datetime]) -> None:
        self._limit = per_address
        self._window = window
        self._clock = clock
        self._seen: dict[str, deque[datetime]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, address: str | None) -> bool:
        with self._lock:
            now = self._clock()
            seen = self._seen[address or "unknown"]
            while seen and seen[0] <= now - self._window:
                seen.popleft()
            if len(seen) >= self._limit:
                return False
            seen.append(now)
            return True
