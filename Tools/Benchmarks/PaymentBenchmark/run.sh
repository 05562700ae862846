#!/usr/bin/env bash
# Payments processed per second end to end (issue "Payment service"), release build, loopback,
# bounded in count and time: order.payment_requested events go onto the orders topic (kcat) and
# the clock stops at the last answer (payment.authorized or payment.failed) on the payments topic.
# Beside the payment service run only what it needs: Postgres and the dev broker (`bazaar infra`,
# which also starts the Redis, MongoDB-wire and SMTP servers, idle here). One payment process, then
# a second replica in the same consumer group (the orders topic has 6 partitions). Every tenth
# request is declined (tok_chargeDeclined), the rest captured (tok_visa) by the simulated provider.
# Figures go to stdout and .build/bench-payments.json.
set -euo pipefail
source "$(dirname "$0")/../platform.sh"
requests=${BENCH_PAYMENTS:-3000}
bench_require bazaar bazaar-payment
command -v kcat >/dev/null || { echo "bench-payments: kcat is missing (apt-get install kcat)" >&2; exit 1; }
replicas=()
cleanup() {
    for pid in "${replicas[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    bench_cleanup
}
trap cleanup EXIT
bench_infra_up
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

start_replica() {  # index → starts bazaar-payment on its own port, waits until ready
    local port=$((18106 + $1))
    PORT=$port HOST=127.0.0.1 DATABASE_URL="$PAYMENT_DATABASE_URL" PAYMENT_WEBHOOK_SECRET="$secret" LOG_LEVEL=warning \
        KAFKA_FETCH_WAIT_MAX_MS="${BENCH_FETCH_WAIT_MAX_MS:-10}" "$bench_bin/bazaar-payment" > "$bench_run_dir/payment-$1.log" 2>&1 &
    replicas+=($!)
    for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return 0; sleep 1; done
    echo "bench-payments: replica $1 did not start" >&2; tail -n 5 "$bench_run_dir/payment-$1.log" >&2; exit 1
}

measure() {  # name → prints "rate"
    local name=$1
    python3 "$(dirname "$0")/events.py" requests "$requests" "$name" 10 > "$bench_run_dir/$name.txt"
    # The answers, read from the end of the payments topic, until every request has one (at most two minutes).
    timeout 120 kcat -C -b "$KAFKA_BROKERS" -t payments -o end -c "$requests" -q -f '%T\n' > "$bench_run_dir/$name.answers" &
    local reader=$!
    sleep 2  # the reader joins the topic's end before the first request goes out
    local start
    start=$(python3 -c 'import time; print(int(time.time() * 1000))')
    kcat -P -b "$KAFKA_BROKERS" -t orders -K '|' -l "$bench_run_dir/$name.txt"
    wait "$reader" || { echo "bench-payments: $name: only $(wc -l < "$bench_run_dir/$name.answers") of $requests answers" >&2; exit 1; }
    python3 -c "import sys; last = max(int(l) for l in open(sys.argv[1])); print(round($requests * 1000 / (last - $start)))" "$bench_run_dir/$name.answers"
}

start_replica 0
# A first small run creates the topics and warms the service, then the measured ones.
BENCH_PAYMENTS=50 requests=50 measure warmup >/dev/null
one=$(measure one-replica)
start_replica 1
sleep 5  # the group rebalances onto both replicas
two=$(measure two-replicas)
charges=$(psql "$PAYMENT_DATABASE_URL" -tAc "SELECT count(*) FROM payment_simulator.operations WHERE kind = 'charge'" 2>/dev/null || echo "?")
payments=$(psql "$PAYMENT_DATABASE_URL" -tAc "SELECT count(*) FROM payments" 2>/dev/null || echo "?")

printf 'payments end to end, order.payment_requested in -> payment.authorized/failed out (release, loopback, %s cores, %s requests each, Postgres and the dev broker beside it)\n' "$(nproc)" "$requests"
printf '  one replica:  %6s/s\n  two replicas: %6s/s\n  %s payments, %s provider charges (one per payment)\n' "$one" "$two" "$payments" "$charges"
mkdir -p "$bench_root/.build"
echo "{\"requests\": $requests, \"oneReplica\": $one, \"twoReplicas\": $two, \"payments\": \"$payments\", \"providerCharges\": \"$charges\"}" > "$bench_root/.build/bench-payments.json"
