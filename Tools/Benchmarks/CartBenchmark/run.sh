#!/usr/bin/env bash
# Cart benchmark (issue "Cart service"), release build, loopback, bounded in time: signed-in
# users' requests through the nginx gateway, wrk 64 connections spread over 256 users, three phases:
#   get       GET /api/cart, carts of 3 lines                               (target >= 8,000 req/s)
#   add       POST /api/cart/items, one unit of one of 8 demo products, so
#             carts stay at most 8 lines, a shopper's cart                   (target >= 4,000 req/s)
#   add-full  the same over 50 products: carts grow to the 50-line limit and
#             every answer is a 50-line cart (the worst case; no target)
# Every answer is the whole priced cart. Figures go to stdout and .build/bench-cart.json.
set -euo pipefail
source "$(dirname "$0")/../platform.sh"
here="$bench_root/Tools/Benchmarks/CartBenchmark"
duration=${BENCH_SECONDS:-15}
users=${BENCH_USERS:-256}
bench_require bazaar bazaar-catalog bazaar-cart bazaar-user
bench_up

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
bench_wait_for_demo_catalog
products=$(curl -sf "$bench_gateway/api/catalog/products?limit=50&sort=name" | python3 -c "
import json, sys; print(','.join(item['id'] for item in json.load(sys.stdin)['items']))")

echo "registering $users users..."
export BENCH_TOKENS="$bench_run_dir/tokens.txt"
mkdir -p "$bench_run_dir/users"
seq 1 "$users" | xargs -P 4 -I{} curl -sf -o "$bench_run_dir/users/{}.json" -X POST "$bench_gateway/api/auth/register" \
    -H 'Content-Type: application/json' \
    -d "{\"email\":\"cart-bench-{}-$RANDOM@example.com\",\"password\":\"bench-Secret-phrase-{}-$RANDOM\",\"name\":\"Cart Benchmark {}\"}"
python3 -c "import glob, json, sys
for path in sorted(glob.glob(sys.argv[1] + '/users/*.json')): print(json.load(open(path))['accessToken'])" "$bench_run_dir" > "$BENCH_TOKENS"
[ "$(wc -l < "$BENCH_TOKENS")" -eq "$users" ] || { echo "bench-cart: registered only $(wc -l < "$BENCH_TOKENS") of $users users" >&2; exit 1; }

# The cart learns the products from the catalog's events; then each user gets a cart of 3 lines.
IFS=, read -r -a ids <<< "$products"
first_token=$(head -n 1 "$BENCH_TOKENS")
for _ in $(seq 1 120); do
    status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$bench_gateway/api/cart/items" -H "Authorization: Bearer $first_token" \
        -H 'Content-Type: application/json' -d "{\"productId\":\"${ids[49]}\",\"quantity\":1}")
    [ "$status" = 200 ] && break
    sleep 1
done
[ "$status" = 200 ] || { echo "bench-cart: the cart did not learn the demo products (last answer $status)" >&2; exit 1; }
while read -r token; do
    for index in 0 1 2; do
        curl -sf -o /dev/null -X POST "$bench_gateway/api/cart/items" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
            -d "{\"productId\":\"${ids[$index]}\",\"quantity\":1}"
    done
done < "$BENCH_TOKENS"

export BENCH_PRODUCTS="$products"
phase_lines() { case $1 in get) echo 3 ;; add) echo 8 ;; add-full) echo 50 ;; esac; }
for mode in get add add-full; do
    export BENCH_MODE=${mode%-full} BENCH_CART_LINES=$(phase_lines "$mode")
    wrk -t2 -c64 -d3s -s "$here/cart.lua" "$bench_gateway" >/dev/null
    wrk -t2 -c64 -d"${duration}s" --latency -s "$here/cart.lua" "$bench_gateway" > "$bench_run_dir/$mode.txt"
done

report="" json_out="{"
for mode in get add add-full; do
    read -r rate p50 p99 errors socket < <(bench_summarise "$bench_run_dir/$mode.txt")
    case $mode in
        get) target=8000 label="GET /api/cart (3-line carts)" ;;
        add) target=4000 label="POST /api/cart/items (carts of up to 8 lines)" ;;
        add-full) target=0 label="POST /api/cart/items (carts growing to 50 lines)" ;;
    esac
    met=$(python3 -c "print('yes' if $rate >= $target and $errors == 0 else 'no')")
    goal="target >= $target req/s met: $met"
    [ "$target" = 0 ] && goal="no target"
    report+="  $label: $rate req/s, p50 $p50 ms, p99 $p99 ms, non-2xx $errors ($socket); $goal"$'\n'
    json_out+="\"$mode\": {\"requestsPerSecond\": $rate, \"p50Ms\": $p50, \"p99Ms\": $p99, \"non2xx\": $errors, \"targetMet\": \"$met\"},"
    [ "$errors" = 0 ] || failed=1
done
printf 'cart through the gateway (release, loopback, %s cores, 64 connections over %s signed-in users, %ss each, the whole platform beside it)\n%s' \
    "$(nproc)" "$users" "$duration" "$report"
mkdir -p "$bench_root/.build"
echo "${json_out%,}}" > "$bench_root/.build/bench-cart.json"
[ -z "${failed:-}" ] || { echo "bench-cart: some requests failed" >&2; exit 1; }
