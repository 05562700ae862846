"""Checks what `docker compose` runs, offline (no Docker engine here). Given the output of
`docker-compose config` for a .env made by infrastructure/docker/generate-secrets.sh, asserts what
operators rely on: every Bazaar service runs the one image with its own executable, publishes no
host port (so `--scale` works), has a health check, a restart policy, resource limits, and waits
for healthy dependencies; the cart's Redis never evicts and syncs every write; Kafka creates no
topics by itself. Then checks that every metric the dashboard and the alert rules query is one
the code exports. Usage: check-deployment.py <config.yml>; run by check-deployment.sh."""
import json
import pathlib
import re
import sys

import yaml

from bazaar_checks import ROOT, finish, service_registry

root = ROOT
config = yaml.safe_load(pathlib.Path(sys.argv[1]).read_text())
services = config["services"]
problems = []
registry = service_registry()

for name, port in registry.items():
    service = services.get(name)
    if service is None:
        problems.append(f"docker-compose.yml: no service {name}")
        continue
    where = f"docker-compose.yml: {name}:"
    if service.get("command") != [f"bazaar-{name}"]:
        problems.append(f"{where} command should be [bazaar-{name}], is {service.get('command')}")
    if str(service.get("environment", {}).get("PORT")) != str(port):
        problems.append(f"{where} PORT should be {port} (Kong reaches it there)")
    if service.get("ports"):
        problems.append(f"{where} publishes host ports {service['ports']}: --scale would collide; Kong is the way in")
    if "healthcheck" not in service or "/health/ready" not in json.dumps(service["healthcheck"]):
        problems.append(f"{where} needs a health check on /health/ready")
    if service.get("restart") not in ("unless-stopped", "always", "on-failure"):
        problems.append(f"{where} needs a restart policy")
    limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
    if not limits.get("cpus") or not limits.get("memory"):
        problems.append(f"{where} needs CPU and memory limits")
    if not service.get("read_only") or "ALL" not in service.get("cap_drop", []):
        problems.append(f"{where} should run with a read-only root filesystem and no capabilities")
    depends = service.get("depends_on", {})
    if not depends or any(not isinstance(condition, dict) or condition.get("condition") not in
                          ("service_healthy", "service_completed_successfully") for condition in depends.values()):
        problems.append(f"{where} must wait for healthy dependencies: {depends}")
    if "kafka-init" not in depends:
        problems.append(f"{where} must wait for the topics (kafka-init)")

cart_redis = " ".join(map(str, services.get("cart-redis", {}).get("command", [])))
for setting in ["--appendonly yes", "--appendfsync always", "--maxmemory-policy noeviction"]:
    if setting not in cart_redis:
        problems.append(f"docker-compose.yml: cart-redis must run with {setting}")
if "redis://:" not in str(services.get("cart", {}).get("environment", {}).get("REDIS_URL", "")) or \
        "@cart-redis:" not in services["cart"]["environment"]["REDIS_URL"]:
    problems.append("docker-compose.yml: the cart service must use cart-redis")
if str(services.get("kafka", {}).get("environment", {}).get("KAFKA_AUTO_CREATE_TOPICS_ENABLE")).lower() != "false":
    problems.append("docker-compose.yml: Kafka must not create topics by itself")
for name in ["kafka", "kafka-init", "postgres", "mongo", "redis", "cart-redis", "gateway", "mailpit", "prometheus", "grafana"]:
    if name not in services:
        problems.append(f"docker-compose.yml: no service {name}")

# Every metric the dashboard and the alerts query must be one the code exports.
exported = set(re.findall(r'label: "([a-z_]+)"', "\n".join(p.read_text() for p in
               list(root.glob("Shared/**/*.swift")) + list(root.glob("Services/**/*.swift")))))
exported.add("up")
expressions = [target["expr"] for panel in json.loads((root / "infrastructure/monitoring/grafana/dashboards/bazaar-overview.json").read_text())["panels"]
               for target in panel["targets"]]
expressions += [rule["expr"] for group in yaml.safe_load((root / "infrastructure/monitoring/alerts.yml").read_text())["groups"]
                for rule in group["rules"]]
functions = {"sum", "rate", "increase", "histogram_quantile", "deriv", "by", "and", "le", "job", "topic", "cache", "currency", "outcome"}
for expression in expressions:
    for name in re.findall(r"\b([a-z_][a-z0-9_]*)\s*(?=[{\[])", expression):
        base = re.sub(r"_(bucket|count|sum)$", "", name)
        if name not in functions and name not in exported and base not in exported:
            problems.append(f"monitoring: {name} (in {expression.strip()[:60]}...) is not a metric the services export")

finish(problems, f"deployment check: docker-compose.yml runs {len(registry)} services as operators expect; "
                 f"{len(expressions)} monitoring queries use exported metrics")
