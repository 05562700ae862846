#!/usr/bin/env bash
# Checks what each service executable links: a service links only the store libraries it uses.
# Today: the catalog (MongoDB) must not contain postgres-nio; the user service, which does use
# Postgres, must (so a broken check - a missing binary, no symbols - cannot pass by finding nothing).
#
# Usage: check-links.sh BUILD_DIR
set -euo pipefail
build_dir="${1:?usage: check-links.sh BUILD_DIR}"

symbols_of() {
    local binary="$build_dir/$1"
    [ -x "$binary" ] || { echo "check-links: $binary is not built" >&2; exit 1; }
    # Swift mangles module PostgresNIO as "11PostgresNIO".
    nm "$binary" | grep -c '11PostgresNIO' || true
}

catalog=$(symbols_of bazaar-catalog)
user=$(symbols_of bazaar-user)
if [ "$user" -eq 0 ]; then
    echo "check-links: found no postgres-nio symbol even in bazaar-user; the check itself is broken" >&2
    exit 1
fi
if [ "$catalog" -ne 0 ]; then
    echo "check-links: bazaar-catalog links postgres-nio ($catalog symbols); a MongoDB service must not" >&2
    exit 1
fi
echo "link check: bazaar-catalog links no postgres-nio (bazaar-user: $user symbols)"
