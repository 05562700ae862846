"""The pymongo side of BazaarMongoBenchmark: the same operations on the same server.

Inserts `--samples` product-like documents one at a time, then finds `--samples` of them by
`_id` in random order, timing each call; prints one JSON object with the latencies in
milliseconds (p50, p99, mean) per operation. The Swift benchmark runs this with the project's
`.venv/bin/python` and prints both sides together.
"""

import argparse
import datetime
import json
import random
import statistics
import time

import pymongo


def product(number):
    return {
        "_id": f"product-{number}",
        "sku": f"SKU-{number}",
        "name": f"Product {number}",
        "price": {"minorUnits": 1999 + number, "currency": "EUR"},
        "images": [{"url": f"https://cdn.example.com/{number}.jpg", "width": 800, "height": 600}],
        "attributes": {"colour": "red", "size": "M"},
        "tags": ["new"],
        "stock": 10,
        "rating": 4.5,
        "isActive": True,
        "createdAt": datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc),
    }


def summary(latencies):
    ordered = sorted(latencies)
    def percentile(fraction):
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
    return {"p50": percentile(0.50), "p99": percentile(0.99), "mean": statistics.fmean(ordered), "samples": len(ordered)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    arguments = parser.parse_args()

    client = pymongo.MongoClient(arguments.url)
    collection = client[arguments.database]["products"]
    collection.drop()
    try:
        for number in range(arguments.warmup):
            collection.insert_one(product(-1 - number))
            collection.find_one({"_id": f"product-{-1 - number}"})

        inserts = []
        for number in range(arguments.samples):
            document = product(number)
            start = time.perf_counter()
            collection.insert_one(document)
            inserts.append((time.perf_counter() - start) * 1000)

        order = list(range(arguments.samples))
        random.shuffle(order)
        finds = []
        for number in order:
            start = time.perf_counter()
            found = collection.find_one({"_id": f"product-{number}"})
            finds.append((time.perf_counter() - start) * 1000)
            assert found is not None
        print(json.dumps({"findById": summary(finds), "insert": summary(inserts)}))
    finally:
        client.drop_database(arguments.database)
        client.close()


if __name__ == "__main__":
    main()
