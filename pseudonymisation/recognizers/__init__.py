"""Presidio recognisers: one per file, Belgian ones under ``be/``, language-neutral ones
under ``generic/``. ``pseudonymisation.engine`` registers them for every language."""
