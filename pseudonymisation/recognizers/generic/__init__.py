"""Recognisers that work in French, Dutch and English alike (patterns and name lists)."""
