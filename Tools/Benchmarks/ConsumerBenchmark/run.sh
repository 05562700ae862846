#!/usr/bin/env bash
# Events handled per second by one consumer process, one partition vs six, on the dev broker and
# a private Postgres started for the run on its own ports (release build; loopback; bounded).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
bin=${BAZAAR_BENCH_BIN:-$root/.build/release}
run_dir=$(mktemp -d /tmp/bazaar-bench-consumer.XXXXXX)
ports=(--postgres-port "${BENCH_POSTGRES_PORT:-54711}" --redis-port "${BENCH_REDIS_PORT:-56711}" --cart-redis-port "${BENCH_CART_REDIS_PORT:-56712}" --mongo-port "${BENCH_MONGO_PORT:-57711}"
       --smtp-port "${BENCH_SMTP_PORT:-2711}")
cleanup() {
    "$bin/bazaar" down --run-dir "$run_dir" "${ports[@]}" >/dev/null 2>&1 || true
    rm -rf "$run_dir"
}
trap cleanup EXIT
"$bin/bazaar" infra --detach --run-dir "$run_dir" "${ports[@]}" >/dev/null
set -a
# shellcheck disable=SC1091
source "$run_dir/infra.env"
set +a
"$bin/bazaar-consumer-benchmark" "$@"
