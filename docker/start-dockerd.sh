#!/usr/bin/env bash
# Starts a Docker daemon for CI and the container test when none answers yet (CI machines have no systemd).
# Idempotent: exits 0 at once if `docker info` already works. The daemon runs in the background; its PID
# is written to /run/appliance-dockerd.pid and its log to /var/log/appliance-dockerd.log.
#
# Bridge networks only (the test uses an --internal network); nothing is published on the host's
# interfaces. iptables stays on so that Docker's isolation of internal networks holds.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  echo "dockerd: already answering"
  exit 0
fi
if ! command -v dockerd >/dev/null; then
  echo "dockerd: not installed (apt-get install docker.io)" >&2
  exit 1
fi

pidfile=/run/appliance-dockerd.pid
log=/var/log/appliance-dockerd.log
# containerd is started by dockerd itself when no system containerd runs.
nohup dockerd --pidfile "$pidfile" >"$log" 2>&1 </dev/null &
pid=$!
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "dockerd: started (pid $pid, log $log)"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.5
done
echo "dockerd: did not come up; last log lines:" >&2
tail -n 30 "$log" >&2 || true
exit 1
