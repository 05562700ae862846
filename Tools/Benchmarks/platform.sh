# Shared by the platform benchmarks (sourced, not run): start a private platform from the release
# build on its own ports, summarise wrk output, stop the platform. Loopback only.

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench_bin=${BAZAAR_BENCH_BIN:-$bench_root/.build/release}
bench_run_dir=$(mktemp -d /tmp/bazaar-bench.XXXXXX)
# The gateway's nginx workers (www-data when run as root) must reach its files here.
chmod 755 "$bench_run_dir"
bench_gateway_port=${BENCH_GATEWAY_PORT:-8701}
bench_ports=(--postgres-port "${BENCH_POSTGRES_PORT:-54701}" --redis-port "${BENCH_REDIS_PORT:-56701}" --cart-redis-port "${BENCH_CART_REDIS_PORT:-56702}" --mongo-port "${BENCH_MONGO_PORT:-57701}"
             --gateway-port "$bench_gateway_port" --service-port-offset "${BENCH_SERVICE_PORT_OFFSET:-2000}" --smtp-port "${BENCH_SMTP_PORT:-2701}")
bench_gateway="http://127.0.0.1:$bench_gateway_port"

bench_down() {
    "$bench_bin/bazaar" down --run-dir "$bench_run_dir" "${bench_ports[@]}" >/dev/null 2>&1 || true
}

bench_cleanup() {
    bench_down
    rm -rf "$bench_run_dir"
}
trap bench_cleanup EXIT

bench_require() {
    for tool in wrk curl python3; do
        command -v "$tool" >/dev/null || { echo "benchmark: $tool is missing (make deps installs it)" >&2; exit 1; }
    done
    for product in "$@"; do
        [ -x "$bench_bin/$product" ] || { echo "benchmark: build first: swift build -c release --product $product" >&2; exit 1; }
    done
}

# Starts the platform (extra environment for its services may be exported by the caller).
bench_up() {
    # Every benchmark client is 127.0.0.1, like one huge NAT: the user service's per-address limits
    # on sign-in, registration and refresh (RATE_LIMIT_*, 10-60 a minute) would refuse the load
    # itself. The services inherit these from the launcher; a value already set wins.
    local name
    for name in RATE_LIMIT_SIGN_IN_PER_MINUTE RATE_LIMIT_REGISTRATION_PER_MINUTE RATE_LIMIT_REFRESH_PER_MINUTE \
                RATE_LIMIT_PASSWORD_RESET_PER_MINUTE RATE_LIMIT_PASSWORD_CHANGE_PER_MINUTE; do
        export "$name=${!name:-1000000}"
    done
    "$bench_bin/bazaar" up --detach --run-dir "$bench_run_dir" "${bench_ports[@]}" >/dev/null
}

# Starts only the infrastructure (Postgres, the dev broker, Redis, the MongoDB-wire and SMTP
# servers; no service, no gateway) and exports what its infra.env says (KAFKA_BROKERS, *_DATABASE_URL, ...).
bench_infra_up() {
    "$bench_bin/bazaar" infra --detach --run-dir "$bench_run_dir" "${bench_ports[@]}" >/dev/null
    set -a
    # shellcheck disable=SC1091
    source "$bench_run_dir/infra.env"
    set +a
}

# Waits (up to two minutes) until the catalog serves the demo catalog, which loads at first start.
bench_wait_for_demo_catalog() {
    local total=0
    for _ in $(seq 1 120); do
        total=$(curl -sf "$bench_gateway/api/catalog/products?limit=1" | python3 -c "import json,sys; print(json.load(sys.stdin)['total'])" 2>/dev/null || echo 0)
        [ "$total" -ge 200 ] && return 0
        sleep 1
    done
    echo "benchmark: the demo catalog did not load (total $total)" >&2
    return 1
}

# Reads wrk --latency output: "requests/s p50-ms p99-ms non-2xx-count socket-errors|ok".
bench_summarise() {
    python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    match = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\s*$" % re.escape(label), text, re.M)
    if not match: return None
    value, unit = float(match.group(1)), match.group(2)
    return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
socket = re.search(r"Socket errors:.*", text)
print(f"{rate:.0f} {ms('50%')} {ms('99%')} {int(errors.group(1)) if errors else 0} {'socket-errors' if socket else 'ok'}")
PY
}

# An administrator's access token (the generated administrator of the private platform).
bench_admin_token() {
    local password
    password=$(cat "$bench_run_dir/secrets/admin-password")
    curl -sf -X POST "$bench_gateway/api/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"admin@bazaar.local\",\"password\":\"$password\"}" | python3 -c "import json,sys; print(json.load(sys.stdin)['accessToken'])"
}

# Announces SKUs BENCH-00000 ... BENCH-<count-1> as the catalog would (product.created on the
# catalog topic, 1.00 EUR each) and gives each 10,000,000 units through the inventory's admin API.
# Needs KAFKA_BROKERS (source infra.env first).
bench_stock_skus() {
    local count=$1 token last etag sku
    python3 "$bench_root/Tools/Benchmarks/InventoryBenchmark/events.py" products "$count" > "$bench_run_dir/products.txt"
    kcat -P -b "$KAFKA_BROKERS" -t catalog -K '|' -l "$bench_run_dir/products.txt"
    token=$(bench_admin_token)
    last=$(printf 'BENCH-%05d' "$((count - 1))")
    for _ in $(seq 1 120); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$bench_gateway/api/inventory/stock/$last")" = 200 ] && break
        sleep 1
    done
    for index in $(seq 0 $((count - 1))); do
        sku=$(printf 'BENCH-%05d' "$index")
        etag=$(curl -sf -D - -o /dev/null -H "Authorization: Bearer $token" "$bench_gateway/api/inventory/stock/$sku" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
        curl -sf -o /dev/null -X PUT "$bench_gateway/api/inventory/stock/$sku" -H "Authorization: Bearer $token" -H "If-Match: $etag" \
            -H 'Content-Type: application/json' -d '{"onHand": 10000000, "lowStockThreshold": 0}'
    done
}
