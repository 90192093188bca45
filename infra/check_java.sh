#!/usr/bin/env bash
# One-line check that a Java 17+ runtime is on PATH (Spark needs it).
java_bin=java
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && java_bin="$JAVA_HOME/bin/java"
if ! command -v "$java_bin" >/dev/null 2>&1; then
  echo "error: Haven needs Java 17 or newer and found none: install a JDK (for example the Debian package openjdk-17-jdk-headless; make jars compiles with javac) and put java on PATH." >&2
  exit 1
fi
major=$("$java_bin" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\.\{0,1\}\([0-9]*\).*/\1 \2/p' | head -n1)
set -- $major
v=${1:-0}; [ "$v" = "1" ] && v=${2:-0}
if [ "$v" -lt 17 ]; then
  echo "error: Haven needs Java 17 or newer and found Java $v: install a JDK 17+ (for example the Debian package openjdk-17-jdk-headless)." >&2
  exit 1
fi
