"""PySpark jobs: pure DataFrame -> DataFrame transformations plus thin ``run`` functions
that read and write Delta. Runnable in-process (embedded) or by spark-submit on a cluster.
"""
