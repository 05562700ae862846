#!/usr/bin/env bash
# Reservations per second end to end (issue "Inventory service"), release build, loopback,
# bounded in count and time: order.placed events go onto the orders topic (kcat) and the clock
# stops at the last stock.reserved on the inventory topic. Scenarios: every order for one hot
# SKU, and orders spread over 1,000 SKUs (one line each); each with one inventory process and
# with a second replica in the same consumer group (the orders topic has 6 partitions).
# Each SKU has plenty on hand, so every order is an answer `stock.reserved`.
# Figures go to stdout and .build/bench-reservations.json.
set -euo pipefail
source "$(dirname "$0")/../platform.sh"
orders=${BENCH_ORDERS:-2000}
skus=${BENCH_SKUS:-1000}
bench_require bazaar bazaar-catalog bazaar-inventory
command -v kcat >/dev/null || { echo "bench-reservations: kcat is missing (apt-get install kcat)" >&2; exit 1; }
bench_up
bench_wait_for_demo_catalog
set -a
# shellcheck disable=SC1091
source "$bench_run_dir/infra.env"
set +a
generator="$(dirname "$0")/events.py"
# SKUs: announced as the catalog would, then stocked through the admin API.
bench_stock_skus "$skus"

measure() {  # name spread(0|1) → prints "rate"
    local name=$1 spread=$2
    python3 "$generator" orders "$orders" "$skus" "$spread" "$name" > "$bench_run_dir/$name.txt"
    # The answers, read from the end of the inventory topic, until every order has one (at most two minutes).
    timeout 120 kcat -C -b "$KAFKA_BROKERS" -t inventory -o end -c "$orders" -q -f '%T\n' > "$bench_run_dir/$name.answers" &
    local reader=$!
    sleep 2  # the reader joins the topic's end before the first order goes out
    local start
    start=$(python3 -c 'import time; print(int(time.time() * 1000))')
    kcat -P -b "$KAFKA_BROKERS" -t orders -K '|' -l "$bench_run_dir/$name.txt"
    wait "$reader" || { echo "bench-reservations: $name: only $(wc -l < "$bench_run_dir/$name.answers") of $orders answers" >&2; exit 1; }
    python3 -c "import sys; last = max(int(l) for l in open(sys.argv[1])); print(round($orders * 1000 / (last - $start)))" "$bench_run_dir/$name.answers"
}

hot1=$(measure hot-1 0); spread1=$(measure spread-1 1)
# A second replica in the same consumer group, with the environment the launcher gives the first.
PORT=$((8103 + ${BENCH_SERVICE_PORT_OFFSET:-2000} + 50)) HOST=127.0.0.1 DATABASE_URL="$INVENTORY_DATABASE_URL" \
    JWT_JWKS_URL="http://127.0.0.1:$((8101 + ${BENCH_SERVICE_PORT_OFFSET:-2000}))/.well-known/jwks.json" LOG_LEVEL=warning \
    "$bench_bin/bazaar-inventory" > "$bench_run_dir/inventory-2.log" 2>&1 &
second=$!
trap 'kill $second 2>/dev/null || true; wait $second 2>/dev/null || true; bench_cleanup' EXIT
second_ready="http://127.0.0.1:$((8103 + ${BENCH_SERVICE_PORT_OFFSET:-2000} + 50))/health/ready"
for _ in $(seq 1 60); do curl -sf "$second_ready" >/dev/null && break; sleep 1; done
curl -sf "$second_ready" >/dev/null || { echo "bench-reservations: the second replica did not start" >&2; tail -n 5 "$bench_run_dir/inventory-2.log" >&2; exit 1; }
sleep 5  # the group rebalances onto both replicas
hot2=$(measure hot-2 0); spread2=$(measure spread-2 1)

printf 'reservations end to end, order.placed in -> stock.reserved out (release, loopback, %s cores, %s orders each, the whole platform beside it)\n' "$(nproc)" "$orders"
printf '  one hot SKU:        %6s/s with one replica, %6s/s with two\n' "$hot1" "$hot2"
printf '  spread, %s SKUs: %6s/s with one replica, %6s/s with two\n' "$skus" "$spread1" "$spread2"
mkdir -p "$bench_root/.build"
echo "{\"orders\": $orders, \"skus\": $skus, \"hotOneReplica\": $hot1, \"hotTwoReplicas\": $hot2, \"spreadOneReplica\": $spread1, \"spreadTwoReplicas\": $spread2}" \
    > "$bench_root/.build/bench-reservations.json"
