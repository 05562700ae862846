"""The load suite (`make load`): the whole platform from the release build on this machine, then

1. the seed platform's profile: `ab -n 5000 -c 100` and `-c 200` on the product list through the
   gateway (the seed's target: p95 < 500 ms; ours: <= 50 ms);
2. a realistic mix with locust (headless, Tools/Benchmarks/Load/locustfile.py): browse 10 : view
   cart 3 : add 2 : checkout 1, shoppers ramped up in steps until errors or p99 > 1 s, with each
   step's requests per second, p50/p95/p99 and error rate, every process's CPU, and the order
   placed -> confirmed latency of the checkouts it made (broker timestamps of their events).

Results go to .build/load-report/results.json and are drawn (matplotlib) in
.build/load-report/index.html. Loopback only; bounded in requests and time; stops by itself.
Needs the release build (`swift build -c release`) and the load venv (`make load` makes both)."""

import argparse
import collections
import datetime
import json
import os
import platform as host
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Platform"))
from bazaar_platform import Platform, eventually  # noqa: E402

LOAD_VENV = os.path.join(ROOT, ".venv-load", "bin")
PASSWORD = "load-Secret-phrase-42"
AB_TARGET_P95_MS = 50
# Registering is deliberately slow (bcrypt): shoppers beyond this many share accounts (and carts).
ACCOUNTS = 300
SEED_TARGET_P95_MS = 500


def log(message):
    print(f"load: {message}", flush=True)


def stock(platform):
    """Plenty of stock for 20 demo products; returns them."""
    admin = platform.sign_in("admin@bazaar.local", platform.administrator_password())
    status, page, _ = platform.request("GET", "/api/catalog/products?limit=20&sort=name")
    products = [{"id": item["id"], "sku": item["sku"]} for item in page["items"]]
    # The first start publishes the whole demo catalog; measuring starts once the inventory has
    # taken all of it in (the cart's projection runs beside it).
    eventually("the inventory to know every product", lambda: (platform.request(
        "GET", "/api/inventory/stock?limit=1", token=admin)[1] or {}).get("total", 0) >= page["total"], timeout=300, interval=1)
    for product in products:
        level = eventually(f"the inventory to know {product['sku']}", lambda product=product: (
            lambda answer: answer[1] if answer[0] == 200 else None)(platform.request("GET", f"/api/inventory/stock/{product['sku']}", token=admin)))
        status, body, _ = platform.request("POST", f"/api/inventory/stock/{product['sku']}/adjustments",
                                           {"delta": 1_000_000 - level["onHand"], "reason": "load test"}, token=admin)
        if status != 200:
            raise AssertionError(f"stock for {product['sku']}: {status} {body}")
    return products


def register(platform, products, shoppers):
    """`shoppers` registered accounts (their access tokens), once the platform has digested them
    (every welcome email sent), so what follows is measured on a quiet platform."""
    tokens = []
    lock = threading.Lock()

    def some(numbers):
        for number in numbers:
            status, body, _ = platform.request("POST", "/api/auth/register", {
                "email": f"load-{int(time.time())}-{number}@example.com", "password": PASSWORD, "name": f"Load Shopper {number}"})
            if status != 201:
                raise AssertionError(f"registering shopper {number}: {status} {body}")
            with lock:
                tokens.append(body["accessToken"])

    threads = [threading.Thread(target=some, args=(range(part, shoppers, 4),)) for part in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(tokens) != shoppers:
        raise AssertionError(f"only {len(tokens)} of {shoppers} shoppers registered")
    mail = os.path.join(platform.run_directory, "mail")
    eventually("every welcome email", lambda: len([name for name in os.listdir(mail) if name.endswith(".eml")]) >= shoppers,
               timeout=300, interval=1)
    # The cart must know every product before shoppers add them.
    for product in products:
        eventually(f"the cart to know {product['sku']}", lambda product=product: platform.request(
            "POST", "/api/cart/items", {"productId": product["id"], "quantity": 1}, token=tokens[0])[0] in (200, 201))
    platform.request("DELETE", "/api/cart", token=tokens[0])
    return tokens


def apache_bench(url, requests, concurrency):
    """`ab -n requests -c concurrency url`: requests per second, failures and the percentiles (ms)."""
    output = subprocess.run(["ab", "-n", str(requests), "-c", str(concurrency), "-H", "Accept: application/json", url],
                            capture_output=True, text=True, timeout=600).stdout
    percentiles = {int(match[0]): int(match[1]) for match in re.findall(r"^\s+(\d+)%\s+(\d+)", output, re.MULTILINE)}
    number = lambda pattern: float(re.search(pattern, output, re.MULTILINE).group(1))  # noqa: E731
    non_2xx = re.search(r"^Non-2xx responses:\s+(\d+)", output, re.MULTILINE)
    return {"requests": requests, "concurrency": concurrency, "rps": number(r"^Requests per second:\s+([\d.]+)"),
            "failed": int(number(r"^Failed requests:\s+(\d+)")) + (int(non_2xx.group(1)) if non_2xx else 0),
            "p50": percentiles.get(50), "p95": percentiles.get(95), "p99": percentiles.get(99), "max": percentiles.get(100)}


class CPUSampler:
    """Every process of the run with its descendants (a service, Postgres with its backends, nginx
    with its workers, ...): its share of one core, sampled every `interval` seconds."""

    def __init__(self, run_directory, interval=2.0):
        self.run_directory = run_directory
        self.interval = interval
        self.samples = []  # (seconds since start, {name: percent of one core})
        self.stop = threading.Event()
        self.ticks = os.sysconf("SC_CLK_TCK")

    def usage(self):
        """CPU ticks used so far by each process of the run and its descendants (Postgres backends
        make sessions of their own, so the process tree is followed, not the process group)."""
        with open(os.path.join(self.run_directory, "state.json")) as file:
            roots = {record["pid"]: record["name"] for record in json.load(file)["processes"]}
        parent, ticks = {}, {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as file:
                    fields = file.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(entry)] = int(fields[1])  # after the command: state, ppid, ...
            ticks[int(entry)] = int(fields[11]) + int(fields[12])  # utime + stime
        totals = collections.Counter()
        for pid, used in ticks.items():
            ancestor = pid
            while ancestor > 1 and ancestor not in roots:
                ancestor = parent.get(ancestor, 0)
            if ancestor in roots:
                totals[roots[ancestor]] += used
        return totals

    def run(self):
        began = time.monotonic()
        last, last_at = self.usage(), began
        while not self.stop.wait(self.interval):
            now, now_at = self.usage(), time.monotonic()
            elapsed = now_at - last_at
            self.samples.append((round(now_at - began, 1), {name: round(100 * (now[name] - last.get(name, 0)) / self.ticks / elapsed, 1)
                                                            for name in now}))
            last, last_at = now, now_at


def run_locust(platform, products, tokens, steps, step_seconds, directory):
    accounts = os.path.join(directory, "accounts.json")
    with open(accounts, "w") as file:
        json.dump({"products": products, "tokens": tokens}, file)
    files = {name: os.path.join(directory, name) for name in ("orders.jsonl", "steps.jsonl", "stop.txt")}
    for path in files.values():
        if os.path.exists(path):
            os.remove(path)
    environment = dict(os.environ, BAZAAR_LOAD_ACCOUNTS=accounts, BAZAAR_LOAD_ORDERS=files["orders.jsonl"],
                       BAZAAR_LOAD_STEPS=",".join(map(str, steps)), BAZAAR_LOAD_STEP_SECONDS=str(step_seconds),
                       BAZAAR_LOAD_STOP=files["stop.txt"], BAZAAR_LOAD_STEPS_FILE=files["steps.jsonl"])
    sampler = CPUSampler(platform.run_directory)
    sampling = threading.Thread(target=sampler.run)
    sampling.start()
    bound = step_seconds * (len(steps) + 2) + 60
    try:
        subprocess.run([os.path.join(LOAD_VENV, "locust"), "-f", os.path.join(HERE, "locustfile.py"), "--headless",
                        "--host", platform.url, "--csv", os.path.join(directory, "locust"), "--csv-full-history",
                        "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5"],
                       env=environment, timeout=bound, check=False)
    finally:
        sampler.stop.set()
        sampling.join()
    with open(files["steps.jsonl"]) as file:
        measured = [json.loads(line) for line in file if line.strip()]
    why = open(files["stop.txt"]).read() if os.path.exists(files["stop.txt"]) else "locust ended"
    with open(files["orders.jsonl"]) as file:
        orders = [json.loads(line) for line in file if line.strip()]
    return measured, why, orders, sampler.samples, history(os.path.join(directory, "locust_stats_history.csv"))


def history(path):
    """locust's per-second history of all requests: time, shoppers, requests/s, failures/s, p50/p95/p99."""
    import csv
    rows = []
    with open(path) as file:
        for row in csv.DictReader(file):
            if row["Name"] != "Aggregated":
                continue
            number = lambda key: float(row[key]) if row.get(key) not in (None, "", "N/A") else None  # noqa: E731
            rows.append({"t": int(row["Timestamp"]), "users": int(row["User Count"]), "rps": number("Requests/s"),
                         "failures": number("Failures/s"), "p50": number("50%"), "p95": number("95%"), "p99": number("99%")})
    if rows:
        start = rows[0]["t"]
        for row in rows:
            row["t"] -= start
    return rows


def saga_latency(platform, orders):
    """Placed -> confirmed of every order the mix made, from the broker timestamps of its
    order.placed and order.confirmed events (as `make bench-saga` measures it), once every one of
    them is final."""
    brokers = None
    with open(os.path.join(platform.run_directory, "infra.env")) as file:
        for line in file:
            if line.startswith("BAZAAR_KAFKA_BROKERS="):
                brokers = line.split("=", 1)[1].strip().strip("'\"")
    wanted = {order["orderId"] for order in orders}

    def events():
        consumed = subprocess.run(["kcat", "-b", brokers, "-C", "-t", "orders", "-o", "beginning", "-e", "-q", "-f", "%k\t%T\t%s\n"],
                                  capture_output=True, text=True, timeout=120).stdout
        placed, final = {}, {}
        for line in consumed.splitlines():
            parts = line.split("\t", 2)
            if len(parts) < 3 or parts[0] not in wanted:
                continue
            kind = json.loads(parts[2]).get("type", "")
            if kind == "bazaar.order.placed.v1":
                placed[parts[0]] = int(parts[1])
            elif kind in ("bazaar.order.confirmed.v1", "bazaar.order.cancelled.v1"):
                final.setdefault(parts[0], (kind.split(".")[2], int(parts[1])))
        return (placed, final) if len(final) >= len(wanted) else None

    placed, final = eventually("every order of the mix to be final", events, timeout=180, interval=2)
    durations = sorted(final[key][1] - placed[key] for key in final if final[key][0] == "confirmed" and key in placed)
    pick = lambda q: durations[min(len(durations) - 1, int(q * len(durations)))] if durations else None  # noqa: E731
    return {"orders": len(wanted), "outcomes": dict(collections.Counter(outcome for outcome, _ in final.values())),
            "p50": pick(0.5), "p95": pick(0.95), "p99": pick(0.99), "max": durations[-1] if durations else None}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--launcher", default=os.path.join(ROOT, ".build", "release", "bazaar"))
    parser.add_argument("--steps", default="40,80,160,320,480,640,800,1000", help="shoppers per step")
    parser.add_argument("--step-seconds", type=int, default=20)
    parser.add_argument("--ab-requests", type=int, default=5000)
    parser.add_argument("--report", default=os.path.join(ROOT, ".build", "load-report"))
    arguments = parser.parse_args()
    steps = [int(users) for users in arguments.steps.split(",")]
    os.makedirs(arguments.report, exist_ok=True)
    results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "machine": f"{host.node()}: {os.cpu_count()} cores, {host.platform()}",
               "build": os.path.basename(os.path.dirname(os.path.abspath(arguments.launcher))),
               "beside": "locust and ab on the same machine (loopback), nothing else"}
    limits = {name: "1000000" for name in ("RATE_LIMIT_SIGN_IN_PER_MINUTE", "RATE_LIMIT_REGISTRATION_PER_MINUTE",
                                           "RATE_LIMIT_REFRESH_PER_MINUTE")}
    with Platform(arguments.launcher, limits) as platform:
        eventually("the demo catalog", lambda: (platform.request("GET", "/api/catalog/products?limit=1")[1] or {}).get("total", 0) >= 200)
        products = stock(platform)
        log(f"platform up ({results['build']} build); {len(products)} products stocked")
        url = f"{platform.url}/api/catalog/products?limit=20"
        apache_bench(url, 500, 50)  # warms the catalog's cache and the gateway's connections
        results["ab"] = [apache_bench(url, arguments.ab_requests, concurrency) for concurrency in (100, 200)]
        for run in results["ab"]:
            log(f"ab -n {run['requests']} -c {run['concurrency']} product list: {run['rps']:.0f} req/s, p50 {run['p50']} ms, "
                f"p95 {run['p95']} ms, p99 {run['p99']} ms, {run['failed']} failed")
        tokens = register(platform, products, min(max(steps), ACCOUNTS))
        log(f"{len(tokens)} shoppers registered")
        measured, why, orders, cpu, timeline = run_locust(platform, products, tokens, steps, arguments.step_seconds, arguments.report)
        results["mix"] = {"steps": measured, "stoppedBecause": why, "timeline": timeline, "cpu": cpu}
        for step in measured:
            total = step["total"]
            log(f"mix at {step['shoppers']} shoppers: {total['rps']:.0f} req/s, p50 {total['p50']} ms, p95 {total['p95']} ms, "
                f"p99 {total['p99']} ms, {total['failures']} of {total['requests']} failed")
        log(f"mix stopped: {why}")
        results["saga"] = saga_latency(platform, orders)
        log(f"placed -> confirmed over the mix's {results['saga']['orders']} orders: p50 {results['saga']['p50']} ms, "
            f"p95 {results['saga']['p95']} ms, p99 {results['saga']['p99']} ms ({results['saga']['outcomes']})")
    with open(os.path.join(arguments.report, "results.json"), "w") as file:
        json.dump(results, file, indent=2)
    subprocess.run([os.path.join(LOAD_VENV, "python"), os.path.join(HERE, "report.py"), arguments.report], check=True)
    worst = max(run["p95"] for run in results["ab"])
    log(f"report: {arguments.report}/index.html; ab product list p95 {worst} ms "
        f"(ours <= {AB_TARGET_P95_MS} ms: {'met' if worst <= AB_TARGET_P95_MS else 'NOT met'}; the seed's < {SEED_TARGET_P95_MS} ms)")
    if any(run["failed"] for run in results["ab"]):
        log("FAILED: ab saw failed requests")
        sys.exit(1)


if __name__ == "__main__":
    main()
