#!/usr/bin/env bash
# What every request pays (issue "Platform, second pass", section 5), release build, loopback,
# bounded in time. In one run, each through nginx with the gateway's own generated settings, wrk
# 64 connections:
#   floor      a Hummingbird server returning the catalog list page's bytes, prebuilt
#              (bazaar-floor-server behind a copy of the gateway's nginx.conf)
#   list       the warm catalog list page (GET /api/catalog/products?page=1&limit=20)
#   product    a warm product page
#   me         authenticated GET /api/users/me
# Targets: list >= 50% of the floor, me >= 35%. Figures go to stdout and .build/bench-overhead.json.
set -euo pipefail
source "$(dirname "$0")/../platform.sh"
duration=${BENCH_SECONDS:-10}
floor_port=${BENCH_FLOOR_PORT:-8791}
floor_gateway_port=${BENCH_FLOOR_GATEWAY_PORT:-8792}
bench_require bazaar bazaar-catalog bazaar-user bazaar-floor-server
bench_up

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
bench_wait_for_demo_catalog
list_path="/api/catalog/products?page=1&limit=20"
curl -sf "$bench_gateway$list_path" > "$bench_run_dir/list.json"
slug=$(json "['items'][0]['slug']" < "$bench_run_dir/list.json")
email="bench-$(date +%s)@example.com"
token=$(curl -sf -X POST "$bench_gateway/api/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"bench-Secret-phrase-$RANDOM\",\"name\":\"Benchmark Shopper\"}" | json "['accessToken']")

# The floor: the same bytes from a server that does nothing else, behind the same nginx settings
# (the gateway's generated nginx.conf with the catalog upstream pointed at the floor server).
"$bench_bin/bazaar-floor-server" "$floor_port" "$bench_run_dir/list.json" > "$bench_run_dir/floor-server.log" 2>&1 &
floor_pid=$!
floor_dir="$bench_run_dir/floor-gateway"
cp -r "$bench_run_dir/gateway" "$floor_dir"
rm -f "$floor_dir"/*.pid
catalog_port=$(grep -A2 'upstream catalog_service' "$bench_run_dir/gateway/nginx.conf" | grep -oE '127\.0\.0\.1:[0-9]+' | head -1)
sed -i -e "s#$bench_run_dir/gateway#$floor_dir#g" \
       -e "s#listen 127\.0\.0\.1:$bench_gateway_port#listen 127.0.0.1:$floor_gateway_port#" \
       -e "s#server $catalog_port;#server 127.0.0.1:$floor_port;#" "$floor_dir/nginx.conf"
nginx -p "$floor_dir" -c "$floor_dir/nginx.conf" -g 'daemon off;' -e stderr > "$floor_dir/access.log" 2>&1 &
nginx_pid=$!
stop_floor() { kill "$nginx_pid" "$floor_pid" 2>/dev/null || true; wait "$nginx_pid" "$floor_pid" 2>/dev/null || true; bench_cleanup; }
trap stop_floor EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$floor_gateway_port$list_path" >/dev/null && break; sleep 0.2; done
cmp -s <(curl -sf "http://127.0.0.1:$floor_gateway_port$list_path") "$bench_run_dir/list.json" \
    || { echo "bench-overhead: the floor does not serve the catalog page's bytes (status $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$floor_gateway_port$list_path"))" >&2
         tail -n 5 "$floor_dir/access.log" "$bench_run_dir/floor-server.log" >&2; exit 1; }

measure() {  # name url [curl/wrk header args...]
    local name=$1 url=$2
    shift 2
    wrk -t2 -c64 -d3s "$@" "$url" >/dev/null
    wrk -t2 -c64 -d"${duration}s" --latency "$@" "$url" > "$bench_run_dir/$name.txt"
}
measure floor "http://127.0.0.1:$floor_gateway_port$list_path"
measure list "$bench_gateway$list_path"
measure product "$bench_gateway/api/catalog/products/$slug"
measure me "$bench_gateway/api/users/me" -H "Authorization: Bearer $token"

read -r floor_rate floor_p50 floor_p99 floor_errors _ < <(bench_summarise "$bench_run_dir/floor.txt")
report="" json_out="{"
for name in floor list product me; do
    read -r rate p50 p99 errors socket < <(bench_summarise "$bench_run_dir/$name.txt")
    share=$(python3 -c "print(round(100 * $rate / $floor_rate))")
    report+=$(printf '  %-8s %7s req/s  p50 %6s ms  p99 %6s ms  %3s%% of the floor  non-2xx %s (%s)' "$name" "$rate" "$p50" "$p99" "$share" "$errors" "$socket")$'\n'
    json_out+="\"$name\": {\"requestsPerSecond\": $rate, \"p50Ms\": $p50, \"p99Ms\": $p99, \"percentOfFloor\": $share, \"non2xx\": $errors},"
    [ "$errors" = 0 ] || failed=1
    eval "${name}_share=$share"
done
build_kind=release
[[ "$bench_bin" == *debug* ]] && build_kind="DEBUG build, figures not comparable"
targets=$(python3 -c "print('yes' if $list_share >= 50 and $me_share >= 35 else 'no')")
printf 'what every request pays, through nginx (%s, loopback, %s cores, wrk 64 connections, %ss each)\n%s  targets (list >= 50%%, me >= 35%% of the floor) met: %s\n' \
    "$build_kind" "$(nproc)" "$duration" "$report" "$targets"
mkdir -p "$bench_root/.build"
echo "${json_out%,}, \"targetsMet\": \"$targets\"}" > "$bench_root/.build/bench-overhead.json"
[ -z "${failed:-}" ] || { echo "bench-overhead: some requests failed" >&2; exit 1; }
