#!/usr/bin/env bash
# Stops the Docker daemon that docker/start-dockerd.sh started (by the PID in its pidfile) and the containerd
# it started as its child, then waits for both to exit (20 s each, then SIGKILL). Does nothing when the pidfile
# is absent or names no running process: a daemon this project did not start is left alone.
set -euo pipefail

pidfile=/run/appliance-dockerd.pid
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
if ! kill -0 "$pid" 2>/dev/null; then
  rm -f "$pidfile"
  exit 0
fi
children=$(pgrep -P "$pid" || true)

stop() {
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 1 40); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL "$1" 2>/dev/null || true
}

stop "$pid"
for c in $children; do stop "$c"; done
rm -f "$pidfile"
echo "dockerd: stopped (pid $pid${children:+, children $(echo $children)})"
