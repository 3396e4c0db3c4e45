#!/usr/bin/env bash
# Builds the libFuzzer harness of the native TFTP engine (harness.c: clang -fsanitize=fuzzer,address,undefined)
# and runs it in a network namespace of its own (unshare --net: its UDP sockets on 127.0.0.1 live there):
#   1. every input in regressions/ once (each crash the fuzzer ever found, fixed since): any failure fails;
#   2. the fuzzer itself from the seeds (seeds.ts: the tests' packets) and its corpus, with the given
#      libFuzzer flags (default -max_total_time=60, what CI runs); a crash, leak or harness check fails it.
#
#   bash bench/tftp-fuzz/run.sh [LIBFUZZER-FLAGS...]     e.g. -runs=10000000 for the long run
# Needs root (unshare), clang and libclang-rt (Debian: clang-14 libclang-rt-14-dev), node for the seeds.
# FUZZ_OUT (default /tmp/tftp-engine-fuzz) keeps the binary, the corpus and any crash artifact.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=bench/tftp-fuzz
out=${FUZZ_OUT:-/tmp/tftp-engine-fuzz}
cc=${FUZZ_CC:-$(command -v clang-14 || command -v clang)}
mkdir -p "$out/corpus"
"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -pthread \
  "$here/harness.c" src/tftp/native/{transfer,xfer,loop}.c -o "$out/fuzzer"
node "$here/seeds.ts" "$out/seeds"
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(-max_total_time=60)
# max_dgram_qlen: room for a whole window (64 blocks) on the harness's AF_UNIX pairs (the namespace's own sysctl).
in_netns() { unshare --net sh -c 'ip link set lo up && sysctl -qw net.unix.max_dgram_qlen=512 && exec "$@"' sh "$@"; }
echo "tftp-engine fuzz: regressions"
in_netns "$out/fuzzer" -timeout=10 "$here"/regressions/*
echo "tftp-engine fuzz: ${flags[*]}"
in_netns "$out/fuzzer" -timeout=10 -print_final_stats=1 -artifact_prefix="$out/" "${flags[@]}" "$out/corpus" "$out/seeds"
