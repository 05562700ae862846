#!/usr/bin/env bash
# Catalog benchmark (issue 6), release build, loopback, bounded in time: GET of a product list
# page (page=1&limit=20) and of a product page through the nginx gateway, wrk 64 connections,
# with the Redis cache warm (target: list >= 8,000 requests/s and p99 <= 20 ms on the 2-core
# reference machine), then the same with the cache off (CATALOG_CACHE=off) for comparison.
# Each run starts a private platform with the demo catalog and stops it. Figures go to stdout
# and .build/bench-catalog.json.
set -euo pipefail
source "$(dirname "$0")/../platform.sh"
duration=${BENCH_SECONDS:-15}
bench_require bazaar bazaar-catalog

measure() {  # mode (warm|cold) → writes "$bench_run_dir/<mode>-<page>.txt"
    local mode=$1
    bench_up
    bench_wait_for_demo_catalog
    slug=$(curl -sf "$bench_gateway/api/catalog/products?limit=1&sort=name" | python3 -c "import json,sys; print(json.load(sys.stdin)['items'][0]['slug'])")
    for page in list detail; do
        url="$bench_gateway/api/catalog/products?page=1&limit=20"
        [ "$page" = detail ] && url="$bench_gateway/api/catalog/products/$slug"
        wrk -t2 -c64 -d3s "$url" >/dev/null
        wrk -t2 -c64 -d"${duration}s" --latency "$url" > "$bench_run_dir/$mode-$page.txt"
    done
    bench_down
}

measure warm
CATALOG_CACHE=off measure cold

report=""
json="{"
for mode in warm cold; do
    for page in list detail; do
        read -r rate p50 p99 errors socket < <(bench_summarise "$bench_run_dir/$mode-$page.txt")
        report+="  $mode $page: $rate req/s, p50 $p50 ms, p99 $p99 ms, non-2xx $errors ($socket)"$'\n'
        json+="\"$mode-$page\": {\"requestsPerSecond\": $rate, \"p50Ms\": $p50, \"p99Ms\": $p99, \"non2xx\": $errors},"
        [ "$errors" = 0 ] || failed=1
        if [ "$mode-$page" = warm-list ]; then
            target_met=$(python3 -c "print('yes' if $rate >= 8000 and $p99 <= 20 else 'no')")
        fi
    done
done
printf 'catalog through the gateway (release, loopback, %s cores, 64 connections, %ss each)\n%s  target (warm list >= 8000 req/s, p99 <= 20 ms) met: %s\n' \
    "$(nproc)" "$duration" "$report" "$target_met"
mkdir -p "$bench_root/.build"
echo "${json%,}, \"targetMet\": \"$target_met\"}" > "$bench_root/.build/bench-catalog.json"
[ -z "${failed:-}" ] || { echo "bench-catalog: some requests failed" >&2; exit 1; }
