"""The shoppers of the load suite (Tools/Benchmarks/Load/load.py runs locust with this file, headless).

Each simulated shopper is one of the accounts the suite registered beforehand (their tokens come in
the file BAZAAR_LOAD_ACCOUNTS; signing in is deliberately slow, so it is not part of the mix) and
does, with these weights: browse 10 (a page of the product list or a product), view the cart 3,
add to the cart 2, check out 1. Between two actions a shopper waits 0.2 to 1 s.

The shape ramps the number of shoppers up in steps (BAZAAR_LOAD_STEPS, seconds per step
BAZAAR_LOAD_STEP_SECONDS) and stops early, writing why into BAZAAR_LOAD_STOP, when the step's
requests fail more than 1% of the time or its p99 is over 1 s. Accepted checkouts (order id and
time) are appended to BAZAAR_LOAD_ORDERS for the placed -> confirmed latency."""

import itertools
import json
import os
import random
import threading
import time
import uuid

from locust import FastHttpUser, LoadTestShape, between, events, task

with open(os.environ["BAZAAR_LOAD_ACCOUNTS"]) as accounts_file:
    ACCOUNTS = json.load(accounts_file)
PRODUCTS = ACCOUNTS["products"]
NEXT_ACCOUNT = itertools.cycle(ACCOUNTS["tokens"])
ACCOUNT_LOCK = threading.Lock()
ADDRESS = {"name": "Load Shopper", "line1": "1 Loop Road", "city": "Localhost", "postalCode": "12345", "country": "DE"}
ORDERS = open(os.environ["BAZAAR_LOAD_ORDERS"], "a")
STEPS = [int(users) for users in os.environ.get("BAZAAR_LOAD_STEPS", "20,40,80,160,240,320").split(",")]
STEP_SECONDS = int(os.environ.get("BAZAAR_LOAD_STEP_SECONDS", "20"))
STOP_FILE = os.environ["BAZAAR_LOAD_STOP"]
STEPS_FILE = os.environ["BAZAAR_LOAD_STEPS_FILE"]


class Shopper(FastHttpUser):
    wait_time = between(0.2, 1.0)

    def on_start(self):
        with ACCOUNT_LOCK:
            self.token = next(NEXT_ACCOUNT)
        self.headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}

    @task(10)
    def browse(self):
        if random.random() < 0.6:
            self.client.get(f"/api/catalog/products?page={random.randint(1, 5)}&limit=20", name="GET /api/catalog/products",
                            headers={"Accept": "application/json"})
        else:
            product = random.choice(PRODUCTS)
            self.client.get(f"/api/catalog/products/{product['id']}", name="GET /api/catalog/products/{id}",
                            headers={"Accept": "application/json"})

    @task(3)
    def view_cart(self):
        self.client.get("/api/cart", name="GET /api/cart", headers=self.headers)

    @task(2)
    def add(self):
        product = random.choice(PRODUCTS)
        self.client.post("/api/cart/items", json={"productId": product["id"], "quantity": 1}, name="POST /api/cart/items",
                         headers=self.headers)

    @task(1)
    def checkout(self):
        with self.client.get("/api/cart", name="GET /api/cart", headers=self.headers, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"cart: {answer.status_code}")
                return
            cart = answer.json()
        if not cart.get("lines"):
            return
        body = {"shippingAddress": ADDRESS, "paymentMethod": "tok_visa", "expectedTotal": cart["total"]}
        headers = dict(self.headers, **{"Idempotency-Key": str(uuid.uuid4())})
        with self.client.post("/api/cart/checkout", json=body, name="POST /api/cart/checkout", headers=headers,
                              catch_response=True) as answer:
            if answer.status_code == 202:
                ORDERS.write(json.dumps({"orderId": answer.json()["orderId"], "at": time.time()}) + "\n")
                ORDERS.flush()
            elif answer.status_code == 409:
                # The cart changed between reading it and checking out (another tab): not an error.
                answer.success()


class Ramp(LoadTestShape):
    """Shoppers in steps; stops after the last step, or after a step that failed the limits."""

    def __init__(self):
        super().__init__()
        self.step_index = -1
        self.stopped = False

    def tick(self):
        if self.stopped:
            return None
        step = int(self.get_run_time() // STEP_SECONDS)
        if step != self.step_index:
            if self.step_index >= 0:
                self.record_step()
                if self.over_the_limits():
                    return None
            self.step_index = step
            self.runner.stats.reset_all()  # each step's figures are its own
        if step >= len(STEPS):
            self.stop(f"finished every step (up to {STEPS[-1]} shoppers)")
            return None
        return STEPS[step], max(10, STEPS[step] // 2)

    def record_step(self):
        """The finished step's figures, overall and per request, as one JSON line."""
        def figures(entry):
            return {"requests": entry.num_requests, "failures": entry.num_failures,
                    "rps": round(entry.num_requests / STEP_SECONDS, 1),
                    **{f"p{int(q * 100)}": entry.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99)}}
        with open(STEPS_FILE, "a") as file:
            file.write(json.dumps({"shoppers": STEPS[self.step_index], "total": figures(self.runner.stats.total),
                                   "requests": {name: figures(entry) for (name, _), entry in self.runner.stats.entries.items()}}) + "\n")

    def over_the_limits(self):
        total = self.runner.stats.total
        p99 = total.get_response_time_percentile(0.99) or 0
        if total.num_requests and total.fail_ratio > 0.01:
            self.stop(f"errors: {total.fail_ratio:.1%} of requests failed at {STEPS[self.step_index]} shoppers")
            return True
        if p99 > 1000:
            self.stop(f"p99 {p99:.0f} ms over 1 s at {STEPS[self.step_index]} shoppers")
            return True
        return False

    def stop(self, why):
        self.stopped = True
        with open(STOP_FILE, "w") as file:
            file.write(why)


@events.quitting.add_listener
def close_orders(environment, **_):
    ORDERS.close()
