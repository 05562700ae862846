#!/usr/bin/env bash
# Creates what `docker compose` needs and no one may commit: ./.env (passwords, from
# .env.example) and ./secrets/ (the token signing key, the event sealing key, the payment webhook
# secret and MongoDB's replica-set key). Existing files are kept, so running it again changes
# nothing; delete a file to have it made anew. Needs openssl.
set -euo pipefail
cd "$(dirname "$0")/../.."
umask 077
mkdir -p secrets
chmod 700 secrets
random() { openssl rand -hex "${1:-24}"; }

if [ ! -f .env ]; then
    cp .env.example .env
    # Every "change-me" becomes its own random value.
    while grep -q 'change-me' .env; do
        sed -i "0,/change-me/s//$(random)/" .env
    done
    echo "generate-secrets: wrote .env (random passwords)"
fi
# The containers run as uid 10001 and read these through bind mounts: readable files inside an
# owner-only folder (others on this host cannot reach them).
make_secret() {
    local file="secrets/$1"
    [ -f "$file" ] && return
    "${@:2}" > "$file"
    chmod 644 "$file"
    echo "generate-secrets: wrote $file"
}
make_secret jwt-signing-key.pem sh -c 'openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt'
make_secret event-sealing-key random 32
make_secret payment-webhook-secret random 32
make_secret mongo-replica-key sh -c 'openssl rand -base64 756 | tr -d "\n"'
