"""Chaos: shoppers check out through the gateway while the platform's processes are killed with
SIGKILL (the launcher starts each again, as a container runtime would) and the dev broker is taken
down and brought back; afterwards the platform's promises are checked and printed:

- every accepted checkout (202) has exactly one order, and every order comes from a checkout;
- every order reaches a final state (confirmed or cancelled) within 60 s of the last restart;
- no order is charged twice, and each order's captured - refunded matches its outcome (and the
  payment service's own reconciliation finds nothing);
- for every SKU, the stock before = on hand + reserved + sold (by the confirmed orders);
- no email is sent twice (one recipient, one subject);
- the dead-letter topics are listed, each message with its reason; any message there fails the run.

Short form (`make test`): 100 checkouts from 10 shoppers, three kills (the order service, the
payment service, Postgres). Long form (`make chaos`): 1,000 checkouts from 20 shoppers, every
service, Postgres and each Redis killed once and the broker down and up once, at random moments
(seeded: BAZAAR_CHAOS_SEED or --seed). Loopback only; bounded in count and time; stops by itself.

    .venv/bin/python Tests/Chaos/chaos.py --launcher .build/debug/bazaar [--form long] [--seed N]

The report (JSON) is written to .build/chaos-report.json (--report); the platform's logs of a
failed run are kept in .build/chaos-failed/. With BAZAAR_CHAOS_GATEWAY=http://127.0.0.1:PORT and
BAZAAR_CHAOS_RUN_DIR it storms a running platform instead of starting one (started with
RATE_LIMIT_REGISTRATION_PER_MINUTE=1000 in its environment, or the shoppers cannot all register)."""

import argparse
import collections
import email
import email.policy
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Platform"))
from bazaar_platform import Platform, RunningPlatform, eventually, send  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PASSWORD = "chaos-Secret-phrase-42"
ADDRESS = {"name": "Chaos Shopper", "line1": "1 Loop Road", "city": "Localhost", "postalCode": "12345", "country": "DE"}
SERVICES = ["user", "catalog", "notification", "inventory", "cart", "order", "payment"]
FORMS = {
    "short": {"checkouts": 100, "clients": 10, "rate": 5, "faults": ["order", "payment", "postgres"]},
    "long": {"checkouts": 1000, "clients": 20, "rate": 10, "faults": SERVICES + ["postgres", "redis", "cart-redis", "broker"]},
}
# Checkouts are started at most `rate` per second, so the storm lasts long enough for every fault
# to land while orders are in flight (unpaced, 100 checkouts take a few seconds).
# Mostly paid, some declined, some settled later by the provider's webhook.
PAYMENT_METHODS = ["tok_visa"] * 7 + ["tok_mastercard", "tok_chargeDeclined", "tok_slow"]
FINAL = {"confirmed", "cancelled"}
SCHEMAS = os.path.join(ROOT, "Shared", "Contracts", "Published", "schemas")
# Who dead-letters what: the consumer groups that have dead-letter topics and the event types each
# handles (the services' handler tables, listed in their READMEs). A malformed event of a type is
# dead-lettered by every group that handles the type (the others skip it); a message that is not a
# CloudEvent at all, by every group that reads its topic.
HANDLED = {
    "cart": ["product.created", "product.updated", "product.deleted"],
    "inventory": ["product.created", "product.updated", "product.deleted", "order.placed", "order.confirmed", "order.cancelled"],
    "notification": ["user.registered", "user.updated", "user.password_reset_requested", "order.confirmed", "order.cancelled",
                     "order.shipped", "payment.failed", "payment.refunded", "stock.low"],
    "order": ["cart.checked_out", "stock.reserved", "stock.rejected", "stock.released", "payment.authorized", "payment.failed",
              "payment.refunded"],
    "payment": ["order.payment_requested", "order.confirmed", "order.cancelled"],
}
TOPIC_OF = {"product": "catalog", "order": "orders", "user": "users", "payment": "payments", "stock": "inventory", "cart": "carts"}
PLANTED = "chaos-bad-"
# How long one request may go unanswered, and how long a shopper keeps retrying one step.
REQUEST_TIMEOUT = 10
STEP_PATIENCE = 120
SETTLE_SECONDS = 60


def log(message):
    print(f"chaos: {message}", flush=True)


class Gateway:
    """Requests through the gateway that report no answer (a connection refused or reset, a
    timeout) as status None instead of raising, as a shopper's retry loop needs."""

    def __init__(self, url):
        self.url = url

    def call(self, method, path, body=None, token=None, headers=None):
        try:
            status, answer, _ = send(self.url, method, path, body, token, headers, timeout=REQUEST_TIMEOUT)
            return status, answer
        except (urllib.error.URLError, OSError, ValueError) as error:
            return None, str(error)

    def persist(self, what, method, path, body=None, token=None, headers=None, patience=STEP_PATIENCE):
        """Sends the request again while it gets no answer or a 5xx (a process is down or starting),
        for at most `patience` seconds; returns the last (status, body)."""
        deadline = time.monotonic() + patience
        pause = 0.1
        while True:
            status, answer = self.call(method, path, body, token, headers)
            if status is not None and status < 500:
                return status, answer
            if time.monotonic() >= deadline:
                log(f"{what}: no answer but {status} after {patience} s: {str(answer)[:200]}")
                return status, answer
            time.sleep(pause)  # a client's back-off between retries, not a wait for a state
            pause = min(pause * 2, 2.0)


class Processes:
    """The run's processes as the launcher's state file records them (pids change on restarts)."""

    def __init__(self, run_directory):
        self.file = os.path.join(run_directory, "state.json")

    def records(self):
        with open(self.file) as file:
            return {record["name"]: record for record in json.load(file)["processes"]}

    def pid(self, name):
        return self.records()[name]["pid"]


class Shoppers:
    """`clients` shoppers, each a thread that registers, then adds a product and checks out until
    the platform has taken `checkouts` checkout attempts."""

    def __init__(self, gateway, products, checkouts, clients, rate, seed):
        self.gateway = gateway
        self.products = products
        self.checkouts = checkouts
        self.clients = clients
        self.rate = rate
        self.seed = seed
        self.began = None
        self.lock = threading.Lock()
        self.started = 0
        self.attempts = []  # one dict per checkout attempt
        self.users = {}  # user id -> email
        self.problems = []

    @property
    def finished(self):
        with self.lock:
            return len(self.attempts)

    def take_turn(self):
        """Whether another checkout is due; waits for its slot (`rate` a second) first."""
        with self.lock:
            if self.started >= self.checkouts:
                return False
            slot = self.began + self.started / self.rate
            self.started += 1
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)  # pacing the load, not waiting for a state
        return True

    def run(self):
        self.began = time.monotonic()
        threads = [threading.Thread(target=self.shop, args=(number,), name=f"shopper-{number}") for number in range(self.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def shop(self, number):
        chance = random.Random(self.seed * 1000 + number)
        address = f"chaos-{self.seed}-{number}-{uuid.uuid4().hex[:8]}@example.com"
        status, body = self.gateway.persist("registering", "POST", "/api/auth/register",
                                            {"email": address, "password": PASSWORD, "name": f"Chaos Shopper {number}"})
        if status != 201:
            with self.lock:
                self.problems.append(f"shopper {number} could not register: {status} {body}")
            return
        token = body["accessToken"]
        with self.lock:
            self.users[body["user"]["id"]] = address
        while self.take_turn():
            product = chance.choice(self.products)
            method = chance.choice(PAYMENT_METHODS)
            token = self.check_out(token, address, product, chance.randint(1, 2), method)

    def sign_in(self, address):
        status, body = self.gateway.persist("signing in", "POST", "/api/auth/login", {"email": address, "password": PASSWORD})
        return body["accessToken"] if status == 200 else None

    def check_out(self, token, address, product, quantity, method):
        """One checkout attempt: add the product, read the cart's total, check out under one
        Idempotency-Key (sent again with the same body while no answer comes). Returns the token
        to use next (a new one after a 401)."""
        attempt = {"email": address, "productId": product["id"], "sku": product["sku"], "quantity": quantity,
                   "paymentMethod": method, "outcome": "not tried", "orderId": None, "statuses": []}
        try:
            for _ in range(3):
                status, body = self.gateway.persist("adding", "POST", "/api/cart/items",
                                                    {"productId": product["id"], "quantity": quantity}, token)
                if status == 401:
                    token = self.sign_in(address) or token
                    continue
                break
            if status not in (200, 201):
                attempt["outcome"] = f"not added ({status} {str(body)[:200]})"
                return token
            key = str(uuid.uuid4())
            for _ in range(5):
                status, cart = self.gateway.persist("reading the cart", "GET", "/api/cart", token=token)
                if status != 200:
                    attempt["outcome"] = f"cart unreadable ({status} {str(cart)[:200]})"
                    return token
                request = {"shippingAddress": ADDRESS, "paymentMethod": method, "expectedTotal": cart["total"]}
                status, body = self.gateway.persist("checking out", "POST", "/api/cart/checkout", request, token,
                                                    {"Idempotency-Key": key})
                attempt["statuses"].append(status)
                if status == 202:
                    attempt["outcome"], attempt["orderId"] = "accepted", body["orderId"]
                    return token
                if status == 409 and isinstance(body, dict) and body.get("type", "").endswith("total-changed"):
                    key = str(uuid.uuid4())  # a new request: the total the shopper saw changed
                    continue
                if status == 401:
                    token = self.sign_in(address) or token
                    continue
                # No answer within the patience (5xx or none): the checkout may have been taken.
                attempt["outcome"] = "refused" if status is not None and status < 500 else "unknown"
                attempt["answer"] = f"{status} {str(body)[:300]}"
                return token
            attempt["outcome"] = "gave up"
            return token
        finally:
            with self.lock:
                self.attempts.append(attempt)


class Chaos:
    """Kills each fault's process when the shoppers' progress reaches its random moment, waits for
    the launcher to start it again and for every service to be ready, then goes on."""

    def __init__(self, platform, processes, shoppers, faults, seed):
        self.platform = platform
        self.gateway = Gateway(platform.url)
        self.processes = processes
        self.shoppers = shoppers
        chance = random.Random(seed)
        order = list(faults)
        chance.shuffle(order)
        moments = sorted(chance.uniform(0.05, 0.85) for _ in order)
        self.plan = [(name, max(1, int(moment * shoppers.checkouts))) for name, moment in zip(order, moments)]
        self.broker_outage = chance.uniform(2.0, 5.0)
        self.done = []  # (fault, at checkout, seconds until everything was ready again)
        self.last_recovery = None
        self.problems = []

    def run(self, stop):
        for name, moment in self.plan:
            while self.shoppers.finished < moment and not stop.is_set():
                time.sleep(0.05)  # polling the shoppers' progress
            started = time.monotonic()
            at = self.shoppers.finished
            try:
                self.inflict(name)
            except AssertionError as error:
                self.problems.append(f"{name}: {error}")
                return
            took = time.monotonic() - started
            self.done.append((name, at, round(took, 1)))
            self.last_recovery = time.monotonic()
            log(f"{name} {'down and up' if name == 'broker' else 'killed'} at checkout {at}; everything ready again after {took:.1f} s")

    def inflict(self, name):
        if name == "broker":
            broker = self.processes.pid("kafka")
            os.kill(broker, signal.SIGUSR1)
            time.sleep(self.broker_outage)  # the outage's length is the fault itself
            os.kill(broker, signal.SIGUSR2)
        else:
            victim = self.processes.pid(name)
            os.kill(victim, signal.SIGKILL)
            eventually(f"the launcher to start {name} again", lambda: self.processes.pid(name) != victim, timeout=120)
        eventually("every service to be ready again", lambda: self.gateway.call("GET", "/health")[0] == 200, timeout=120)

class BadEvents:
    """Hand-written malformed events published to every consumed topic before the storm: for each
    handled type one with fields of the wrong types, one missing every field and one of a version
    the catalog does not list, and per topic one that is not JSON. Each must reach its topic's
    dead-letter topic once from every group that handles it, with the reason; the storm that
    follows proves the consumers kept going, and the verdict that nothing changed (no order, stock
    or email comes from them)."""

    def __init__(self, brokers):
        self.brokers = brokers
        self.expected = {}  # (key, group) -> topic

    @staticmethod
    def envelope(key, event_type, data):
        return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "bazaar/chaos", "type": f"bazaar.{event_type}",
                "subject": key, "time": "2026-12-07T00:00:00Z", "datacontenttype": "application/json", "data": data}

    @staticmethod
    def wrong_types(event_type):
        with open(os.path.join(SCHEMAS, f"bazaar.{event_type}.v1.json")) as file:
            data = json.load(file)["properties"]["data"]
        wrong = {"string": 12345, "integer": "many", "number": "many", "boolean": "yes", "object": "x", "array": 7}
        return {name: wrong.get(rule.get("type"), []) for name, rule in data.get("properties", {}).items()
                if name in data.get("required", [])}

    def plant(self):
        by_topic = collections.defaultdict(list)
        types = sorted({event_type for handled in HANDLED.values() for event_type in handled})
        for event_type in types:
            topic = TOPIC_OF[event_type.split(".")[0]]
            groups = [group for group, handled in HANDLED.items() if event_type in handled]
            for variant, version, data in [("wrong-types", "v1", self.wrong_types(event_type)), ("missing-fields", "v1", {}),
                                           ("unknown-version", "v9", {})]:
                key = f"{PLANTED}{variant}-{event_type}"
                by_topic[topic].append((key, json.dumps(self.envelope(key, f"{event_type}.{version}", data))))
                self.expected.update({(key, group): topic for group in groups})
        for topic in sorted(set(TOPIC_OF.values())):
            key = f"{PLANTED}not-json-{topic}"
            by_topic[topic].append((key, "{this is not json"))
            readers = [group for group, handled in HANDLED.items() if any(TOPIC_OF[t.split(".")[0]] == topic for t in handled)]
            self.expected.update({(key, group): topic for group in readers})
        for topic, messages in by_topic.items():
            produced = subprocess.run(["kcat", "-P", "-b", self.brokers, "-t", topic, "-K", "\t"],
                                      input="".join(f"{key}\t{value}\n" for key, value in messages),
                                      capture_output=True, text=True, timeout=60)
            if produced.returncode != 0:
                raise AssertionError(f"kcat could not publish to {topic}: {produced.stderr}")
        log(f"planted {sum(len(m) for m in by_topic.values())} malformed events on {len(by_topic)} topics; "
            f"{len(self.expected)} dead letters expected")

    def dead_lettered(self, letters):
        """The planted messages' dead letters found: (key, group) -> reason."""
        return {(letter["key"], letter["headers"].get("dlq_consumer")): letter["headers"].get("dlq_error", "")
                for letter in letters if (letter["key"] or "").startswith(PLANTED)}

    def wait(self):
        """Until every expected dead letter is there, each with a reason; returns how long it took."""
        began = time.monotonic()
        found = eventually("every malformed event in its dead-letter topic, once per group handling it",
                           lambda: (lambda found: found if set(self.expected) <= set(found) else None)(
                               self.dead_lettered(read_dead_letters(self.brokers)[1])), timeout=120, interval=1)
        unexplained = [pair for pair, reason in found.items() if pair in self.expected and not reason]
        if unexplained:
            raise AssertionError(f"dead letters without a reason: {unexplained[:5]}")
        reasons = collections.Counter(reason.split(":")[0][:60] for pair, reason in found.items() if pair in self.expected)
        log(f"all {len(self.expected)} dead letters arrived with their reasons after {time.monotonic() - began:.1f} s: "
            + "; ".join(f"{count}x {reason}" for reason, count in reasons.most_common()))


def read_dead_letters(brokers):
    """Every dead-letter topic and every message in them (key, headers, where it was)."""
    listing = subprocess.run(["kcat", "-b", brokers, "-L", "-J"], capture_output=True, text=True, timeout=60)
    topics = sorted(topic["topic"] for topic in json.loads(listing.stdout[listing.stdout.index("{"):])["topics"]
                    if topic["topic"].endswith(".dlq"))
    letters = []
    for topic in topics:
        consumed = subprocess.run(["kcat", "-b", brokers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-J"],
                                  capture_output=True, text=True, timeout=60)
        for line in consumed.stdout.splitlines():
            if line.startswith("{"):
                message = json.loads(line)
                raw = message.get("headers") or []
                headers = dict(zip(raw[::2], raw[1::2])) if isinstance(raw, list) else dict(raw)
                letters.append({"topic": topic, "partition": message["partition"], "offset": message["offset"],
                                "key": message.get("key"), "headers": headers})
    return topics, letters


class Verdict:
    """The checks after the storm, each printed with what it found; `failures` lists what broke."""

    def __init__(self, platform, shoppers, initial_stock, planted):
        self.platform = platform
        self.planted = planted
        self.gateway = Gateway(platform.url)
        self.shoppers = shoppers
        self.initial_stock = initial_stock
        self.failures = []
        self.report = {}

    def admin(self):
        return self.platform.sign_in("admin@bazaar.local", self.platform.administrator_password())

    def pages(self, path, token):
        items, page = [], 1
        while True:
            separator = "&" if "?" in path else "?"
            status, body = self.gateway.persist("listing", "GET", f"{path}{separator}limit=100&page={page}", token=token)
            if status != 200:
                raise AssertionError(f"GET {path}: {status} {body}")
            items += body["items"]
            if len(items) >= body["total"] or not body["items"]:
                return items
            page += 1

    def fail(self, message):
        self.failures.append(message)
        log(f"FAILED: {message}")

    def orders(self, token, deadline):
        """Every order of the chaos shoppers, once every accepted checkout has its order and none is
        open any more (or the deadline passed)."""
        users = set(self.shoppers.users)
        accepted = {attempt["orderId"] for attempt in self.shoppers.attempts if attempt["outcome"] == "accepted"}

        def settled():
            orders = [order for order in self.pages("/api/orders/all", token) if order["userId"] in users]
            complete = accepted <= {order["id"] for order in orders}
            return orders if complete and all(order["status"] in FINAL for order in orders) else None

        while True:
            orders = settled()
            if orders is not None or time.monotonic() >= deadline:
                return orders or [order for order in self.pages("/api/orders/all", token) if order["userId"] in users]
            time.sleep(0.5)  # polling for the final states

    def check(self, deadline):
        token = self.admin()
        attempts = self.shoppers.attempts
        outcomes = collections.Counter(attempt["outcome"].split(" (")[0] for attempt in attempts)
        log(f"{len(attempts)} checkout attempts: " + ", ".join(f"{count} {outcome}" for outcome, count in outcomes.most_common()))
        orders = self.orders(token, deadline)
        by_id = collections.Counter(order["id"] for order in orders)
        accepted = [attempt for attempt in attempts if attempt["outcome"] == "accepted"]
        unknown = [attempt for attempt in attempts if attempt["outcome"] != "accepted"]
        missing = [attempt["orderId"] for attempt in accepted if by_id[attempt["orderId"]] != 1]
        if missing:
            self.fail(f"{len(missing)} accepted checkouts without exactly one order: {missing[:10]}")
        known = {attempt["orderId"] for attempt in accepted}
        strays = [order["id"] for order in orders if order["id"] not in known]
        # A checkout whose answer never came may have been taken: its order is legitimate, but
        # there can be at most one per such attempt.
        if len(strays) > len(unknown):
            self.fail(f"{len(strays)} orders no checkout accounts for (only {len(unknown)} checkouts went unanswered): {strays[:10]}")
        log(f"each of the {len(accepted)} accepted checkouts has exactly one order: {'no' if missing else 'yes'}; "
            f"{len(strays)} more orders from {len(unknown)} checkouts not answered 202")
        statuses = collections.Counter(order["status"] + (f" ({order['cancellationReason']})" if order.get("cancellationReason") else "")
                                       for order in orders)
        log("orders: " + ", ".join(f"{count} {status}" for status, count in sorted(statuses.items())))
        still_open = [order for order in orders if order["status"] not in FINAL]
        if still_open:
            self.fail(f"{len(still_open)} orders not final within {SETTLE_SECONDS} s of the last restart: "
                      + ", ".join(f"{order['id']} {order['status']}" for order in still_open[:10]))
        details = {}
        emails = {attempt["email"] for attempt in attempts}
        tokens = {address: self.platform.sign_in(address, PASSWORD) for address in emails}
        owner = {user_id: address for user_id, address in self.shoppers.users.items()}
        for order in orders:
            status, body = self.gateway.persist("reading an order", "GET", f"/api/orders/{order['id']}",
                                                token=tokens.get(owner.get(order["userId"]), token))
            if status != 200:
                raise AssertionError(f"GET /api/orders/{order['id']}: {status} {body}")
            details[order["id"]] = body
        self.check_payments(token, details)
        self.check_stock(token, details)
        self.check_mail(details)
        self.check_dead_letters(self.planted)
        self.report.update({"attempts": len(attempts), "outcomes": dict(outcomes), "orders": dict(statuses),
                            "acceptedWithoutOneOrder": missing, "strayOrders": strays, "open": [order["id"] for order in still_open]})

    def check_payments(self, token, details):
        payments = collections.defaultdict(list)
        for payment in self.pages("/api/payments/all", token):
            payments[payment["orderId"]].append(payment)
        twice = [order_id for order_id, found in payments.items() if len(found) > 1]
        if twice:
            self.fail(f"orders with more than one payment: {twice[:10]}")
        wrong = []
        for order_id, order in details.items():
            found = payments.get(order_id, [])
            captured = sum(payment["captured"]["minorUnits"] for payment in found)
            refunded = sum(payment["refunded"]["minorUnits"] for payment in found)
            expected = order["total"]["minorUnits"] if order["status"] == "confirmed" else 0
            if order["status"] in FINAL and captured - refunded != expected:
                wrong.append(f"{order_id} {order['status']}: captured {captured} - refunded {refunded} != {expected}")
        if wrong:
            self.fail(f"{len(wrong)} orders whose money does not match their outcome: {wrong[:10]}")
        status, reconciliation = self.gateway.persist("reconciling", "GET", "/api/payments/reconciliation", token=token)
        mismatches = reconciliation.get("mismatches", []) if status == 200 else [f"{status} {reconciliation}"]
        if mismatches:
            self.fail(f"the payment reconciliation found {len(mismatches)} mismatches: {mismatches[:10]}")
        log(f"payments: {sum(len(found) for found in payments.values())} for {len(details)} orders, none charged twice: "
            f"{'no' if twice else 'yes'}; captured - refunded matches every outcome: {'no' if wrong else 'yes'}; "
            f"reconciliation: {len(mismatches)} mismatches over {reconciliation.get('checked') if status == 200 else '?'} payments")
        self.report["payments"] = {"twice": twice, "wrong": wrong, "reconciliationMismatches": mismatches}

    def check_stock(self, token, details):
        sold = collections.Counter()
        for order in details.values():
            if order["status"] == "confirmed":
                for line in order["lines"]:
                    sold[line["sku"]] += line["quantity"]
        rows, wrong = [], []
        for sku, before in self.initial_stock.items():
            status, level = self.gateway.persist("reading stock", "GET", f"/api/inventory/stock/{sku}", token=token)
            if status != 200:
                raise AssertionError(f"GET stock {sku}: {status} {level}")
            total = level["onHand"] + level["reserved"] + sold[sku]
            rows.append(f"{sku} {before} = {level['onHand']} on hand + {level['reserved']} reserved + {sold[sku]} sold")
            if total != before:
                wrong.append(f"{sku}: {before} before, but {level['onHand']} on hand + {level['reserved']} reserved + {sold[sku]} sold = {total}")
        if wrong:
            self.fail(f"stock not conserved: {wrong}")
        log("stock conserved for every SKU: " + ("no" if wrong else "yes") + " (" + "; ".join(rows) + ")")
        self.report["stock"] = {"rows": rows, "wrong": wrong}

    def check_mail(self, details):
        folder = os.path.join(self.platform.run_directory, "mail")
        sent = collections.Counter()
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if name.endswith(".eml"):
                with open(os.path.join(folder, name), "rb") as file:
                    message = email.message_from_binary_file(file, policy=email.policy.default)
                sent[(str(message["To"]), str(message["Subject"]))] += 1
        twice = [f"{count}x {subject} to {to}" for (to, subject), count in sent.items() if count > 1]
        if twice:
            self.fail(f"emails sent more than once: {twice[:10]}")
        confirmed = [order_id for order_id, order in details.items() if order["status"] == "confirmed"]
        unmailed = [order_id for order_id in confirmed
                    if not any(subject == f"Your order {order_id} is confirmed" for (_, subject) in sent)]
        if unmailed:
            self.fail(f"{len(unmailed)} confirmed orders without their confirmation email: {unmailed[:10]}")
        log(f"emails: {sum(sent.values())} sent, none twice: {'no' if twice else 'yes'}; "
            f"every confirmed order's confirmation among them: {'no' if unmailed else 'yes'}")
        self.report["mail"] = {"sent": sum(sent.values()), "twice": twice, "unmailed": unmailed}

    def check_dead_letters(self, planted):
        topics, letters = read_dead_letters(read_environment(self.platform.run_directory)["BAZAAR_KAFKA_BROKERS"])
        explained = [letter for letter in letters if (letter["key"] or "").startswith(PLANTED)]
        others = [letter for letter in letters if letter not in explained]
        log(f"dead-letter topics ({', '.join(topics)}): {len(letters)} messages, {len(explained)} of them the malformed events "
            f"planted before the storm ({len(planted.expected)} expected)")
        for letter in others:
            log(f"  {letter['topic']} partition {letter['partition']} offset {letter['offset']} key {letter['key']}: "
                + ", ".join(f"{name}={value}" for name, value in letter["headers"].items() if name.startswith("dlq_") or name == "ce_type"))
        if others:
            self.fail(f"{len(others)} events went to a dead-letter topic (listed above): only the planted ones should")
        self.report["deadLetters"] = {"planted": len(explained), "others": others}


def read_environment(run_directory):
    values = {}
    with open(os.path.join(run_directory, "infra.env")) as file:
        for line in file:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                name, value = line.split("=", 1)
                values[name] = value.strip("'\"")
    return values


def prepare_stock(platform, gateway, token):
    """Products from the demo catalog with stock set for the run: most plentiful, one scarce (so
    some orders are cancelled as out of stock); returns them and each SKU's stock before."""
    status, page = gateway.persist("listing products", "GET", "/api/catalog/products?limit=8&sort=name")
    if status != 200 or len(page["items"]) < 8:
        raise AssertionError(f"the demo catalog: {status} {page}")
    products = [{"id": product["id"], "sku": product["sku"]} for product in page["items"]]
    initial = {}
    for index, product in enumerate(products):
        wanted = 15 if index == 0 else 400
        level = eventually(f"the inventory to know {product['sku']}", lambda product=product: (lambda answer: answer[1] if answer[0] == 200 else None)(
            gateway.call("GET", f"/api/inventory/stock/{product['sku']}", token=token)))
        on_hand = level["onHand"]
        if wanted != on_hand:
            status, body = gateway.persist("adjusting stock", "POST", f"/api/inventory/stock/{product['sku']}/adjustments",
                                           {"delta": wanted - on_hand, "reason": "chaos run"}, token)
            if status != 200:
                raise AssertionError(f"adjusting {product['sku']}: {status} {body}")
        initial[product["sku"]] = wanted
    # The cart must know every product before the shoppers start.
    probe = platform.sign_in("admin@bazaar.local", platform.administrator_password())
    for product in products:
        eventually(f"the cart to know {product['sku']}", lambda product=product: gateway.call(
            "POST", "/api/cart/items", {"productId": product["id"], "quantity": 1}, probe)[0] in (200, 201))
    gateway.call("DELETE", "/api/cart", token=probe)
    return products, initial


def keep_logs(platform, destination):
    shutil.rmtree(destination, ignore_errors=True)
    for folder in ("logs",):
        source = os.path.join(platform.run_directory, folder)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(destination, folder))
    log(f"the platform's logs are kept in {destination}")


def storm(platform, form, arguments, began):
    """The shoppers and the faults against `platform`, then the verdict (written to the report)."""
    gateway = Gateway(platform.url)
    admin = platform.sign_in("admin@bazaar.local", platform.administrator_password())
    products, initial = prepare_stock(platform, gateway, admin)
    processes = Processes(platform.run_directory)
    planted = BadEvents(read_environment(platform.run_directory)["BAZAAR_KAFKA_BROKERS"])
    planted.plant()
    planted.wait()
    shoppers = Shoppers(gateway, products, form["checkouts"], form["clients"], form["rate"], arguments.seed)
    chaos = Chaos(platform, processes, shoppers, form["faults"], arguments.seed)
    log("plan: " + ", ".join(f"{name} at checkout {moment}" for name, moment in chaos.plan))
    stop = threading.Event()
    monkey = threading.Thread(target=chaos.run, args=(stop,), name="chaos")
    monkey.start()
    shoppers.run()
    stop.set()
    monkey.join()
    settled_from = max(chaos.last_recovery or 0, time.monotonic())
    verdict = Verdict(platform, shoppers, initial, planted)
    for problem in shoppers.problems + chaos.problems:
        verdict.fail(problem)
    if len(chaos.done) != len(chaos.plan):
        verdict.fail(f"only {len(chaos.done)} of {len(chaos.plan)} faults happened")
    verdict.check(deadline=settled_from + SETTLE_SECONDS)
    verdict.report.update({"form": arguments.form, "seed": arguments.seed, "faults": chaos.done,
                           "seconds": round(time.monotonic() - began), "failures": verdict.failures})
    os.makedirs(os.path.dirname(arguments.report), exist_ok=True)
    with open(arguments.report, "w") as file:
        json.dump(verdict.report, file, indent=2)
    if verdict.failures:
        keep_logs(platform, os.path.join(os.path.dirname(arguments.report), "chaos-failed"))
    return verdict


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--launcher", default=os.path.join(ROOT, ".build", "debug", "bazaar"))
    parser.add_argument("--form", choices=sorted(FORMS), default="short")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BAZAAR_CHAOS_SEED", "20261207")))
    parser.add_argument("--checkouts", type=int, help="instead of the form's number")
    parser.add_argument("--faults", help="comma-separated, instead of the form's (processes by name, or broker)")
    parser.add_argument("--report", default=os.path.join(ROOT, ".build", "chaos-report.json"))
    arguments = parser.parse_args()
    form = dict(FORMS[arguments.form])
    if arguments.checkouts:
        form["checkouts"] = arguments.checkouts
    if arguments.faults is not None:
        form["faults"] = [name for name in arguments.faults.split(",") if name]
    log(f"{arguments.form} form: {form['checkouts']} checkouts from {form['clients']} shoppers, at most {form['rate']} a second; faults "
        f"{', '.join(form['faults'])}; seed {arguments.seed}; launcher {arguments.launcher}")
    began = time.monotonic()
    running = os.environ.get("BAZAAR_CHAOS_GATEWAY")
    if running:
        verdict = storm(RunningPlatform(running, os.environ["BAZAAR_CHAOS_RUN_DIR"]), form, arguments, began)
    else:
        # Registration is limited per client address; every shopper here comes from 127.0.0.1.
        with Platform(arguments.launcher, {"RATE_LIMIT_REGISTRATION_PER_MINUTE": "1000",
                                           "RATE_LIMIT_SIGN_IN_PER_MINUTE": "1000"}) as platform:
            verdict = storm(platform, form, arguments, began)
    if verdict.failures:
        log(f"FAILED ({len(verdict.failures)} problems, report {arguments.report})")
        sys.exit(1)
    log(f"every promise held ({round(time.monotonic() - began)} s; report {arguments.report})")


if __name__ == "__main__":
    main()
