"""Checks the rendered Kubernetes manifests (kubectl kustomize output of an overlay) for what the
platform promises operators, beyond the API schemas (kubernetes-validate checks those): every
service has its Deployment with startup, liveness and readiness probes, requests and limits, a
non-root read-only container without privilege escalation or capabilities, a Service, a
HorizontalPodAutoscaler, a PodDisruptionBudget and a NetworkPolicy; every pod meets the
`restricted` Pod Security profile; Kong's configuration is the committed kong.yml; the KafkaTopic
resources (prod) are well formed. Usage: check-kubernetes.py <overlay name> <rendered.yaml>."""
import pathlib
import sys

import yaml

from bazaar_checks import ROOT, finish, service_registry

root = ROOT
overlay, rendered = sys.argv[1], pathlib.Path(sys.argv[2])
documents = [d for d in yaml.safe_load_all(rendered.read_text()) if d]
problems = []
by_kind = {}
for document in documents:
    by_kind.setdefault(document["kind"], {})[document["metadata"]["name"]] = document

registry = service_registry()

for name, port in registry.items():
    where = f"{overlay}: {name}:"
    deployment = by_kind.get("Deployment", {}).get(name)
    if deployment is None:
        problems.append(f"{where} no Deployment")
        continue
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    if container.get("command") != [f"bazaar-{name}"]:
        problems.append(f"{where} the container should run bazaar-{name}")
    for probe in ["startupProbe", "livenessProbe", "readinessProbe"]:
        if probe not in container:
            problems.append(f"{where} no {probe}")
    if container.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/health/ready":
        problems.append(f"{where} readiness must be /health/ready")
    resources = container.get("resources", {})
    if not resources.get("requests") or not resources.get("limits"):
        problems.append(f"{where} needs requests and limits")
    security = container.get("securityContext", {})
    if not security.get("readOnlyRootFilesystem") or security.get("allowPrivilegeEscalation") is not False \
            or security.get("capabilities", {}).get("drop") != ["ALL"]:
        problems.append(f"{where} container must be read-only, without privilege escalation or capabilities")
    if container["ports"][0]["containerPort"] != port:
        problems.append(f"{where} must listen on {port}")
    for kind in ["Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"]:
        if name not in by_kind.get(kind, {}):
            problems.append(f"{where} no {kind}")
    policy = by_kind.get("NetworkPolicy", {}).get(name, {}).get("spec", {})
    sources = [peer for rule in policy.get("ingress", []) for peer in rule.get("from", [{"anyone": True}])]
    if any("anyone" in peer for peer in sources):
        problems.append(f"{where} its NetworkPolicy lets anyone in")

# The restricted Pod Security profile (the namespace enforces it) for every pod template.
for kind in ["Deployment", "StatefulSet", "Job"]:
    for name, workload in by_kind.get(kind, {}).items():
        spec = workload["spec"]["template"]["spec"]
        pod = spec.get("securityContext", {})
        if not pod.get("runAsNonRoot") or pod.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{overlay}: {kind} {name}: pod must run as non-root with the RuntimeDefault seccomp profile")
        for container in spec.get("containers", []) + spec.get("initContainers", []):
            security = container.get("securityContext", {})
            if security.get("allowPrivilegeEscalation") is not False or security.get("capabilities", {}).get("drop") != ["ALL"]:
                problems.append(f"{overlay}: {kind} {name}/{container['name']}: no privilege escalation, drop ALL capabilities")

kong = [c for n, c in by_kind.get("ConfigMap", {}).items() if n.startswith("kong-config")]
if len(kong) != 1 or kong[0]["data"].get("kong.yml") != (root / "infrastructure/gateway/kong.yml").read_text():
    problems.append(f"{overlay}: the kong-config ConfigMap must hold infrastructure/gateway/kong.yml")

topics = by_kind.get("KafkaTopic", {})
if overlay == "prod":
    if not topics:
        problems.append("prod: no KafkaTopic resources")
    for name, topic in topics.items():
        spec = topic.get("spec", {})
        if topic.get("apiVersion") != "kafka.strimzi.io/v1beta2" or "strimzi.io/cluster" not in topic["metadata"].get("labels", {}):
            problems.append(f"prod: KafkaTopic {name} needs kafka.strimzi.io/v1beta2 and the strimzi.io/cluster label")
        if not isinstance(spec.get("partitions"), int) or not isinstance(spec.get("replicas"), int) or \
                not all(isinstance(value, str) for value in spec.get("config", {}).values()):
            problems.append(f"prod: KafkaTopic {name}: partitions and replicas are integers, config values strings")

finish(problems, f"kubernetes check: {overlay}: {len(documents)} resources, every service complete and restricted")
