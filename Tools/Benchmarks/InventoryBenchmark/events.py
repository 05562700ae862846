"""Writes events for the reservations benchmark as kcat input lines `key|CloudEvent JSON`.

products N          product.created for SKUs BENCH-00000 ... (the catalog topic)
orders M N SPREAD RUN   order.placed, one line of quantity 1 each: all for BENCH-00000 (SPREAD 0)
                    or a SKU drawn from the N (SPREAD 1); order ids carry RUN so runs never repeat
"""
import json, random, sys, uuid
from datetime import datetime, timezone

NOW = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
EUR = lambda cents: {"minorUnits": cents, "currency": "EUR"}


def envelope(kind, subject, data):
    event_id = str(uuid.uuid4())
    return json.dumps({"specversion": "1.0", "id": event_id, "source": "bazaar/benchmark", "type": kind, "subject": subject,
                       "time": NOW, "datacontenttype": "application/json", "data": data}, separators=(",", ":"))


def sku(index):
    return "BENCH-%05d" % index


if sys.argv[1] == "products":
    for index in range(int(sys.argv[2])):
        product = {"productId": "p-bench-%d" % index, "sku": sku(index), "slug": "bench-%d" % index, "name": "Benchmark item %d" % index,
                   "brandId": None, "categoryIds": [], "price": EUR(100), "compareAtPrice": None, "active": True, "version": 1}
        print("p-bench-%d|%s" % (index, envelope("bazaar.product.created.v1", product["productId"], {"product": product, "occurredAt": NOW})))
else:
    count, skus, spread, run = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
    generator = random.Random(42)
    for index in range(count):
        order = "o-%s-%d" % (run, index)
        chosen = sku(generator.randrange(skus)) if spread else sku(0)
        line = {"productId": "p-" + chosen.lower(), "sku": chosen, "name": chosen, "quantity": 1, "unitPrice": EUR(100), "lineTotal": EUR(100)}
        data = {"orderId": order, "userId": "u-bench", "email": "bench@example.com", "lines": [line], "subtotal": EUR(100),
                "shippingCost": EUR(0), "total": EUR(100),
                "shippingAddress": {"name": "Bench", "line1": "1 Loop Road", "city": "Localhost", "postalCode": "12345", "country": "DE"},
                "placedAt": NOW}
        print("%s|%s" % (order, envelope("bazaar.order.placed.v1", order, data)))
