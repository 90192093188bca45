"""Build Haven's JVM functions (``infra/udf``) into ``haven-udf.jar`` in the jar cache.

Run by ``make jars`` after ``infra/resolve_jars.py``. It compiles the Java sources with
``javac`` against the jars of pyspark's own ``jars`` folder (no Maven needed) and packs the
classes with Python's ``zipfile``. A stamp holds the digest of the sources, so a later run
with unchanged sources does nothing; ``resolve_jars.py`` replaces the whole cache when the
pom changes, which removes the stamp and rebuilds the jar too.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "udf" / "src" / "main" / "java"
JAR_NAME = "haven-udf.jar"
STAMP_NAME = ".haven-udf-sha256"
JAVA_RELEASE = "17"
MANIFEST = "Manifest-Version: 1.0\r\nCreated-By: haven infra/build_udf.py\r\n\r\n"
NO_JAVAC = (
    "udf: javac not found: Haven builds its JVM functions at setup and needs a JDK 17+ "
    "(for example the Debian package openjdk-17-jdk-headless), not only a JRE."
)


def java_sources() -> list[Path]:
    return sorted(SOURCES.rglob("*.java"))


def sources_digest() -> str:
    """One digest over every source's relative path and content, and the Java release."""
    digest = hashlib.sha256(JAVA_RELEASE.encode())
    for source in java_sources():
        digest.update(str(source.relative_to(SOURCES)).encode() + b"\0")
        digest.update(source.read_bytes() + b"\0")
    return digest.hexdigest()


def find_javac() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "javac").is_file():
        return str(Path(home) / "bin" / "javac")
    return shutil.which("javac")


def pyspark_classpath() -> str:
    import pyspark

    return str(Path(pyspark.__file__).parent / "jars" / "*")


def build(javac: str, jar: Path) -> None:
    """Compile every source and write the jar (classes plus a manifest) to ``jar``."""
    with tempfile.TemporaryDirectory() as tmp:
        classes = Path(tmp) / "classes"
        subprocess.run(
            [
                javac,
                "--release",
                JAVA_RELEASE,
                "-nowarn",
                "-encoding",
                "UTF-8",
                "-cp",
                pyspark_classpath(),
                "-d",
                str(classes),
                *map(str, java_sources()),
            ],
            check=True,
        )
        staged = Path(tmp) / JAR_NAME
        with zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as out:
            out.writestr("META-INF/MANIFEST.MF", MANIFEST)
            for cls in sorted(classes.rglob("*.class")):
                out.write(cls, cls.relative_to(classes).as_posix())
        shutil.move(staged, jar)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE.parent / ".cache" / "jars")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    jar, stamp = out / JAR_NAME, out / STAMP_NAME
    digest = sources_digest()
    if jar.is_file() and stamp.is_file() and stamp.read_text().strip() == digest:
        print(f"udf: up to date in {jar}")
        return 0
    javac = find_javac()
    if javac is None:
        print(NO_JAVAC, file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    try:
        build(javac, jar)
    except subprocess.CalledProcessError:
        print("udf: javac failed on infra/udf (see its messages above)", file=sys.stderr)
        return 1
    stamp.write_text(digest + "\n")
    print(f"udf: built {jar}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
