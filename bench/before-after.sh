#!/usr/bin/env bash
# The DHCP, TFTP, HTTP and FTP benchmarks on an earlier commit and on a later one (default: this checkout), in
# one run, alternating (before, after) per benchmark so both see the same machine. Each benchmark runs its peer
# in the same script.
#   [AFTER=COMMIT] bash bench/before-after.sh [BEFORE_COMMIT] [OUT_DIR] [BENCH…]
#   (as root; Node 24 first on PATH; BENCH: dhcp tftp http ftp)
# Reports land in OUT_DIR (default bench/results/before-after/) as <bench>-<before|after>.md, with the load average.
# DHCP is one run of this checkout's bench/dhcp/run.ts measuring both appliances and Kea (dhcp.md, every run's raw
# figures in dhcp-runs.log): the same ladder and the same CPU-per-exchange rounds for both, interleaved; an earlier
# commit's own script could not measure CPU per exchange. Commits are unpacked with git archive (no worktree).
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:-c93465e}
out=$(realpath -m "${2:-bench/results/before-after}")
shift $(( $# > 2 ? 2 : $# ))
only=" ${*:-dhcp tftp http ftp} "
mkdir -p "$out"
tmp=$(mktemp -d /tmp/bench-before-after.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
unpack() { # commit → directory holding its tree, with this checkout's node_modules
  mkdir -p "$tmp/$1"
  git archive "$1" | tar -x -C "$tmp/$1"
  ln -s "$PWD/node_modules" "$tmp/$1/node_modules"
  echo "$tmp/$1"
}
before_dir=$(unpack "$before")
after=${AFTER:-$(git rev-parse --short HEAD)}
after_dir=$PWD
[ -z "${AFTER:-}" ] || after_dir=$(unpack "$AFTER")

bench() { # name, then the command's arguments after node
  local name=$1; shift
  [[ "$only" == *" $name "* ]] || return 0
  for side in before after; do
    local dir=$after_dir commit=$after
    [ "$side" = before ] && dir=$before_dir commit=$before
    local file="$out/$name-$side.md"
    {
      echo "<!-- $side = $commit, command: node $* -->"
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

if [[ "$only" == *" dhcp "* ]]; then
  {
    echo "<!-- before = $before, after = $after; bash bench/before-after.sh $before ... dhcp -->"
    node bench/dhcp/run.ts --duration 5 --exit-wait 1 --appliances "before=$before_dir,after=$after_dir" \
      --servers before,after,kea-dhcp4 --out /dev/stdout | sed "s|$tmp/||g"
  } > "$out/dhcp.md" 2>"$out/dhcp-runs.log" || echo "dhcp failed: see $out/dhcp-runs.log"
  echo "dhcp: $out/dhcp.md"
fi
bench tftp bench/tftp/run.ts --rounds 2
bench http bench/http/run.ts
bench ftp bench/ftp/run.ts --rounds 3
