"""Matrix products for spaCy's NER: numpy's OpenBLAS on one thread, where that is possible.

Most of the French NER's time is matrix products. thinc computes them with cython-blis by
default, whose bundled BLIS selects its generic, unvectorised kernels on the development
machine (``BLIS_ARCH_DEBUG=1`` prints ``selecting sub-configuration 'generic'``), while
numpy's OpenBLAS selects AVX2 kernels. OpenBLAS starts a thread per core, though, and on a
shared machine or next to other Spark workers those threads wait for each other: on
2 cores under load, OpenBLAS was 1.5x slower than blis with two threads and 1.7x faster
with one (French NER over 660 notes: blis 0.91-0.99 s, OpenBLAS 1.39-1.60 s on two threads,
0.53-0.58 s on one; the same entities in all three).

So the engine loads its spaCy model with thinc's numpy ops only where ``one_blas_thread``
can limit OpenBLAS for the calling thread (``openblas_set_num_threads_local``, OpenBLAS
0.3.27 and later; found among the libraries the process has loaded, as threadpoolctl finds
them), and keeps spaCy's default otherwise.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

_SETTER = "openblas_set_num_threads_local"


@lru_cache(maxsize=1)
def _openblas() -> ctypes.CDLL | None:
    """numpy's OpenBLAS if the process has loaded one with a per-thread setting, else None."""
    import numpy  # noqa: F401  (loads the BLAS numpy links against)

    maps = Path("/proc/self/maps")
    if not maps.is_file():
        return None
    paths = {
        line.split()[-1]
        for line in maps.read_text().splitlines()
        if "openblas" in line.rsplit("/", 1)[-1].lower() and line.split()[-1].startswith("/")
    }
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        setter = getattr(lib, _SETTER, None)
        if setter is not None:
            setter.argtypes, setter.restype = [ctypes.c_int], ctypes.c_int
            return lib
    return None


def can_limit_blas_threads() -> bool:
    """Whether ``one_blas_thread`` can hold numpy's OpenBLAS to one thread here."""
    return _openblas() is not None


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """numpy's matrix products run on the calling thread only, inside the block (no-op where
    ``can_limit_blas_threads`` is false). Other threads keep their setting."""
    lib = _openblas()
    if lib is None:
        yield
        return
    setter = getattr(lib, _SETTER)
    previous = setter(1)
    try:
        yield
    finally:
        setter(previous)
