"""Reads kcat lines `key<TAB>timestamp-ms<TAB>CloudEvent JSON` of the orders topic and prints
"confirmed p50-ms p99-ms max-ms rate/s cancelled": placed → confirmed per order from the broker
timestamps of its order.placed and order.confirmed, and the confirmed orders per second between
the first placed and the last confirmed."""
import json, sys

placed, confirmed, cancelled = {}, {}, 0
for line in open(sys.argv[1]):
    parts = line.rstrip("\n").split("\t", 2)
    if len(parts) < 3:
        continue
    key, stamp, body = parts[0], int(parts[1]), parts[2]
    kind = json.loads(body).get("type", "")
    if kind == "bazaar.order.placed.v1":
        placed[key] = stamp
    elif kind == "bazaar.order.confirmed.v1":
        confirmed[key] = stamp
    elif kind == "bazaar.order.cancelled.v1":
        cancelled += 1
latencies = sorted(confirmed[key] - placed[key] for key in confirmed if key in placed)
if not latencies:
    print("0 - - - 0 %d" % cancelled)
    sys.exit(0)
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
span = (max(confirmed.values()) - min(placed.values())) / 1000
print("%d %d %d %d %d %d" % (len(latencies), pick(0.5), pick(0.99), latencies[-1], round(len(latencies) / span), cancelled))
