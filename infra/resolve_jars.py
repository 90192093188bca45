"""Resolve the JVM jars described by infra/maven/pom.xml into a local cache.

Run by ``make jars`` (part of ``make demo`` and ``make test``). With Maven on PATH it uses
``mvn dependency:copy-dependencies``; without Maven it asks Spark's own Ivy resolver for the
same coordinates. Either way the jars land in ``.cache/jars`` (or the folder given), minus
those the pyspark wheel already ships, with a stamp of the pom's digest, so later runs
start offline and a changed pom resolves again.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
POM = HERE / "maven" / "pom.xml"
NS = {"m": "http://maven.apache.org/POM/4.0.0"}
_VERSIONED = re.compile(r"^(?P<name>.+?)-\d[^/]*\.jar$")


def pom_digest() -> str:
    return hashlib.sha256(POM.read_bytes()).hexdigest()


def coordinates() -> list[str]:
    """The group:artifact:version of every dependency the pom declares, properties expanded."""
    root = ET.parse(POM).getroot()  # noqa: S314 - our own pom, not untrusted input
    props = {el.tag.split("}")[1]: (el.text or "") for el in root.find("m:properties", NS) or []}

    def expand(text: str) -> str:
        return re.sub(r"\$\{([^}]+)\}", lambda m: props[m.group(1)], text)

    found = []
    for dep in root.findall("m:dependencies/m:dependency", NS):
        parts = [expand(dep.findtext(f"m:{tag}", "", NS)) for tag in ("groupId", "artifactId", "version")]
        found.append(":".join(parts))
    return found


def artifact_name(jar: Path) -> str:
    match = _VERSIONED.match(jar.name)
    return match.group("name") if match else jar.stem


def pyspark_jar_names() -> set[str]:
    import pyspark

    return {artifact_name(j) for j in (Path(pyspark.__file__).parent / "jars").glob("*.jar")}


def resolve_with_maven(mvn: str, out: Path) -> None:
    subprocess.run(
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={out}",
            "-DincludeScope=runtime",
        ],
        check=True,
    )


def resolve_with_ivy(out: Path) -> None:
    """Spark's built-in resolver, for machines without Maven."""
    from pyspark.sql import SparkSession

    ivy = out.parent / "ivy"
    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.jars.packages", ",".join(coordinates()))
        .config("spark.jars.ivy", str(ivy))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    session.stop()
    for jar in (ivy / "jars").glob("*.jar"):
        # Ivy names jars group_artifact-version.jar; keep the artifact part.
        shutil.copy2(jar, out / jar.name.split("_", 1)[-1] if "_" in jar.name else out / jar.name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE.parent / ".cache" / "jars")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    stamp = out / ".pom-sha256"
    if stamp.is_file() and stamp.read_text().strip() == pom_digest():
        print(f"jars: up to date in {out}")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        staging = Path(tmp) / "jars"
        staging.mkdir()
        mvn = shutil.which("mvn")
        if mvn:
            print(f"jars: resolving {', '.join(coordinates())} with Maven")
            resolve_with_maven(mvn, staging)
        else:
            print(f"jars: Maven not found; resolving {', '.join(coordinates())} with Spark's Ivy")
            resolve_with_ivy(staging)
        shipped = pyspark_jar_names()
        kept = [j for j in staging.glob("*.jar") if artifact_name(j) not in shipped]
        for jar in staging.glob("*.jar"):
            if jar not in kept:
                jar.unlink()
        if not any(j.name.startswith("delta-spark") for j in kept):
            print("jars: resolution finished without a delta-spark jar", file=sys.stderr)
            return 1
        (staging / ".pom-sha256").write_text(pom_digest() + "\n")
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    print(f"jars: {len(kept)} jars cached in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
