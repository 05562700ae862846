#!/usr/bin/env bash
# The order saga end to end (issue "Order service"), release build, loopback, bounded in count and
# time: cart.checked_out events go onto the carts topic at a steady rate (as the cart service
# would publish them), and each order's placed → CONFIRMED time is read from the broker
# timestamps of its order.placed and order.confirmed (through inventory's reservation and the
# payment service's charge: five Kafka hops and four outbox relays). The whole platform runs
# (every service, the gateway, the SMTP sink receiving each confirmation email).
# Rates (BENCH_RATES): 20, 50, 200 and 300 checkouts/s, each for BENCH_SECONDS (20). The services' consumers use
# KAFKA_FETCH_WAIT_MAX_MS=${BENCH_FETCH_WAIT_MAX_MS:-10}; the idle CPU of all services together
# and each program's CPU during each rate are measured. Figures go to stdout and .build/bench-saga.json.
set -euo pipefail
source "$(dirname "$0")/../platform.sh"
skus=${BENCH_SKUS:-100}
seconds=${BENCH_SECONDS:-20}
export KAFKA_FETCH_WAIT_MAX_MS=${BENCH_FETCH_WAIT_MAX_MS:-10}
bench_require bazaar bazaar-catalog bazaar-inventory bazaar-order bazaar-payment bazaar-notification
command -v kcat >/dev/null || { echo "bench-saga: kcat is missing (apt-get install kcat)" >&2; exit 1; }
bench_up
bench_wait_for_demo_catalog
set -a
# shellcheck disable=SC1091
source "$bench_run_dir/infra.env"
set +a
bench_stock_skus "$skus"

# CPU time per program (ticks of user + system time, summed over its processes): the services by
# name, Postgres, the dev broker, nginx and the Python servers (SMTP sink, MongoDB-wire server).
cpu_snapshot() {
    local pid name
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
        [ -r "/proc/$pid/stat" ] || continue
        name=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | awk '{print $1}' | xargs -r basename 2>/dev/null) || continue
        case "$name" in
            bazaar-*|postgres*|nginx*|redis-server|python3*|python) awk -v n="${name%:}" '{print n, $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true ;;
        esac
    done | awk '{ticks[$1] += $2} END {for (n in ticks) print n, ticks[n]}' | sort
}
cpu_share() {  # before-file after-file seconds → "name share-of-one-core%" lines, busiest first
    python3 - "$1" "$2" "$3" "$(getconf CLK_TCK)" <<'PY'
import sys
read = lambda path: {l.split()[0]: int(l.split()[1]) for l in open(path) if l.strip()}
before, after, seconds, tick = read(sys.argv[1]), read(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
shares = {n: (after[n] - before.get(n, 0)) / tick / seconds * 100 for n in after}
print(" ".join("%s=%.0f%%" % (n, v) for n, v in sorted(shares.items(), key=lambda x: -x[1]) if v >= 1) or "none")
PY
}
sleep 5
cpu_snapshot > "$bench_run_dir/idle.before"; sleep 10; cpu_snapshot > "$bench_run_dir/idle.after"
idle=$(cpu_share "$bench_run_dir/idle.before" "$bench_run_dir/idle.after" 10)

measure() {  # name rate → prints "confirmed p50 p99 max rate cancelled"
    local name=$1 rate=$2 count=$(( $2 * seconds ))
    # Every order has three events on the orders topic (placed, payment_requested, confirmed).
    timeout $(( seconds + 120 )) kcat -C -b "$KAFKA_BROKERS" -t orders -o end -c $(( count * 3 )) -q -f '%k\t%T\t%s\n' > "$bench_run_dir/$name.events" &
    local reader=$!
    sleep 2  # the reader joins the topic's end before the first checkout goes out
    cpu_snapshot > "$bench_run_dir/$name.cpu.before"
    local started=$SECONDS
    python3 "$(dirname "$0")/checkouts.py" checkouts "$rate" "$count" "$name" "$skus" | kcat -P -b "$KAFKA_BROKERS" -t carts -K '|'
    wait "$reader" || echo "bench-saga: $name: not every order was confirmed within $(( seconds + 120 )) s" >&2
    cpu_snapshot > "$bench_run_dir/$name.cpu.after"
    cpu_share "$bench_run_dir/$name.cpu.before" "$bench_run_dir/$name.cpu.after" $(( SECONDS - started > 0 ? SECONDS - started : 1 )) > "$bench_run_dir/$name.cpu"
    python3 "$(dirname "$0")/latencies.py" "$bench_run_dir/$name.events"
}

warm=$(BENCH_SECONDS=2 seconds=2 measure warmup 20)
printf 'order saga, placed -> CONFIRMED (release, loopback, %s cores, the whole platform, KAFKA_FETCH_WAIT_MAX_MS=%s, %s s per rate)\n' \
    "$(nproc)" "$KAFKA_FETCH_WAIT_MAX_MS" "$seconds"
printf '  idle CPU (share of one core): %s\n' "$idle"
json="{\"fetchWaitMaxMs\": $KAFKA_FETCH_WAIT_MAX_MS, \"seconds\": $seconds, \"idleCpu\": \"$idle\", \"warmup\": \"$warm\", \"rates\": ["
separator=""
for rate in ${BENCH_RATES:-20 50 200 300}; do
    read -r confirmed p50 p99 max achieved cancelled <<< "$(measure "rate-$rate" "$rate")"
    printf '  %4s/s offered: %5s confirmed, p50 %5s ms, p99 %5s ms, max %5s ms, %4s/s confirmed, %s cancelled\n' \
        "$rate" "$confirmed" "$p50" "$p99" "$max" "$achieved" "$cancelled"
    printf '      CPU (share of one core): %s\n' "$(cat "$bench_run_dir/rate-$rate.cpu")"
    json+="$separator{\"offered\": $rate, \"confirmed\": $confirmed, \"p50Ms\": \"$p50\", \"p99Ms\": \"$p99\", \"perSecond\": $achieved, \"cpu\": \"$(cat "$bench_run_dir/rate-$rate.cpu")\"}"
    separator=", "
done
mkdir -p "$bench_root/.build"
echo "$json]}" > "$bench_root/.build/bench-saga.json"
