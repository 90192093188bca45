"""The pipeline on a Spark standalone cluster started by ``infra/spark/start.sh`` (a master and
two one-core workers on loopback, free ports), against the embedded ``local`` mode on the
same delivery with the same keys.

- A worker killed mid-run (its JVM, its executor and their Python workers, as when a machine
  goes): the run finishes on the other and its outcome equals local mode's, whole tables
  compared (silver, quarantine, permit datasets) and the run report's counts.
- Executors that cannot see the key folder (it is mounted over with an empty file system in
  the cluster's mount namespace, while the driver sees the keys) fail the run with the
  README's message, which names the key and no key material.

The module starts one cluster and stops it at the end. Both runs go through the ``haven``
command in their own process: a Spark session is one per process, and the test session's
own is local.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable

from catalog.demo import DEMO_PERMIT_ID
from common.settings import PROJECT_ROOT
from pseudonymisation.keys import PLATFORM_SCOPE, FileKeyStore
from synthetic.generate import generate
from tests.factories import narrow_demo_permit_to_claims

pytestmark = pytest.mark.slow(minutes=12)

SPARK = PROJECT_ROOT / "infra" / "spark"
# The README's words for an executor without the key folder (KeyedHash.java says them).
NO_KEYS = "is missing or unreadable on this executor"
# Columns that name the run that wrote a row: they differ between any two runs.
RUN_COLUMNS = {"_run_id", "_ingested_at"}
PEOPLE = 150
BASH = shutil.which("bash") or "/bin/bash"


def free_ports(count: int) -> list[int]:
    """``count`` ports free now; the last two consecutive (the workers' web UIs)."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if len(ports) < count - 2:
            ports.append(port)
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        ports += [port, port + 1]
    return ports


def clean_env(**haven: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "HAVEN_"))}
    env.update({f"HAVEN_{name.upper()}": value for name, value in haven.items()})
    # This checkout's code, whatever the virtual environment's editable install points at.
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    return env


@dataclass(frozen=True)
class Cluster:
    master: str
    home: Path
    hidden_keys: Path | None  # a folder executors see empty, or None where that cannot be done

    @property
    def state(self) -> Path:
        return self.home / "stack" / "spark"

    def pid(self, service: str) -> int:
        return int((self.state / f"{service}.pid").read_text())


def _start(env: dict[str, str], hidden: Path) -> tuple[str, bool]:
    """Start the cluster in a mount namespace in which ``hidden`` is an empty file system;
    without the privilege for that, start it plainly. Returns the master URL and whether
    ``hidden`` is hidden."""
    script = f'mount -t tmpfs -o mode=700,size=1m tmpfs "{hidden}" && exec bash "{SPARK / "start.sh"}"'
    unshare = shutil.which("unshare")
    for options in (["--mount", "--propagation", "private"], ["-rm"]):
        if unshare is None:
            break
        done = subprocess.run(
            [unshare, *options, "sh", "-c", script],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode == 0:
            return done.stdout.strip().splitlines()[-1], True
    done = subprocess.run(
        [BASH, str(SPARK / "start.sh")], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1], False


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    home = tmp_path_factory.mktemp("cluster") / "var"
    hidden = home.parent / "hidden-keys"
    hidden.mkdir(mode=0o700)
    master_port, ui_port, worker_ui, _ = free_ports(4)
    env = clean_env(
        home=str(home),
        spark_master_port=str(master_port),
        spark_master_webui_port=str(ui_port),
        spark_worker_webui_port=str(worker_ui),
        spark_worker_memory="1g",
    )
    try:
        master, hidden_ok = _start(env, hidden)
        assert master == f"spark://127.0.0.1:{master_port}"
        yield Cluster(master, home, hidden if hidden_ok else None)
    finally:
        subprocess.run([BASH, str(SPARK / "stop.sh")], env=env, timeout=120, check=False)


def haven_run(home: Path, landing: Path, keys: Path, master: str) -> subprocess.Popen[str]:
    """``haven pipeline run`` on ``landing`` in its own process."""
    env = clean_env(
        home=str(home),
        key_dir=str(keys),
        spark_master=master,
        spark_driver_memory="1g",
        spark_executor_memory="1g",
        spark_shuffle_partitions="2",
        spark_driver_jit="quick",  # a short run on a small delivery (README)
    )
    with (home.parent / f"{home.name}.log").open("w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "cli", "pipeline", "run", "--landing", str(landing), "--json"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )


def instance(root: Path, name: str, demo_template: Path) -> Path:
    """A fresh instance holding the demonstration's catalogue, its permit narrowed to claims
    (the delivery below has no pharmacy or hospital stays)."""
    home = root / name
    home.mkdir(mode=0o700)
    shutil.copyfile(demo_template, home / "catalog.db")
    (home / "catalog.db").chmod(0o600)
    narrow_demo_permit_to_claims(home)
    return home


def rows(table: Path) -> list[tuple[Any, ...]]:
    """Every row of a Delta table but the columns naming the run, in a stable order."""
    data = DeltaTable(str(table)).to_pyarrow_table()
    columns = sorted(c for c in data.column_names if c not in RUN_COLUMNS)
    return sorted((tuple(r[c] for c in columns) for r in data.select(columns).to_pylist()), key=repr)


def tables(lake: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Silver, quarantine and the demo permit's datasets, whole (a clean delivery writes no
    quarantine: then neither run has that zone)."""
    found = {}
    for zone in ("silver", "quarantine", f"permits/{DEMO_PERMIT_ID}"):
        folder = lake / zone
        for table in sorted(folder.iterdir()) if folder.is_dir() else []:
            if (table / "_delta_log").is_dir():
                found[f"{zone}/{table.name}"] = rows(table)
    return found


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    """The run report without what names the run or counts files (the cluster writes others)."""
    return {
        k: v for k, v in report.items() if k not in {"run_id", "publish_run_id", "vacuum", "permits_vacuumed"}
    }


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def wait_for(path: Path, run: subprocess.Popen[str], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert run.poll() is None, "the run ended before the moment to kill a worker"
        assert time.monotonic() < deadline, f"{path} not written within {seconds} s"
        time.sleep(0.2)


# The first two stages of the pipeline, as the ingest DAG's tasks call them (without Airflow,
# whose task retries would only repeat the failure).
STAGES = """
import sys
from datetime import UTC, datetime
from pathlib import Path

from common.settings import get_settings
from jobs import pipeline

settings = get_settings()
when = datetime(2026, 2, 1, tzinfo=UTC)
pipeline.refine(settings, pipeline.ingest(settings, Path(sys.argv[1]), "run-1", when), "run-1", when)
"""


def test_executors_without_the_key_folder_fail_with_the_readme_s_message(
    cluster: Cluster, tmp_path: Path
) -> None:
    if cluster.hidden_keys is None:
        pytest.skip("no mount namespace here (unshare refused): cannot hide the keys from executors")
    landing = tmp_path / "landing"
    generate(landing, 20, 7)
    for extract in landing.glob("*.csv"):
        if extract.name != "population.csv":
            extract.unlink()
    env = clean_env(
        home=str(tmp_path / "var"),
        key_dir=str(cluster.hidden_keys),
        spark_master=cluster.master,
        spark_driver_memory="1g",
        spark_shuffle_partitions="2",
        spark_driver_jit="quick",
    )
    # A file, not -c: pyspark's Connect client exits a __main__ without a file (conftest.py).
    script = tmp_path / "stages.py"
    script.write_text(STAGES)
    done = subprocess.run(
        [sys.executable, str(script), str(landing)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 1
    # The driver made the platform key and registered its function; the executors, which
    # hash, could not read it.
    (key_file,) = (cluster.hidden_keys / "platform").glob("*.key")
    assert f"haven_hmac: key {key_file.stem} of scope platform {NO_KEYS}" in done.stderr
    # No key material where the failure was written: the driver's output, the executors' logs.
    secret = key_file.read_text().strip()
    executor_logs = [p.read_text() for p in cluster.state.rglob("std*") if p.is_file()]
    assert executor_logs
    for text in [done.stdout, done.stderr, *executor_logs]:
        assert secret not in text and secret.upper() not in text


def test_a_worker_killed_mid_run_and_the_outcome_equals_local_mode(
    cluster: Cluster, demo_template: Path, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    generate(landing, PEOPLE, 11)
    # The extracts that take every path to the executors: Python workers de-identifying free
    # text (lab results' remarks, clinical notes), the keyed hash (all), the permit's cohort
    # and dataset (claims), the opt-out registry. Pharmacy, hospital stays and wellness take
    # the paths claims takes, and each would add its stages' fixed cost to both runs.
    for extract in ("pharmacy", "hospital_stays", "wellness"):
        (landing / f"{extract}.csv").unlink()
    keys = tmp_path / "keys"
    local_home = instance(tmp_path, "local", demo_template)
    cluster_home = instance(tmp_path, "cluster", demo_template)
    # Both runs pseudonymise with the same keys, made before either starts; they run side by
    # side (most of a run is fixed cost per stage, which overlaps well on two cores).
    store = FileKeyStore(keys)
    for scope in (PLATFORM_SCOPE, DEMO_PERMIT_ID):
        store.current(scope)
    local = haven_run(local_home, landing, keys, "local[2]")
    run = haven_run(cluster_home, landing, keys, cluster.master)
    # Mid-run: silver is being built (bronze is written, population's silver is committed).
    wait_for(cluster_home / "lake" / "silver" / "population" / "_delta_log", run, 900)
    worker = cluster.pid("worker-2")
    assert children(worker), "worker-2 ran no executor for the run"
    # The worker leads its own process group (start.sh uses setsid): the worker, its executor
    # and the executor's Python workers go at once, as with a machine lost.
    os.killpg(worker, signal.SIGKILL)
    status = subprocess.run(
        [BASH, str(SPARK / "status.sh")],
        env=clean_env(home=str(cluster.home)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert status.returncode == 3 and "spark-worker-2\t" in status.stdout
    assert status.stdout.splitlines()[-1].endswith("\tdown")

    out, _ = run.communicate(timeout=1800)
    assert run.returncode == 0, (cluster_home.parent / "cluster.log").read_text()[-3000:]
    local_out, _ = local.communicate(timeout=1800)
    assert local.returncode == 0, (local_home.parent / "local.log").read_text()[-3000:]
    assert comparable(json.loads(out)) == comparable(json.loads(local_out))
    on_cluster, in_local_mode = tables(cluster_home / "lake"), tables(local_home / "lake")
    assert set(on_cluster) >= {
        "silver/lab_results",
        "silver/clinical_notes",
        f"permits/{DEMO_PERMIT_ID}/claims",
    }
    assert on_cluster == in_local_mode
