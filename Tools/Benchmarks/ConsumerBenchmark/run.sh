#!/usr/bin/env bash
# Events handled per second by one consumer process, one partition vs six, on the dev broker and
# a private Postgres started for the run on its own ports (release build; loopback; bounded).
set -euo pipefail
source "$(dirname "$0")/../platform.sh"
bench_infra_up
"$bench_bin/bazaar-consumer-benchmark" "$@"
