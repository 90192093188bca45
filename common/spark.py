"""The Spark session factory, with Delta Lake configured.

The Delta jars come from the project's own cache (``make jars`` resolves
``infra/maven/pom.xml`` into ``.cache/jars`` and compiles Haven's JVM functions from
``infra/udf`` into ``haven-udf.jar`` there), so a session starts offline. The master is
``local[*]`` in the embedded default and any Spark URL by setting; on a cluster the session
also ships Haven's code to the executors (``common.spark_code``; ``infra/spark/README.md``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from common.background import meanwhile
from common.errors import EnvironmentProblem
from common.files import make_private
from common.settings import PROJECT_ROOT, Settings, is_loopback
from common.spark_code import CODE_DIR, code_archive

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MIN_JAVA = 17
UDF_JAR = "haven-udf.jar"
# The JVM's class data sharing archive that ``make jars`` records (infra/class_archive.py).
CLASS_ARCHIVE = "spark-classes.jsa"
CLASS_ARCHIVE_STAMP = ".spark-classes-sha256"
DAEMON_MODULE = "pseudonymisation.spark_daemon"
LOG4J = PROJECT_ROOT / "infra" / "spark" / "log4j2.properties"
JAVA_HINT = (
    f"Haven needs Java {MIN_JAVA} or newer on PATH (or JAVA_HOME): install a JDK, "
    "for example the Debian package openjdk-17-jre-headless."
)


def java_major_version(java: str | None = None) -> int | None:
    """The major version of the ``java`` found on PATH, or None when there is none."""
    binary = java or shutil.which("java")
    if binary is None:
        return None
    try:
        out = subprocess.run([binary, "-version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    # Java 8 and older report "1.8".
    return int(match.group(2) or 0) if major == 1 else major


def check_java() -> None:
    """Raise ``EnvironmentProblem`` with a one-line fix when Java is missing or too old."""
    version = java_major_version()
    if version is None or version < MIN_JAVA:
        raise EnvironmentProblem(JAVA_HINT)


def delta_jars(jars_dir: Path) -> list[Path]:
    """The jars that ``make jars`` put into the cache (Delta and Haven's own), or a one-line
    error if some are missing."""
    jars = sorted(jars_dir.glob("*.jar")) if jars_dir.is_dir() else []
    if not any(j.name.startswith("delta-spark") for j in jars):
        raise EnvironmentProblem(
            f"Delta jars not found in {jars_dir}: run `make jars` (resolves infra/maven/pom.xml)."
        )
    if not any(j.name == UDF_JAR for j in jars):
        raise EnvironmentProblem(
            f"{UDF_JAR} not found in {jars_dir}: run `make jars` (compiles infra/udf with javac)."
        )
    return jars


# A pipeline's driver runs thousands of short, different Spark jobs (and in local mode their
# tasks too): in a 2,000-person run its JIT compilers took about half of the JVM's CPU (C2
# alone 76-86 of 197-222 CPU-seconds) and G1's threads 20 more. Compiling only code that runs
# three times as often as the defaults ask, with the throughput collector (a driver's pauses
# do not matter), cut the JVM's CPU to 131-160 s there and the 20,000-person bench from 183.6
# to 163.5 s. C1 alone (-XX:TieredStopAtLevel=1, ``spark_driver_jit = "quick"``) cut a
# 40-person run's JVM CPU from 89 to 57 s and its wall time from 76 to 70 s; at 2,000 people
# the CPU from 203 to 175 s, but the wall time grew from 166 to 181 s; on real sizes it was
# slower (205 s on the same bench), and in a long-lived session of many small jobs too (the
# Spark tests: 213 s against 191).
DRIVER_GC = "-XX:+UseParallelGC"
DRIVER_JIT = {"tiered": "-XX:CompileThresholdScaling=3", "quick": "-XX:TieredStopAtLevel=1"}


def spark_conf(settings: Settings) -> dict[str, str]:
    """Every Spark option Haven sets, as one dict (tests and spark-submit reuse it)."""
    scratch = settings.home / "spark"
    conf = {
        "spark.master": settings.spark_master,
        "spark.app.name": "haven",
        "spark.jars": ",".join(str(j) for j in delta_jars(settings.jars_dir)),
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.shuffle.partitions": str(settings.spark_shuffle_partitions),
        # Delta rebuilds a table's state from its log at every read and commit, in 50
        # partitions by default: on Haven's small tables that fixed cost dominated each write.
        "spark.databricks.delta.snapshotPartitions": str(settings.delta_snapshot_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": str(scratch / "warehouse"),
        "spark.local.dir": str(scratch / "tmp"),
        "spark.driver.memory": settings.spark_driver_memory,
        "spark.driver.extraJavaOptions": (
            f"-Dderby.system.home={scratch / 'derby'} -Dlog4j2.configurationFile=file:{LOG4J} "
            + f"{DRIVER_GC} {DRIVER_JIT[settings.spark_driver_jit]}"
            + class_sharing(settings.jars_dir)
        ),
        "spark.ui.enabled": str(settings.spark_ui).lower(),
        "spark.ui.showConsoleProgress": "false",
        # Deletion vectors would keep erased rows in files until they are purged.
        "spark.databricks.delta.properties.defaults.enableDeletionVectors": "false",
        # Haven enforces its own window (erasure_retention_hours): 0 in the embedded default.
        "spark.databricks.delta.retentionDurationCheck.enabled": "false",
        # Hadoop's file systems chmod what they write to their own umask (022 by default),
        # whatever the process's umask: without this the lake is readable by every user.
        "spark.hadoop.fs.permissions.umask-mode": "077",
    }
    # Python workers (the de-identification UDF) run this interpreter, which has Haven's
    # dependencies, unless the executors' hosts keep theirs elsewhere (spark_python).
    conf["spark.pyspark.python"] = settings.spark_python or sys.executable
    conf["spark.pyspark.driver.python"] = sys.executable
    # Their daemon builds the de-identification engine once and forks workers that have
    # it (pseudonymisation.spark_daemon), instead of each worker building its own.
    conf["spark.python.daemon.module"] = DAEMON_MODULE
    if not is_local(settings.spark_master):
        conf.update(cluster_conf(settings))
    if is_local(settings.spark_master) or loopback_master(settings.spark_master):
        # A driver on this machine only: bind to loopback, never the network.
        conf["spark.driver.host"] = "127.0.0.1"
        conf["spark.driver.bindAddress"] = "127.0.0.1"
    return conf


def class_sharing(jars_dir: Path) -> str:
    """The driver's JVM options that map the class archive ``make jars`` recorded, or none.

    The archive saves the JVM reading and verifying Spark's classes at every start (some
    seconds of each session). An archive the JVM cannot use is skipped without a word.
    """
    archive = jars_dir / CLASS_ARCHIVE
    if not archive.is_file():
        return ""
    return f" -XX:SharedArchiveFile={archive} -Xlog:cds=off -Xlog:cds+dynamic=off"


def is_local(master: str) -> bool:
    """Whether ``master`` runs Spark inside the driver's JVM (``local``, ``local[N]``, ...)."""
    return master.startswith("local")


def loopback_master(master: str) -> bool:
    """Whether every host of a ``spark://`` master URL (one, or several for standby masters)
    is this machine's loopback."""
    if not master.startswith("spark://"):
        return False
    hosts = [urlsplit(f"spark://{part}").hostname for part in master.removeprefix("spark://").split(",")]
    return all(host is not None and is_loopback(host) for host in hosts)


def cluster_conf(settings: Settings) -> dict[str, str]:
    """What a session on a cluster adds: Haven's code shipped to the executors
    (``common.spark_code``), their memory, and their logging as quiet as the driver's."""
    archive = code_archive(settings.home / "spark" / "code")
    return {
        "spark.archives": f"{archive}#{CODE_DIR}",
        # Relative to the executor's working folder, where Spark unpacks the archive.
        "spark.executorEnv.PYTHONPATH": CODE_DIR,
        "spark.executor.memory": settings.spark_executor_memory,
        "spark.executor.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{LOG4J}",
    }


def spark_starting(settings: Settings) -> AbstractContextManager[None]:
    """Create the process's Spark session on a thread while the block sets up other things.

    Starting the JVM takes seconds; a command that knows it will need Spark (``haven pipeline
    run``, ``haven pipeline publish``) starts it before Airflow migrates its database and
    builds its task API. The first ``get_spark`` then finds the session, or waits for it
    (PySpark's builder holds a lock while it creates one); a failure is met there again. The
    block's end waits for the start, so that the JVM's start-up lines reach the same output
    as the block's.
    """
    return meanwhile(lambda: get_spark(settings), "spark-start")


def get_spark(settings: Settings) -> SparkSession:
    """Return the process's Spark session, creating it with Delta configured on first use."""
    check_java()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    conf = spark_conf(settings)
    # Before the JVM is forked, so that it inherits the owner-only umask.
    make_private(settings.home)
    # PySpark's context takes the workers' interpreter from this variable, not the conf.
    os.environ["PYSPARK_PYTHON"] = conf["spark.pyspark.python"]
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
