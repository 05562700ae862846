"""Writes order.payment_requested events for the payments benchmark as kcat input lines `key|CloudEvent JSON`.

requests M RUN DECLINED   M requests of 29.90 EUR; every DECLINED-th pays with tok_chargeDeclined (0: none),
                          the others with tok_visa; order ids carry RUN so runs never repeat
"""
import json, sys, uuid
from datetime import datetime, timedelta, timezone

now = datetime.now(timezone.utc)
NOW = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
PAY_BY = (now + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S.000Z")

count, run, declined = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
for index in range(count):
    order = "o-%s-%d" % (run, index)
    method = "tok_chargeDeclined" if declined and index % declined == 0 else "tok_visa"
    data = {"orderId": order, "userId": "u-bench-%d" % (index % 100), "amount": {"minorUnits": 2990, "currency": "EUR"},
            "paymentMethod": method, "payBy": PAY_BY, "requestedAt": NOW}
    event = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "bazaar/benchmark", "type": "bazaar.order.payment_requested.v1",
             "subject": order, "time": NOW, "datacontenttype": "application/json", "data": data}
    print("%s|%s" % (order, json.dumps(event, separators=(",", ":"))))
