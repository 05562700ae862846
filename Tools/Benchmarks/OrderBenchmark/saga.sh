#!/usr/bin/env bash
# The order saga end to end (issue "Order service"), release build, loopback, bounded in count and
# time: cart.checked_out events go onto the carts topic at a steady rate (as the cart service
# would publish them), and each order's placed → CONFIRMED time is read from the broker
# timestamps of its order.placed and order.confirmed (through inventory's reservation and the
# payment service's charge: five Kafka hops and four outbox relays). The whole platform runs
# (every service, the gateway, the SMTP sink receiving each confirmation email).
# Rates: 50/s and 200/s for latency, 300/s for what is sustained. The services' consumers use
# KAFKA_FETCH_WAIT_MAX_MS=${BENCH_FETCH_WAIT_MAX_MS:-10}; the idle CPU of all services together
# is measured before the first checkout. Figures go to stdout and .build/bench-saga.json.
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

# Idle CPU: the services' CPU time over ten quiet seconds, as a share of one core.
service_cpu_ticks() {
    local total=0 pid
    for pid in $(pgrep -f "$bench_bin/bazaar-" || true); do
        [ -r "/proc/$pid/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    done
    echo "$total"
}
sleep 5
before=$(service_cpu_ticks); sleep 10; after=$(service_cpu_ticks)
idle=$(python3 -c "print(round(($after - $before) / $(getconf CLK_TCK) / 10 * 100, 1))")

measure() {  # name rate → prints "confirmed p50 p99 max rate cancelled"
    local name=$1 rate=$2 count=$(( $2 * seconds ))
    # Every order has three events on the orders topic (placed, payment_requested, confirmed).
    timeout $(( seconds + 120 )) kcat -C -b "$KAFKA_BROKERS" -t orders -o end -c $(( count * 3 )) -q -f '%k\t%T\t%s\n' > "$bench_run_dir/$name.events" &
    local reader=$!
    sleep 2  # the reader joins the topic's end before the first checkout goes out
    python3 "$(dirname "$0")/checkouts.py" checkouts "$rate" "$count" "$name" "$skus" | kcat -P -b "$KAFKA_BROKERS" -t carts -K '|'
    wait "$reader" || echo "bench-saga: $name: not every order was confirmed within $(( seconds + 120 )) s" >&2
    python3 "$(dirname "$0")/latencies.py" "$bench_run_dir/$name.events"
}

warm=$(BENCH_SECONDS=2 seconds=2 measure warmup 20)
read -r n50 p50a p99a max50 r50 c50 <<< "$(measure rate-50 50)"
read -r n200 p50b p99b max200 r200 c200 <<< "$(measure rate-200 200)"
read -r n300 p50c p99c max300 r300 c300 <<< "$(measure rate-300 300)"

printf 'order saga, placed -> CONFIRMED (release, loopback, %s cores, the whole platform, KAFKA_FETCH_WAIT_MAX_MS=%s, %s s per rate)\n' \
    "$(nproc)" "$KAFKA_FETCH_WAIT_MAX_MS" "$seconds"
printf '  idle: all services together %s%% of one core\n' "$idle"
printf '  %4s/s offered: %5s confirmed, p50 %5s ms, p99 %5s ms, max %5s ms, %4s/s confirmed, %s cancelled\n' \
    50 "$n50" "$p50a" "$p99a" "$max50" "$r50" "$c50" 200 "$n200" "$p50b" "$p99b" "$max200" "$r200" "$c200" 300 "$n300" "$p50c" "$p99c" "$max300" "$r300" "$c300"
mkdir -p "$bench_root/.build"
cat > "$bench_root/.build/bench-saga.json" <<JSON
{"fetchWaitMaxMs": $KAFKA_FETCH_WAIT_MAX_MS, "idleCpuPercentOfOneCore": $idle, "seconds": $seconds, "warmup": "$warm",
 "rate50": {"confirmed": $n50, "p50Ms": "$p50a", "p99Ms": "$p99a", "perSecond": $r50},
 "rate200": {"confirmed": $n200, "p50Ms": "$p50b", "p99Ms": "$p99b", "perSecond": $r200},
 "rate300": {"confirmed": $n300, "p50Ms": "$p50c", "p99Ms": "$p99c", "perSecond": $r300}}
JSON
