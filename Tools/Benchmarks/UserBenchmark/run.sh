#!/usr/bin/env bash
# User-service benchmark (issue 5), release build, everything on loopback, bounded in time:
#  1. authenticated GET /api/users/me through the nginx gateway, wrk 64 connections, 15 s
#     (target: at least 5,000 requests/s on the 2-core reference machine);
#  2. sign-in latency with bcrypt cost 12 (the service default), one client signing in back to
#     back for 15 s while 50 other connections browse GET /api/users/me;
#  3. sign-in latency while 64 connections flood POST /api/auth/register with new accounts, under
#     the service's default registration limit (10 a minute per client address; target: sign-in
#     p99 below 1 s). RATE_LIMIT_REGISTRATION_PER_MINUTE=1000000 in the environment shows what the
#     flood does without the limit.
# It starts a private platform (`bazaar up --detach`) in a temporary run directory on its own
# ports and always stops it. Figures go to stdout and to .build/bench-user.json.
set -euo pipefail
source "$(dirname "$0")/../platform.sh"
here="$bench_root/Tools/Benchmarks/UserBenchmark"
duration=${BENCH_SECONDS:-15}
bench_require bazaar bazaar-user
# Registration keeps the service's default limit (the flood of phase 3 meets it); bench_up lifts
# the others, since every benchmark client is 127.0.0.1.
export RATE_LIMIT_REGISTRATION_PER_MINUTE=${RATE_LIMIT_REGISTRATION_PER_MINUTE:-10}
bench_up

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
export BENCH_EMAIL="bench-$(date +%s)@example.com" BENCH_PASSWORD="bench-Secret-phrase-$RANDOM"
token=$(curl -sf -X POST "$bench_gateway/api/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\",\"name\":\"Benchmark Shopper\"}" | json "['accessToken']")
auth=(-H "Authorization: Bearer $token")
curl -sf "${auth[@]}" "$bench_gateway/api/users/me" >/dev/null

echo "warming up..."
wrk -t2 -c64 -d3s "${auth[@]}" "$bench_gateway/api/users/me" >/dev/null
wrk -t2 -c64 -d"${duration}s" --latency "${auth[@]}" "$bench_gateway/api/users/me" > "$bench_run_dir/me.txt"
read -r me_rate me_p50 me_p99 me_errors me_socket < <(bench_summarise "$bench_run_dir/me.txt")

# Sign-in latency while 50 connections browse.
wrk -t1 -c50 -d"$((duration + 8))s" --latency "${auth[@]}" "$bench_gateway/api/users/me" > "$bench_run_dir/browse.txt" &
browsing=$!
sleep 3
wrk -t1 -c1 -d"${duration}s" --latency -s "$here/login.lua" "$bench_gateway/api/auth/login" > "$bench_run_dir/login.txt"
wait "$browsing"
read -r login_rate login_p50 login_p99 login_errors _ < <(bench_summarise "$bench_run_dir/login.txt")
read -r browse_rate _ browse_p99 browse_errors _ < <(bench_summarise "$bench_run_dir/browse.txt")

# Sign-in latency while 64 connections flood registration.
wrk -t2 -c64 -d"$((duration + 8))s" -s "$here/register.lua" "$bench_gateway/api/auth/register" > "$bench_run_dir/flood.txt" &
flooding=$!
sleep 3
wrk -t1 -c1 -d"${duration}s" --latency -s "$here/login.lua" "$bench_gateway/api/auth/login" > "$bench_run_dir/login-flood.txt"
wait "$flooding"
read -r flood_login_rate flood_login_p50 flood_login_p99 flood_login_errors flood_login_socket < <(bench_summarise "$bench_run_dir/login-flood.txt")
# No sign-in finished (all timed out: wrk gives up after 2 s) reads as p99 0: count it as missed.
flood_login_done=$(grep -oE '^ +[0-9]+ requests in' "$bench_run_dir/login-flood.txt" | grep -oE '[0-9]+' | head -1)
read -r flood_rate _ _ flood_refused _ < <(bench_summarise "$bench_run_dir/flood.txt")
flood_total=$(grep -oE '^ +[0-9]+ requests in' "$bench_run_dir/flood.txt" | grep -oE '[0-9]+' | head -1)
flood_accepted=$((flood_total - flood_refused))

target_met=$(python3 -c "print('yes' if $me_rate >= 5000 and $me_errors == 0 else 'no')")
flood_target_met=$(python3 -c "print('yes' if $flood_login_done > 0 and '$flood_login_socket' == 'ok' and $flood_login_p99 < 1000 and $flood_login_errors == 0 else 'no')")
cat <<REPORT
user service through the gateway (release, loopback, $(nproc) cores)
  GET /api/users/me, 64 connections, ${duration}s: ${me_rate} req/s, p50 ${me_p50} ms, p99 ${me_p99} ms, non-2xx ${me_errors} (${me_socket}); target >= 5000 req/s met: ${target_met}
  POST /api/auth/login (bcrypt cost 12), 1 client while 50 browse: p50 ${login_p50} ms, p99 ${login_p99} ms, ${login_rate} sign-ins/s, non-2xx ${login_errors}
  browsing meanwhile: ${browse_rate} req/s, p99 ${browse_p99} ms, non-2xx ${browse_errors}
  POST /api/auth/login, 1 client while 64 flood registration (limit ${RATE_LIMIT_REGISTRATION_PER_MINUTE}/min): p50 ${flood_login_p50} ms, p99 ${flood_login_p99} ms, ${flood_login_done} sign-ins (${flood_login_rate}/s), non-2xx ${flood_login_errors} (${flood_login_socket}); target p99 < 1000 ms met: ${flood_target_met}
  the flood: ${flood_rate} registrations/s offered, ${flood_accepted} of ${flood_total} accepted, the rest refused (429)
REPORT
mkdir -p "$bench_root/.build"
cat > "$bench_root/.build/bench-user.json" <<JSON
{"me": {"requestsPerSecond": $me_rate, "p50Ms": $me_p50, "p99Ms": $me_p99, "non2xx": $me_errors, "targetMet": "$target_met"},
 "login": {"p50Ms": $login_p50, "p99Ms": $login_p99, "perSecond": $login_rate, "non2xx": $login_errors},
 "browsingDuringLogin": {"requestsPerSecond": $browse_rate, "p99Ms": $browse_p99, "non2xx": $browse_errors},
 "loginDuringRegistrationFlood": {"registrationLimitPerMinute": $RATE_LIMIT_REGISTRATION_PER_MINUTE, "p50Ms": $flood_login_p50,
  "p99Ms": $flood_login_p99, "perSecond": $flood_login_rate, "signIns": $flood_login_done, "non2xx": $flood_login_errors, "targetMet": "$flood_target_met",
  "floodOffered": $flood_total, "floodAccepted": $flood_accepted}}
JSON
[ "$me_errors" = 0 ] && [ "$login_errors" = 0 ] && [ "$flood_login_errors" = 0 ] || { echo "bench-user: some requests failed" >&2; exit 1; }
