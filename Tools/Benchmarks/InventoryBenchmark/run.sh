#!/usr/bin/env bash
# Inventory benchmark (issue "Inventory service"), release build, loopback, bounded in time:
# public availability through the nginx gateway, wrk 64 connections, for one SKU and for 20
# SKUs per request (a cart page), on a private platform whose inventory learned the demo catalog
# (target: >= 5,000 requests/s). Figures go to stdout and .build/bench-inventory.json.
set -euo pipefail
source "$(dirname "$0")/../platform.sh"
duration=${BENCH_SECONDS:-15}
bench_require bazaar bazaar-catalog bazaar-inventory
bench_up

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
bench_wait_for_demo_catalog
skus=$(curl -sf "$bench_gateway/api/catalog/products?limit=20" | json "['items']" | python3 -c "
import ast, sys; print(','.join(item['sku'] for item in ast.literal_eval(sys.stdin.read())))")
one=${skus%%,*}
for _ in $(seq 1 120); do  # the inventory learns the SKUs from the catalog's events
    known=$(curl -sf "$bench_gateway/api/inventory/availability?skus=$skus" | json "['unknown']" 2>/dev/null || echo "?")
    [ "$known" = "[]" ] && break
    sleep 1
done
[ "$known" = "[]" ] || { echo "bench-inventory: the inventory did not learn the demo SKUs (unknown: $known)" >&2; exit 1; }

for name in one twenty; do
    url="$bench_gateway/api/inventory/availability?skus=$one"
    [ "$name" = twenty ] && url="$bench_gateway/api/inventory/availability?skus=$skus"
    wrk -t2 -c64 -d3s "$url" >/dev/null
    wrk -t2 -c64 -d"${duration}s" --latency "$url" > "$bench_run_dir/$name.txt"
done

report="" json_out="{"
for name in one twenty; do
    read -r rate p50 p99 errors socket < <(bench_summarise "$bench_run_dir/$name.txt")
    label="1 SKU"; [ "$name" = twenty ] && label="20 SKUs"
    report+="  availability, $label per request: $rate req/s, p50 $p50 ms, p99 $p99 ms, non-2xx $errors ($socket)"$'\n'
    json_out+="\"$name\": {\"requestsPerSecond\": $rate, \"p50Ms\": $p50, \"p99Ms\": $p99, \"non2xx\": $errors},"
    [ "$errors" = 0 ] || failed=1
    [ "$name" = one ] && target_met=$(python3 -c "print('yes' if $rate >= 5000 else 'no')")
done
printf 'inventory availability through the gateway (release, loopback, %s cores, 64 connections, %ss each, the whole platform beside it)\n%s  target (>= 5000 req/s) met: %s\n' \
    "$(nproc)" "$duration" "$report" "$target_met"
mkdir -p "$bench_root/.build"
echo "${json_out%,}, \"targetMet\": \"$target_met\"}" > "$bench_root/.build/bench-inventory.json"
[ -z "${failed:-}" ] || { echo "bench-inventory: some requests failed" >&2; exit 1; }
