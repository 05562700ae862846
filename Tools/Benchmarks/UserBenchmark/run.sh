#!/usr/bin/env bash
# User-service benchmark (issue 5), release build, everything on loopback, bounded in time:
#  1. authenticated GET /api/users/me through the nginx gateway, wrk 64 connections, 15 s
#     (target: at least 5,000 requests/s on the 2-core reference machine);
#  2. sign-in latency with bcrypt cost 12 (the service default), one client signing in back to
#     back for 20 s while 50 other connections browse GET /api/users/me.
# It starts a private platform (`bazaar up --detach`) in a temporary run directory on its own
# ports and always stops it. Figures go to stdout and to .build/bench-user.json.
set -euo pipefail

root=$(cd "$(dirname "$0")/../../.." && pwd)
bin=${BAZAAR_BENCH_BIN:-$root/.build/release}
here="$root/Tools/Benchmarks/UserBenchmark"
duration=${BENCH_SECONDS:-15}
run_dir=$(mktemp -d /tmp/bazaar-bench-user.XXXXXX)
gateway_port=${BENCH_GATEWAY_PORT:-8701}
ports=(--postgres-port "${BENCH_POSTGRES_PORT:-54701}" --redis-port "${BENCH_REDIS_PORT:-56701}" --mongo-port "${BENCH_MONGO_PORT:-57701}"
       --gateway-port "$gateway_port" --service-port-offset "${BENCH_SERVICE_PORT_OFFSET:-2000}")
gateway="http://127.0.0.1:$gateway_port"

stop() {
    "$bin/bazaar" down --run-dir "$run_dir" "${ports[@]}" >/dev/null 2>&1 || true
    rm -rf "$run_dir"
}
trap stop EXIT

for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "bench-user: $tool is missing (make deps installs it)" >&2; exit 1; }
done
[ -x "$bin/bazaar-user" ] || { echo "bench-user: build first: swift build -c release --product bazaar-user" >&2; exit 1; }

"$bin/bazaar" up --detach --run-dir "$run_dir" "${ports[@]}" >/dev/null

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
export BENCH_EMAIL="bench-$(date +%s)@example.com" BENCH_PASSWORD="bench-Secret-phrase-$RANDOM"
token=$(curl -sf -X POST "$gateway/api/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\",\"name\":\"Benchmark Shopper\"}" | json "['accessToken']")
auth=(-H "Authorization: Bearer $token")
curl -sf "${auth[@]}" "$gateway/api/users/me" >/dev/null

# Reads wrk's summary: requests/s, p50, p99 (ms), non-2xx count.
summarise() {
    python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    match = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\s*$" % re.escape(label), text, re.M)
    if not match: return None
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
socket = re.search(r"Socket errors:.*", text)
print(f"{rate:.0f} {ms('50%')} {ms('99%')} {int(errors.group(1)) if errors else 0} {'socket-errors' if socket else 'ok'}")
PY
}

echo "warming up..."
wrk -t2 -c64 -d3s "${auth[@]}" "$gateway/api/users/me" >/dev/null
wrk -t2 -c64 -d"${duration}s" --latency "${auth[@]}" "$gateway/api/users/me" > "$run_dir/me.txt"
read -r me_rate me_p50 me_p99 me_errors me_socket < <(summarise "$run_dir/me.txt")

# Sign-in latency while 50 connections browse.
wrk -t1 -c50 -d"$((duration + 8))s" --latency "${auth[@]}" "$gateway/api/users/me" > "$run_dir/browse.txt" &
browsing=$!
sleep 3
wrk -t1 -c1 -d"${duration}s" --latency -s "$here/login.lua" "$gateway/api/auth/login" > "$run_dir/login.txt"
wait "$browsing"
read -r login_rate login_p50 login_p99 login_errors login_socket < <(summarise "$run_dir/login.txt")
read -r browse_rate _ browse_p99 browse_errors _ < <(summarise "$run_dir/browse.txt")

target_met=$(python3 -c "print('yes' if $me_rate >= 5000 and $me_errors == 0 else 'no')")
cat <<REPORT
user service through the gateway (release, loopback, $(nproc) cores)
  GET /api/users/me, 64 connections, ${duration}s: ${me_rate} req/s, p50 ${me_p50} ms, p99 ${me_p99} ms, non-2xx ${me_errors} (${me_socket}); target >= 5000 req/s met: ${target_met}
  POST /api/auth/login (bcrypt cost 12), 1 client while 50 browse: p50 ${login_p50} ms, p99 ${login_p99} ms, ${login_rate} sign-ins/s, non-2xx ${login_errors}
  browsing meanwhile: ${browse_rate} req/s, p99 ${browse_p99} ms, non-2xx ${browse_errors}
REPORT
mkdir -p "$root/.build"
cat > "$root/.build/bench-user.json" <<JSON
{"me": {"requestsPerSecond": $me_rate, "p50Ms": $me_p50, "p99Ms": $me_p99, "non2xx": $me_errors, "targetMet": "$target_met"},
 "login": {"p50Ms": $login_p50, "p99Ms": $login_p99, "perSecond": $login_rate, "non2xx": $login_errors},
 "browsingDuringLogin": {"requestsPerSecond": $browse_rate, "p99Ms": $browse_p99, "non2xx": $browse_errors}}
JSON
[ "$me_errors" = 0 ] && [ "$login_errors" = 0 ] || { echo "bench-user: some requests failed" >&2; exit 1; }
