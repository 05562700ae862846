#!/usr/bin/env bash
# Validates every OpenAPI document the project ships (services' bundled documents and test
# fixtures) against the OpenAPI specification.
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t documents < <(find Services Shared Tests -name 'openapi.json' -not -path '*/.build*' 2>/dev/null | sort)
if [ ${#documents[@]} -eq 0 ]; then
    echo "contract check: no OpenAPI documents found" >&2
    exit 1
fi
for document in "${documents[@]}"; do
    .venv/bin/openapi-spec-validator "$document"
done
echo "contract check: ${#documents[@]} OpenAPI document(s) valid"
