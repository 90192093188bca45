"""Vectorised formatting of generated values into the delivered text (Arrow kernels).

Every extract column is text as delivered; these helpers turn NumPy arrays of days,
cents and numbers into Arrow string arrays without a Python loop per row.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def day0(start: date) -> np.datetime64:
    return np.datetime64(start.isoformat(), "D")


def dates(start: date, offsets: np.ndarray) -> pa.Array:
    """ISO dates ``start + offsets`` days (``YYYY-MM-DD``)."""
    values = day0(start) + offsets.astype("timedelta64[D]")
    return pc.cast(pa.array(values), pa.string())


def dates_or_empty(start: date, offsets: np.ndarray, present: np.ndarray) -> pa.Array:
    """ISO dates where ``present``, empty text elsewhere."""
    text = dates(start, np.where(present, offsets, 0))
    return pc.if_else(pa.array(present), text, "")


def cents(amounts: np.ndarray) -> pa.Array:
    """Integer cents as decimal text with two decimals (``-1.50``, ``0.00``)."""
    low = np.ascontiguousarray(amounts, dtype=np.int64)
    high = np.where(low < 0, -1, 0).astype(np.int64)
    buffer = pa.py_buffer(np.stack([low, high], axis=1).tobytes())
    decimals = pa.Array.from_buffers(pa.decimal128(18, 2), len(low), [None, buffer])
    return pc.cast(decimals, pa.string())


def ints(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def zpad(values: np.ndarray, width: int) -> pa.Array:
    """Non-negative integers left-padded with zeros to ``width`` digits."""
    return pc.utf8_lpad(ints(values), width=width, padding="0")


def ident(prefix: str, values: np.ndarray, width: int) -> pa.Array:
    """Identifiers such as ``PRV00042``: a prefix and a zero-padded number."""
    return pc.binary_join_element_wise(prefix, zpad(values, width), "")


def decimals(values: np.ndarray, places: np.ndarray | int) -> pa.Array:
    """Numbers rounded to ``places`` decimals, written in their shortest form (``7.4``, ``100``)."""
    scale = np.power(10.0, places)
    return pc.cast(pa.array(np.round(values * scale) / scale), pa.string())


def pick(choices: np.ndarray | list[str], index: np.ndarray) -> pa.Array:
    """``choices[index]`` as an Arrow string array (``take`` on a small dictionary)."""
    return pa.array(np.asarray(choices, dtype=str)).take(pa.array(np.asarray(index, dtype=np.int64)))


def join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays and constants."""
    return pc.binary_join_element_wise(*parts, "")


def join_present(parts: list[tuple[np.ndarray, pa.Array | str]], sep: str = "|") -> pa.Array:
    """Per row, the values whose mask is true joined by ``sep`` (empty text when none).

    Written with ``if_else`` and a trailing-separator trim because Arrow's
    ``binary_join_element_wise(null_handling="skip")`` drops rows whose values are all null.
    """
    pieces = [pc.if_else(pa.array(mask), join(value, sep), "") for mask, value in parts]
    return pc.utf8_rtrim(join(*pieces), characters=sep)
