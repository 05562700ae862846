"""Streams cart.checked_out events for the order-saga benchmark as kcat input lines `key|CloudEvent JSON`,
paced: `checkouts RATE COUNT RUN SKUS` writes COUNT checkouts at RATE per second (0: as fast as
possible), each one line of 1 × 10.00 EUR for a SKU among BENCH-00000 ... paid with tok_visa, priced
by the shop's rules (19% VAT included, 4.90 shipping under 50.00) so the order service accepts it.
Order ids carry RUN so runs never repeat."""
import json, random, sys, time, uuid
from datetime import datetime, timezone

rate, count, run, skus = float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
EUR = lambda cents: {"minorUnits": cents, "currency": "EUR"}
unit, shipping = 1000, 490
total = unit + shipping
vat = (total * 1900 * 2 + 11900) // (2 * 11900)
generator = random.Random(7)
start = time.monotonic()
for index in range(count):
    if rate > 0:
        delay = start + index / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    order = "o-%s-%d" % (run, index)
    sku = "BENCH-%05d" % generator.randrange(skus)
    line = {"productId": "p-" + sku.lower(), "sku": sku, "name": sku, "quantity": 1, "unitPrice": EUR(unit), "lineTotal": EUR(unit)}
    data = {"orderId": order, "cartId": "cart-" + order, "checkoutId": "key-" + order, "userId": "u-bench-%d" % (index % 500),
            "email": "bench%d@example.com" % (index % 500), "lines": [line], "subtotal": EUR(unit), "shippingCost": EUR(shipping),
            "vatIncluded": EUR(vat), "total": EUR(total),
            "shippingAddress": {"name": "Bench", "line1": "1 Loop Road", "city": "Localhost", "postalCode": "12345", "country": "DE"},
            "paymentMethod": "tok_visa", "checkedOutAt": now}
    event = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "bazaar/benchmark", "type": "bazaar.cart.checked_out.v1",
             "subject": order, "time": now, "datacontenttype": "application/json", "data": data}
    sys.stdout.write("%s|%s\n" % (order, json.dumps(event, separators=(",", ":"))))
    sys.stdout.flush()
