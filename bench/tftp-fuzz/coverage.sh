#!/usr/bin/env bash
# Line and branch coverage of the engine (src/tftp/native/ transfer.c, xfer.c, loop.c) by a fuzzing corpus: the
# harness built with clang's source-based coverage (no sanitizers), every input of CORPUS run once in a network
# namespace, then llvm-cov's report for those files (engine.c, the N-API half, is not compiled into the harness).
#
#   bash bench/tftp-fuzz/coverage.sh CORPUS-DIR [more dirs...]     (e.g. /tmp/tftp-engine-fuzz/corpus)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || { echo "usage: $0 CORPUS-DIR..."; exit 2; }
out=$(mktemp -d /tmp/tftp-fuzz-cov-XXXXXX)
trap 'rm -rf "$out"' EXIT
cc=${FUZZ_CC:-$(command -v clang-14 || command -v clang)}
"$cc" -O1 -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping -pthread \
  bench/tftp-fuzz/harness.c src/tftp/native/{transfer,xfer,loop}.c -o "$out/cov"
LLVM_PROFILE_FILE="$out/run.profraw" unshare --net sh -c \
  'ip link set lo up && sysctl -qw net.unix.max_dgram_qlen=512 && exec "$@"' sh "$out/cov" -runs=0 "$@" >/dev/null 2>&1
llvm-profdata-14 merge -sparse "$out/run.profraw" -o "$out/run.profdata"
llvm-cov-14 report "$out/cov" -instr-profile="$out/run.profdata" src/tftp/native/{transfer,xfer,loop}.c
llvm-cov-14 report "$out/cov" -instr-profile="$out/run.profdata" -show-functions src/tftp/native/{transfer,xfer,loop}.c |
  awk 'NR > 2 && $3 == $2 && $2 > 0 { print "  not reached: " $1 }'
