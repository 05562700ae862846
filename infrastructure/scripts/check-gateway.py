"""Checks infrastructure/gateway/kong.yml offline (no Kong here): its structure against
infrastructure/gateway/kong.schema.json, the plugins the platform relies on, and that every path
of every service's OpenAPI document is routed by Kong to that service, the path unchanged
(except each instance's own health, metrics and document endpoints, which must not be routed).
Kong's matching is modelled as Kong 3 documents it: regular-expression paths (`~`) are tried
first, then plain paths by prefix, the longest first. Run by `make test` from the repository root."""
import json
import re

import jsonschema
import yaml

from bazaar_checks import ROOT, finish

root = ROOT
config = yaml.safe_load((root / "infrastructure/gateway/kong.yml").read_text())
schema = json.loads((root / "infrastructure/gateway/kong.schema.json").read_text())
problems = [f"kong.yml: {'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in jsonschema.Draft202012Validator(schema).iter_errors(config)]

global_plugins = {plugin["name"] for plugin in config.get("plugins", [])}
for required in ["rate-limiting", "cors", "correlation-id", "request-size-limiting", "prometheus"]:
    if required not in global_plugins:
        problems.append(f"kong.yml: the global plugin {required} is missing")
correlation = next((p["config"] for p in config.get("plugins", []) if p["name"] == "correlation-id"), {})
if correlation.get("header_name") != "X-Request-ID":
    problems.append("kong.yml: correlation-id must use X-Request-ID, the header every service logs and echoes")

regex_routes, prefix_routes = [], []
for service in config.get("services", []):
    for route in service.get("routes", []):
        if route.get("strip_path", True):
            problems.append(f"kong.yml: route {route['name']} strips its path; services expect the full path")
        for path in route["paths"]:
            if path.startswith("~"):
                regex_routes.append((re.compile(path[1:]), service["name"]))
            else:
                prefix_routes.append((path, service["name"]))
prefix_routes.sort(key=lambda entry: len(entry[0]), reverse=True)
auth_limits = [plugin["config"].get("minute") for service in config.get("services", []) for route in service["routes"]
               if "/api/auth/" in route["paths"] for plugin in route.get("plugins", []) if plugin["name"] == "rate-limiting"]
global_limit = next((p["config"].get("minute") for p in config.get("plugins", []) if p["name"] == "rate-limiting"), None)
if not auth_limits or global_limit is None or auth_limits[0] >= global_limit:
    problems.append("kong.yml: /api/auth/ needs a rate limit stricter than the global one")


def kong_route(path):
    for pattern, service in regex_routes:
        if pattern.match(path):
            return service
    for prefix, service in prefix_routes:
        if path.startswith(prefix):
            return service
    return None


# Every instance's own endpoints: probed by the orchestrator and scraped by Prometheus directly,
# never public through the gateway (metrics and readiness details stay inside).
OPERATIONAL = {"/health", "/health/live", "/health/ready", "/metrics", "/openapi.json"}
checked = 0
STOREFRONT = "storefront"  # its own container: static files, never a service's endpoint
for service in config.get("services", []):
    name = service["name"]
    if name == STOREFRONT:
        continue
    document = root / "Services" / name.capitalize() / "Sources/Resources/openapi.json"
    if not document.exists():
        problems.append(f"kong.yml: service {name} has no OpenAPI document at {document.relative_to(root)}")
        continue
    for template in json.loads(document.read_text())["paths"]:
        path = re.sub(r"\{[^}]+\}", "x", template)
        owner = kong_route(path)
        checked += 1
        if template in OPERATIONAL:
            if owner not in (None, STOREFRONT):
                problems.append(f"kong.yml: {template} is an instance's own endpoint but is routed to {owner}")
        elif owner != name:
            problems.append(f"kong.yml: {template} (documented by {name}) is routed to {owner}")

finish(problems, f"gateway check: kong.yml valid, {checked} documented paths routed to their services")
