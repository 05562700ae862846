#!/usr/bin/env bash
# Validates the Kubernetes manifests offline (make test): each overlay rendered with
# `kubectl kustomize` (the dev overlay after its generate-secrets.sh, in a scratch copy),
# validated against the Kubernetes 1.32 API schemas with kubernetes-validate (strict: unknown
# fields fail; Strimzi's KafkaTopic, a custom resource, is checked by check-kubernetes.py), then
# check-kubernetes.py; the Secret templates likewise.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v kubectl > /dev/null || { echo "kubernetes check: kubectl is missing (it renders the kustomizations)" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -R k8s infrastructure Shared "$scratch/" 2>/dev/null
rm -rf "$scratch/k8s/overlays/dev/secrets"
"$scratch/k8s/overlays/dev/generate-secrets.sh" > /dev/null

validate() {
    .venv/bin/kubernetes-validate --strict --kubernetes-version 1.32.0 --quiet "$@"
}
for overlay in dev prod; do
    kubectl kustomize "$scratch/k8s/overlays/$overlay" > "$scratch/$overlay.yaml"
    # Everything but the custom resources, which the API schemas do not know.
    .venv/bin/python -c "
import sys, yaml
documents = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d.get('kind') != 'KafkaTopic']
yaml.safe_dump_all(documents, open(sys.argv[2], 'w'), sort_keys=False)" "$scratch/$overlay.yaml" "$scratch/$overlay-core.yaml"
    validate "$scratch/$overlay-core.yaml"
    .venv/bin/python infrastructure/scripts/check-kubernetes.py "$overlay" "$scratch/$overlay.yaml"
done
kubectl kustomize k8s/base > /dev/null
validate k8s/base/secrets.template.yaml
echo "kubernetes check: base, dev and prod render and validate; secret templates valid"
