"""The SPE service's own memory bound, beside DuckDB's per-session memory limit.

DuckDB's ``memory_limit`` covers its buffer manager, not every allocation: strings and lists
a scalar function builds can grow past it until the kernel kills the process (or, under a
global shortage, a neighbour). The service therefore caps its address space (``RLIMIT_AS``,
Linux) once warm: an allocation past the cap fails inside the query, DuckDB raises its
out-of-memory error, and the query is refused as over its memory limit.
"""

from __future__ import annotations

import resource
from pathlib import Path

from common.settings import Settings

_UNITS = {"KB": 1000, "MB": 1000**2, "GB": 1000**3, "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3}
_STACK = 8 * 1024**2


def size_in_bytes(text: str) -> int:
    """``"1GB"``, ``"512 MiB"`` (the settings' memory limits) in bytes."""
    number = text.rstrip("KMGiBb \t")
    return int(float(number) * _UNITS[text[len(number) :].strip().upper()])


def address_space_cap(settings: Settings, in_use: int, connections: int) -> int:
    """The address space the service may reach: what it uses once warm, twice each session's
    memory limit, a stack per connection and 2 GiB for allocators and the rest."""
    sessions = settings.spe_service_sessions * 2 * size_in_bytes(settings.spe_memory_limit)
    return in_use + sessions + connections * _STACK + 2 * 1024**3


def _address_space_in_use() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def cap_address_space(settings: Settings, connections: int) -> int | None:
    """Bound the process's address space (Linux): DuckDB's memory limit does not cover every
    allocation (strings and lists a function builds), and past this cap an allocation fails
    inside the query, which is refused as over its memory limit, instead of the kernel
    killing the service, or another process, for want of memory. The cap in bytes, or None."""
    in_use = _address_space_in_use()
    if in_use is None:
        return None
    cap = address_space_cap(settings, in_use, connections)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft == resource.RLIM_INFINITY or soft > cap:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    return cap
