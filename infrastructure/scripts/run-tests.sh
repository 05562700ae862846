#!/usr/bin/env bash
# Starts the test infrastructure with the project's own launcher, runs the Swift tests and the
# contract checks against it, and always stops the infrastructure again.
set -euo pipefail
build_dir=$1 run_dir=$2 postgres_port=$3
bazaar="$build_dir/bazaar"

stop_infrastructure() {
    "$bazaar" down --run-dir "$run_dir" --postgres-port "$postgres_port" || echo "warning: could not stop the test infrastructure" >&2
}
# A previous run that was killed may have left its infrastructure behind.
stop_infrastructure
trap stop_infrastructure EXIT

"$bazaar" infra --detach --run-dir "$run_dir" --postgres-port "$postgres_port"
set -a
# shellcheck disable=SC1091
source "$run_dir/infra.env"
set +a
export BAZAAR_RUN_DIR="$run_dir"

swift test --skip-build
"$(dirname "$0")/check-contracts.sh"
