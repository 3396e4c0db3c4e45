#!/usr/bin/env bash
# CI step for the container (call from .ci/run before `npm test`): installs Docker from Debian, starts
# dockerd, builds the local Node 24 base-image stand-in (cached: skipped when the images exist), and checks
# that Debian's docker-compose (v1) accepts compose.yaml. test/container.test.ts then builds the image and
# provisions a phone through it.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

export DEBIAN_FRONTEND=noninteractive
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v iptables >/dev/null || need+=(iptables)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 "${need[@]}" >/dev/null
fi

bash docker/start-dockerd.sh
bash docker/build-base-image.sh
docker-compose -f compose.yaml config >/dev/null
echo "container: docker-compose -f compose.yaml config: ok"
echo "container: ready in $(( $(date +%s) - start )) s"
