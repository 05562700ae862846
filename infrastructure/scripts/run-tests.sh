#!/usr/bin/env bash
# Starts the test infrastructure with the project's own launcher, runs the Swift tests and the
# contract checks against it, and always stops the infrastructure again.
set -euo pipefail
# Usage: run-tests.sh BUILD_DIR RUN_DIR [launcher port options...]
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

swift test --skip-build
"$(dirname "$0")/check-contracts.sh"
