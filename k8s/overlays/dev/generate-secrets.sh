#!/usr/bin/env bash
# Writes the dev overlay's secrets/ (never committed): random passwords for the in-cluster
# stores and, from them, each service's Secret (bazaar-<service>: its store URLs and keys).
# Existing files are kept; delete secrets/ to start over. Needs openssl.
set -euo pipefail
cd "$(dirname "$0")"
umask 077
[ -d secrets ] && exit 0
mkdir secrets
random() { openssl rand -hex 24; }
postgres=$(random) mongo_root=$(random) catalog_mongo=$(random) redis=$(random) cart_redis=$(random)
declare -A db
for service in user inventory order payment notification; do db[$service]=$(random); done
sealing=$(openssl rand -hex 32)
cat > secrets/stores.env <<END
POSTGRES_PASSWORD=$postgres
USER_DB_PASSWORD=${db[user]}
INVENTORY_DB_PASSWORD=${db[inventory]}
ORDER_DB_PASSWORD=${db[order]}
PAYMENT_DB_PASSWORD=${db[payment]}
NOTIFICATION_DB_PASSWORD=${db[notification]}
MONGO_INITDB_ROOT_PASSWORD=$mongo_root
CATALOG_MONGO_PASSWORD=$catalog_mongo
REDIS_PASSWORD=$redis
CART_REDIS_PASSWORD=$cart_redis
END
cache="redis://:$redis@redis:6379/0"
url() { echo "postgres://$1_service:${db[$1]}@postgres:5432/$2"; }
printf 'DATABASE_URL=%s\nREDIS_URL=%s\nEVENT_SEALING_KEY=%s\nADMIN_EMAIL=admin@bazaar.local\nADMIN_PASSWORD=%s\n' \
    "$(url user users)" "$cache" "$sealing" "$(random)" > secrets/user.env
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt > secrets/jwt-signing-key.pem
printf 'MONGODB_URL=mongodb://catalog_service:%s@mongo:27017/catalog?replicaSet=rs0&authSource=catalog\nREDIS_URL=%s\n' \
    "$catalog_mongo" "$cache" > secrets/catalog.env
printf 'DATABASE_URL=%s\nREDIS_URL=%s\n' "$(url inventory inventory)" "$cache" > secrets/inventory.env
printf 'REDIS_URL=redis://:%s@cart-redis:6379/0\n' "$cart_redis" > secrets/cart.env
printf 'DATABASE_URL=%s\nREDIS_URL=%s\n' "$(url order orders)" "$cache" > secrets/order.env
printf 'DATABASE_URL=%s\nREDIS_URL=%s\nPAYMENT_WEBHOOK_SECRET=%s\n' "$(url payment payments)" "$cache" "$(random)" > secrets/payment.env
printf 'DATABASE_URL=%s\nREDIS_URL=%s\nEVENT_SEALING_KEY=%s\nSMTP_USER=\nSMTP_PASSWORD=\n' \
    "$(url notification notifications)" "$cache" "$sealing" > secrets/notification.env
openssl rand -base64 756 | tr -d '\n' > secrets/mongo-replica-key
echo "generate-secrets: wrote $(pwd)/secrets"
