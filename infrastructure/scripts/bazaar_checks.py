"""Shared by the offline check scripts (check-gateway.py, check-deployment.py,
check-kubernetes.py): the repository root, the service registry as
Shared/ServiceDirectory/ServiceDirectory.swift lists it, and how a check reports."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def service_registry():
    """Every service's name and port, read from the directory every other list is generated from."""
    directory = (ROOT / "Shared/ServiceDirectory/ServiceDirectory.swift").read_text()
    registry = {name: int(port) for name, port in re.findall(r'ServiceListing\(name: "([a-z]+)", port: (\d+)', directory)}
    if len(registry) < 7:
        sys.exit(f"found only {len(registry)} services in the service directory: has ServiceListing's initializer changed?")
    return registry


def finish(problems, success):
    """Prints every problem and fails, or prints `success`."""
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(success)
