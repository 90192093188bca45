"""Synthetic landing extracts, deterministic per seed, for tests, the demo and benchmarks.

Nobody develops on real health data: everything rests on these files.
"""
