"""Shared foundation: settings, PHI-safe logging, the Spark session factory, the lake layout.

This package imports nothing else of Haven's; everything else may import it.
"""
