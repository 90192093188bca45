"""Spark's Python daemon with the de-identification engine loaded before it forks workers.

PySpark starts one daemon per executor (``python -m pyspark.daemon``) and forks a Python
worker from it for each task that runs a Python UDF. Haven's only Python UDF is the free-text
de-identification (``pseudonymisation.spark_text``), and every fresh worker used to import
spaCy and Presidio and build the engine again: about 6 s of one core per worker, paid by each
of the two to four workers of every pipeline run. Started as the daemon module
(``spark.python.daemon.module``, set by ``common.spark``), this module builds the engine
once; the workers forked from it share it, copy-on-write, and start at once.

If the engine cannot be built here, the daemon still starts: the workers then build it
themselves and fail, if they must, with their own error, as before.
"""

from __future__ import annotations

import os
import sys

from common.logging import describe_exception


def preload() -> bool:
    """Build the de-identification engine in this process; False (and one line on stderr,
    which Spark logs) when it cannot be built.

    The daemon speaks to the JVM over its standard output, so whatever the libraries print
    while they load goes to standard error instead, down to the file descriptor.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        # What a worker needs before it runs a task: its own module, the UDF's module (with
        # pandas and Arrow), and the engine itself.
        import pyspark.worker  # noqa: F401

        import pseudonymisation.spark_text  # noqa: F401
        from pseudonymisation.engine import get_engine

        get_engine()
    except Exception as exc:
        print(f"haven: de-identification engine not preloaded: {describe_exception(exc)}", file=sys.stderr)
        return False
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
    return True


if __name__ == "__main__":
    preload()
    from pyspark import daemon

    daemon.manager()
