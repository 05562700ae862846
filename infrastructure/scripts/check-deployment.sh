#!/usr/bin/env bash
# Validates the Docker Compose and monitoring set-up offline (make test): generate-secrets.sh run in
# a scratch copy, `docker-compose config` (PyPI docker-compose, in .venv-compose) on the result,
# what operators rely on in it (check-deployment.py), `nginx -t` on the storefront container's
# server, promtool on the Prometheus configuration, its
# alert rules and their unit tests, and yamllint on every YAML file we ship.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# generate-secrets.sh, as an operator runs it, in a copy of the files compose reads.
mkdir -p "$scratch/infrastructure"
cp -R docker-compose.yml .env.example "$scratch/"
cp -R infrastructure/docker infrastructure/gateway infrastructure/storefront infrastructure/kafka infrastructure/postgres infrastructure/mongo infrastructure/monitoring "$scratch/infrastructure/"
"$scratch/infrastructure/docker/generate-secrets.sh" > /dev/null
"$scratch/infrastructure/docker/generate-secrets.sh" | grep -q . && { echo "deployment check: a second generate-secrets.sh run changed something" >&2; exit 1; }
! grep -q change-me "$scratch/.env" || { echo "deployment check: .env still holds change-me" >&2; exit 1; }
openssl pkey -in "$scratch/secrets/jwt-signing-key.pem" -noout -text 2>/dev/null | grep -q "prime256v1" \
    || { echo "deployment check: the generated signing key is not a P-256 key" >&2; exit 1; }
[ "$(stat -c %a "$scratch/secrets")" = 700 ] || { echo "deployment check: secrets/ must be owner-only" >&2; exit 1; }
[ "$(stat -c %a "$scratch/.env")" = 600 ] || { echo "deployment check: .env must be owner-only" >&2; exit 1; }

(cd "$scratch" && "$OLDPWD/.venv-compose/bin/docker-compose" --profile monitoring config > "$scratch/config.yml")
.venv/bin/python infrastructure/scripts/check-deployment.py "$scratch/config.yml"

# The storefront container's nginx server, checked by nginx itself inside a minimal main configuration.
mkdir -p "$scratch/storefront/logs"
printf 'pid %s/storefront/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n    include %s;\n}\n' \
    "$scratch" "$PWD/infrastructure/storefront/nginx.conf" > "$scratch/storefront/nginx.conf"
nginx -t -q -p "$scratch/storefront" -c "$scratch/storefront/nginx.conf" -e stderr

# Prometheus: the configuration (its rule file where the container mounts it), the rules, their tests.
sed "s|/etc/prometheus/alerts.yml|$PWD/infrastructure/monitoring/alerts.yml|" infrastructure/monitoring/prometheus.yml > "$scratch/prometheus.yml"
promtool check config --syntax-only "$scratch/prometheus.yml" > /dev/null
promtool check rules infrastructure/monitoring/alerts.yml > /dev/null
promtool test rules infrastructure/monitoring/alerts.test.yml > /dev/null

mapfile -t documents < <(git ls-files --cached --others --exclude-standard -- '*.yml' '*.yaml')
.venv/bin/yamllint --strict -c infrastructure/yamllint.yml "${documents[@]}"
echo "deployment check: compose config, secrets, Prometheus rules and tests, ${#documents[@]} YAML files valid"
