"""The secure processing environment: researchers' SQL over one permit's datasets.

It reads only the permit workspace's Delta tables and never imports the code paths of the
raw zones or the key store (an import-linter contract checks this).
"""
