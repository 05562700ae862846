"""Bad input through the gateway: schemathesis generates requests from every service's OpenAPI
document (valid and invalid bodies, parameters and headers), sends them through the local gateway
to a whole platform started by the project's launcher, once as a customer and once as an
administrator, and fails on any server error (5xx) or any response the document does not allow:
its status, content type, headers or body, the gateway's own 404/405/413/414 included.

Every service gets at least MINIMUM_CASES generated cases (both roles together); the run is bounded
by the number of examples per operation and by a time budget per service and role, and stops by
itself. Loopback only. Run by `make test` (infrastructure/scripts/run-tests.sh) and `make fuzz`;
on its own:

    .venv/bin/python Tests/Fuzz/api_fuzz.py --launcher .build/debug/bazaar [--services user,cart]

With BAZAAR_FUZZ_GATEWAY=http://127.0.0.1:PORT and BAZAAR_FUZZ_RUN_DIR it uses a running platform
instead of starting one (its data is changed: fuzzed administrator writes land in it)."""

import argparse
import collections
import json
import os
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Platform"))
from bazaar_platform import Platform, RunningPlatform  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCHEMATHESIS = os.path.join(ROOT, ".venv", "bin", "schemathesis")
CONFIGURATION = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemathesis.toml")
MINIMUM_CASES = 1000
PASSWORD = "fuzz-Secret-phrase-42"
# What a response must satisfy. Not the checks that need a stateful scenario across operations
# (use_after_free, ensure_resource_availability) or that judge what the API accepts rather than
# what it answers (positive_data_acceptance: a valid request may still be refused for its state,
# such as a product id that does not exist).
CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance",
    "response_headers_conformance", "response_schema_conformance", "negative_data_rejection",
    "missing_required_header", "unsupported_method", "ignored_auth",
])
# The services' operational endpoints are not routed by the gateway (it answers /health itself).
OPERATIONAL = r"^/(health|metrics|openapi\.json)"
# With a valid token the live stream stays open until the token expires (its own tests cover it).
STREAM = "/api/notifications/stream"
Run = collections.namedtuple("Run", "launcher services examples seed budget checks")


def documents(only):
    """(service, path of its OpenAPI document) for every service, or those in `only`."""
    services = {name.lower(): os.path.join(ROOT, "Services", name, "Sources", "Resources", "openapi.json")
                for name in os.listdir(os.path.join(ROOT, "Services"))}
    services = {name: path for name, path in services.items() if os.path.isfile(path)}
    unknown = set(only) - set(services)
    if unknown:
        raise SystemExit(f"no such service: {', '.join(sorted(unknown))}")
    return sorted((name, path) for name, path in services.items() if not only or name in only)


def tokens(platform):
    """An access token for a new customer and one for the administrator."""
    email = f"fuzz-{uuid.uuid4().hex[:12]}@example.com"
    status, body, _ = platform.request("POST", "/api/auth/register", {"email": email, "password": PASSWORD, "name": "Fuzz Shopper"})
    if status != 201:
        raise RuntimeError(f"registering the fuzzing customer: {status} {body}")
    customer = platform.sign_in(email, PASSWORD)
    admin = platform.sign_in("admin@bazaar.local", platform.administrator_password())
    return {"customer": customer, "admin": admin}


def fuzz(platform, document, token, run, report, phases):
    """One schemathesis run; returns (cases, failures as text or None)."""
    command = [
        SCHEMATHESIS, "--config-file", CONFIGURATION, "run", document, "--url", platform.url,
        "--header", f"Authorization: Bearer {token}",
        "--checks", run.checks, "--exclude-path-regex", OPERATIONAL, "--exclude-path", STREAM,
        "--phases", phases, "--max-examples", str(run.examples), "--seed", str(run.seed),
        "--request-timeout", "20", "--workers", "1",
        "--suppress-health-check", "all", "--no-color", "--output-truncate", "true",
        "--report", "ndjson", "--report-ndjson-path", report,
    ]
    # In the report folder: schemathesis keeps its example database in the working directory.
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=run.budget, cwd=os.path.dirname(report))
    except subprocess.TimeoutExpired as expired:
        output = expired.stdout.decode(errors="replace") if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        return count_cases(report), f"did not finish within {run.budget} s:\n{output}"
    cases = count_cases(report)
    if finished.returncode != 0:
        return cases, finished.stdout + finished.stderr
    return cases, None


def count_cases(report):
    """Test cases schemathesis sent, from its ndjson event stream."""
    cases = 0
    if not os.path.exists(report):
        return 0
    with open(report) as file:
        for line in file:
            event = json.loads(line)
            for name, body in event.items():
                if name == "ScenarioFinished":
                    cases += len(body.get("recorder", {}).get("cases", {}))
    return cases


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--launcher", default=os.path.join(ROOT, ".build", "debug", "bazaar"))
    parser.add_argument("--services", default="", help="comma-separated service names (default: all)")
    parser.add_argument("--examples", type=int, default=40, help="generated examples per operation and phase")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BAZAAR_FUZZ_SEED", "20261207")))
    parser.add_argument("--budget", type=int, default=240, help="seconds per service and role")
    parser.add_argument("--checks", default=CHECKS, help="schemathesis checks (default: every one that judges a response)")
    arguments = Run(**{field: getattr(parser.parse_args(), field) for field in Run._fields})
    only = {name.strip().lower() for name in arguments.services.split(",") if name.strip()}
    report_directory = os.environ.get("BAZAAR_FUZZ_REPORTS", os.path.join(ROOT, ".build", "fuzz-reports"))
    os.makedirs(report_directory, exist_ok=True)
    for name in os.listdir(report_directory):
        if name.endswith(".ndjson"):
            os.remove(os.path.join(report_directory, name))

    def run(platform):
        roles = tokens(platform)
        failed = []
        for service, document in documents(only):
            total = 0
            # Every phase first; then, while the service has had fewer than MINIMUM_CASES cases
            # (few operations, or few parameters to vary), more fuzzing with other seeds.
            for turn in range(4):
                if turn > 0 and total >= MINIMUM_CASES:
                    break
                for role, token in roles.items():
                    report = os.path.join(report_directory, f"{service}-{role}-{turn}.ndjson")
                    phases = "examples,coverage,fuzzing" if turn == 0 else "fuzzing"
                    cases, failures = fuzz(platform, document, token, arguments._replace(seed=arguments.seed + turn), report, phases)
                    total += cases
                    print(f"fuzz: {service} as {role} ({phases}): {cases} cases, {'FAILED' if failures else 'no failure'}", flush=True)
                    if failures:
                        failed.append(f"{service} as {role}")
                        print(failures, flush=True)
            if total < MINIMUM_CASES:
                failed.append(f"{service}: only {total} cases (at least {MINIMUM_CASES} wanted)")
            print(f"fuzz: {service}: {total} cases in all", flush=True)
        return failed

    running = os.environ.get("BAZAAR_FUZZ_GATEWAY")
    if running:
        failed = run(RunningPlatform(running, os.environ["BAZAAR_FUZZ_RUN_DIR"]))
    else:
        with Platform(arguments.launcher) as platform:
            failed = run(platform)
    if failed:
        print("fuzz: FAILED: " + "; ".join(failed))
        sys.exit(1)
    print("fuzz: every service answered every case as its document says")


if __name__ == "__main__":
    main()
