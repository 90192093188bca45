# Helpers shared by start.sh, stop.sh and status.sh (sourced, not run).

# spark_class ROOT: pyspark's own spark-class in the checkout's virtual environment.
spark_class() {
  local found
  found=$(ls "$1"/.venv/lib/python*/site-packages/pyspark/bin/spark-class 2>/dev/null | head -n 1)
  [ -n "$found" ] && echo "$found"
}

# running_pid DIR NAME: the pid of service NAME when its pid file names a live Spark daemon
# (not a recycled pid of some other program); fails otherwise.
running_pid() {
  local pid
  pid=$(cat "$1/$2.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  case $2 in
    master) tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'org.apache.spark.deploy.master.Master' ;;
    *) tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'org.apache.spark.deploy.worker.Worker' ;;
  esac || return 1
  echo "$pid"
}

# services DIR: master, then every worker that has a pid file, in order.
services() {
  echo master
  ls "$1" 2>/dev/null | sed -n 's/^\(worker-[0-9]*\)\.pid$/\1/p' | sort -t- -k2 -n
}
