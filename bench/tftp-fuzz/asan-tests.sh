#!/usr/bin/env bash
# The TFTP tests against an AddressSanitizer + UBSan build of the native engine (src/tftp/native/engine.ts:
# APPLIANCE_NATIVE_SANITIZE=1), with the ASan runtime preloaded into every node process the tests start.
# Fails if a test fails, if the engine was not the sanitized build, or if a sanitizer wrote a report.
#
#   bash bench/tftp-fuzz/asan-tests.sh [TEST FILES...]     (default: every TFTP test that runs the engine)
set -euo pipefail
cd "$(dirname "$0")/../.."
cc=${CC:-cc}
asan=$("$cc" -print-file-name=libasan.so)
[ -e "$asan" ] || { echo "no libasan.so for $cc (apt-get install gcc)"; exit 2; }
reports=$(mktemp -d /tmp/tftp-asan-XXXXXX)
cache=$(mktemp -d /tmp/tftp-asan-addons-XXXXXX)
trap 'rm -rf "$cache"' EXIT
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(src/tftp/native/engine.test.ts test/tftp-clients.test.ts test/tftp-robustness.test.ts test/tftp-slot-exhaustion.test.ts)
# detect_leaks=0: node itself keeps memory to its exit; the engine's leaks are the fuzzer's to find (LSan on).
export APPLIANCE_NATIVE_DIR="$cache" APPLIANCE_NATIVE_SANITIZE=1 LD_PRELOAD="$asan" \
  ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$reports/asan" UBSAN_OPTIONS="print_stacktrace=1:log_path=$reports/ubsan"
# A node process with this environment loads the sanitized engine (the tests' services would otherwise fall back
# to the in-thread downloads with only a warning); test/lib/netns.ts passes LD_PRELOAD to node processes only.
node --input-type=module -e "
  const { loadEngineAddon } = await import('./src/tftp/native/engine.ts');
  const a = loadEngineAddon();
  if (!a.ok) { console.error('asan-tests: the sanitized engine does not load:', a.error); process.exit(1); }"
status=0
node --test --test-concurrency=1 --test-timeout=180000 "${tests[@]}" || status=$?
# What runs from here (ls, nm, the trap's rm) is not the engine: with the ASan runtime preloaded, each would
# create $reports again after the rmdir below.
unset LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS
built=$(ls "$cache"/engine-*.node 2>/dev/null | head -1)
if [ -z "$built" ] || ! nm -D "$built" | grep -q __asan_report; then
  echo "asan-tests: the engine that ran was not the sanitized build ($built)"; exit 1
fi
if [ -n "$(ls -A "$reports")" ]; then
  echo "asan-tests: sanitizer reports in $reports:"; cat "$reports"/*; exit 1
fi
rmdir "$reports"
echo "asan-tests: $built (sanitized), no sanitizer report; node --test exit $status"
exit $status
