#!/usr/bin/env bash
# The DHCP, TFTP, HTTP and FTP benchmarks on an earlier commit and on this checkout, in one run, alternating
# (before, after) per benchmark so both see the same machine. Each benchmark runs its peer in the same script.
#   bash bench/before-after.sh [BEFORE_COMMIT] [OUT_DIR] [BENCH…]   (as root; Node 24 first on PATH; BENCH: dhcp tftp http ftp)
# Reports land in OUT_DIR (default bench/results/before-after/) as <bench>-<before|after>.md, with the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:-c93465e}
out=$(realpath -m "${2:-bench/results/before-after}")
shift $(( $# > 2 ? 2 : $# ))
only=" ${*:-dhcp tftp http ftp} "
mkdir -p "$out"
wt=$(mktemp -d /tmp/bench-before.XXXXXX)
cleanup() { git worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"; }
trap cleanup EXIT
git worktree add -q --detach "$wt" "$before"
ln -s "$PWD/node_modules" "$wt/node_modules"

bench() { # name, then the command's arguments after node
  local name=$1; shift
  [[ "$only" == *" $name "* ]] || return 0
  for side in before after; do
    local dir=$PWD; [ "$side" = before ] && dir=$wt
    local file="$out/$name-$side.md"
    {
      echo "<!-- $side = $( [ "$side" = before ] && echo "$before" || git rev-parse --short HEAD ), command: node $* -->"
      echo "load average before: $(cat /proc/loadavg)"
      echo
      (cd "$dir" && node "$@" | sed "s|$dir/||g")
      echo
      echo "load average after: $(cat /proc/loadavg)"
    } > "$file" 2>"$file.stderr" || echo "$name ($side) failed: see $file.stderr"
    [ -s "$file.stderr" ] || rm -f "$file.stderr"
    echo "$name $side: $file"
  done
}

bench dhcp bench/dhcp/run.ts --duration 5 --out /dev/stdout
bench tftp bench/tftp/run.ts --rounds 2
bench http bench/http/run.ts
bench ftp bench/ftp/run.ts --rounds 3
