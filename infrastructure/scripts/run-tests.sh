#!/usr/bin/env bash
# Starts the test infrastructure with the project's own launcher, runs the Swift tests and the
# contract checks against it, and always stops the infrastructure again.
#
# Usage: run-tests.sh [--repeat N] BUILD_DIR RUN_DIR [launcher port options...]
#
# With --repeat N the Swift tests run N times against the one started infrastructure (contract
# checks are skipped), and at the end every test that failed at least once is listed with how
# often: the way to find a flaky test before CI does.
set -euo pipefail
repeat=0
if [ "${1:-}" = "--repeat" ]; then
    repeat=$2
    shift 2
    [[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "--repeat needs a positive number, not '$repeat'" >&2; exit 2; }
fi
build_dir=$1 run_dir=$2
shift 2
ports=("$@")
bazaar="$build_dir/bazaar"

stop_infrastructure() {
    "$bazaar" down --run-dir "$run_dir" "${ports[@]}" || echo "warning: could not stop the test infrastructure" >&2
}
# A previous run that was killed may have left its infrastructure behind.
stop_infrastructure
trap stop_infrastructure EXIT

"$bazaar" infra --detach --run-dir "$run_dir" "${ports[@]}"
set -a
# shellcheck disable=SC1091
source "$run_dir/infra.env"
set +a
export BAZAAR_RUN_DIR="$run_dir"

# The whole-platform suites (`bazaar up` with every service as a debug-built process: the order
# saga across them, and the security suite's attacks through the gateway) run on their own after
# the rest: beside the other suites their processes and disk writes starved time-sensitive tests
# on two cores. One at a time, too: two whole platforms at once are twenty debug-built processes.
# Last, the storefront in a real browser (headless chromium) against a whole platform of its own,
# every service's API fuzzed through the gateway (schemathesis) against another, and the short
# chaos run (checkouts while processes are killed) against a third.
platform_suites=(PlatformIntegrationTests SecurityTests)
here=$(cd "$(dirname "$0")" && pwd)
swift_tests() {
    local status=0 suite
    swift test --skip-build --skip "$(IFS='|'; echo "${platform_suites[*]}")" || status=$?
    for suite in "${platform_suites[@]}"; do
        swift test --skip-build --filter "$suite" || status=$?
    done
    "$here/../../.venv/bin/python" "$here/../../Tests/Browser/storefront_test.py" --launcher "$bazaar" || status=$?
    "$here/../../.venv/bin/python" "$here/../../Tests/Fuzz/api_fuzz.py" --launcher "$bazaar" || status=$?
    "$here/../../.venv/bin/python" "$here/../../Tests/Chaos/chaos.py" --form short --launcher "$bazaar" || status=$?
    return "$status"
}

if [ "$repeat" -eq 0 ]; then
    swift_tests
    "$(dirname "$0")/check-contracts.sh"
    "$(dirname "$0")/../../.venv/bin/python" "$(dirname "$0")/check-gateway.py"
    "$(dirname "$0")/check-links.sh" "$build_dir"
    "$(dirname "$0")/check-image-libraries.sh" "$build_dir"
    "$(dirname "$0")/check-deployment.sh"
    "$(dirname "$0")/check-kubernetes.sh"
    exit 0
fi

logs="$run_dir/test-repeat"
rm -rf "$logs"
mkdir -p "$logs"
failed_runs=0
for run in $(seq 1 "$repeat"); do
    echo "== test run $run of $repeat (log: $logs/run-$run.log)"
    if swift_tests > "$logs/run-$run.log" 2>&1; then
        echo "   passed: $(grep -E 'Test run with [0-9]+ tests? (in [0-9]+ suites? )?passed|^Ran [0-9]+ tests? in|^fuzz: every service|^chaos: every promise' "$logs/run-$run.log" | paste -sd ' ' -)"
    else
        failed_runs=$((failed_runs + 1))
        echo "   FAILED: $(grep -E 'Test run with [0-9]+ tests?.* failed|^FAILED \(|^fuzz: FAILED|^chaos: FAILED \(' "$logs/run-$run.log" | paste -sd ' ' -)"
    fi
done
echo
echo "== $repeat runs, $failed_runs failed"
# Swift Testing reports each failed test as `✘ Test "name" failed after …` (a parameterised one
# once per failing argument, then once as a whole); XCTest as `Test Case '…' failed`; the browser
# tests (Python unittest) as `test_name (module.Class.test_name) ... FAIL` (or ERROR); the fuzzing
# as `fuzz: SERVICE as ROLE (PHASES): N cases, FAILED`; the chaos run as `chaos: FAILED: PROBLEM`.
failures=$(grep -hoE "✘ Test .* failed after|Test Case '.*' failed|^test_[a-z0-9_]+ \([^)]*\) \.\.\. (FAIL|ERROR)$|^fuzz: [a-z]+ as [a-z]+ \([a-z,]+\): [0-9]+ cases, FAILED$|^chaos: FAILED: .{0,60}" "$logs"/run-*.log \
    | grep -vE '^✘ Test run with [0-9]+ tests?' \
    | sed -E 's/^✘ Test (.*) failed after$/\1/; s/^Test Case (.*) failed.*$/\1/; s/^test_[a-z0-9_]+ \(([^)]*)\) \.\.\. (FAIL|ERROR)$/browser: \1/; s/^(fuzz: [a-z]+ as [a-z]+) .*$/\1/' \
    | sort | uniq -c | sort -rn || true)
if [ -n "$failures" ]; then
    echo "tests that failed at least once (count, test):"
    echo "$failures"
    exit 1
fi
if [ "$failed_runs" -gt 0 ]; then
    # A suite that could not start (its platform, a crash) fails a run without naming a test.
    echo "no single test failed, but $failed_runs run(s) did: see the logs above"
    exit 1
fi
echo "no test failed"
