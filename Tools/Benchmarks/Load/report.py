"""Draws the load suite's results (results.json in the given folder) as index.html with plots:
latency and throughput over time under the ramp of shoppers, and every process's CPU.

    .venv-load/bin/python Tools/Benchmarks/Load/report.py .build/load-report"""

import html
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot_latency(timeline, path):
    # A step's first second has no figures yet (each step's statistics start afresh).
    timeline = [row for row in timeline if row["p50"]]
    figure, axis = plt.subplots(figsize=(9, 4))
    times = [row["t"] for row in timeline]
    for key, style in (("p50", "-"), ("p95", "--"), ("p99", ":")):
        axis.plot(times, [row[key] for row in timeline], style, label=key)
    axis.set_xlabel("seconds")
    axis.set_ylabel("response time (ms), last 10 s")
    axis.set_yscale("log")
    shoppers = axis.twinx()
    shoppers.step(times, [row["users"] for row in timeline], where="post", color="grey", alpha=0.4, label="shoppers")
    shoppers.set_ylabel("shoppers")
    axis.legend(loc="upper left")
    axis.set_title("Latency of the mix while shoppers ramp up")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def plot_throughput(timeline, path):
    figure, axis = plt.subplots(figsize=(9, 4))
    times = [row["t"] for row in timeline]
    axis.plot(times, [row["rps"] for row in timeline], label="requests/s")
    axis.plot(times, [row["failures"] for row in timeline], label="failures/s", color="red")
    axis.set_xlabel("seconds")
    axis.set_ylabel("per second")
    shoppers = axis.twinx()
    shoppers.step(times, [row["users"] for row in timeline], where="post", color="grey", alpha=0.4)
    shoppers.set_ylabel("shoppers")
    axis.legend(loc="upper left")
    axis.set_title("Throughput of the mix")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def plot_cpu(samples, path):
    figure, axis = plt.subplots(figsize=(9, 4.5))
    names = sorted({name for _, usage in samples for name in usage}, key=lambda name: -max(u.get(name, 0) for _, u in samples))
    times = [t for t, _ in samples]
    for name in names[:10]:
        axis.plot(times, [usage.get(name, 0) for _, usage in samples], label=name)
    axis.set_xlabel("seconds")
    axis.set_ylabel("% of one core")
    axis.legend(loc="upper left", fontsize="small", ncol=2)
    axis.set_title("CPU of each process (with its children: Postgres backends, nginx workers)")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def table(headers, rows):
    head = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def main():
    folder = sys.argv[1]
    with open(os.path.join(folder, "results.json")) as file:
        results = json.load(file)
    mix = results["mix"]
    plot_latency(mix["timeline"], os.path.join(folder, "latency.png"))
    plot_throughput(mix["timeline"], os.path.join(folder, "throughput.png"))
    plot_cpu(mix["cpu"], os.path.join(folder, "cpu.png"))
    average_cpu = {}
    for _, usage in mix["cpu"]:
        for name, percent in usage.items():
            average_cpu.setdefault(name, []).append(percent)
    cpu_rows = sorted(((name, round(sum(values) / len(values), 1), max(values)) for name, values in average_cpu.items()),
                      key=lambda row: -row[1])
    saga = results["saga"]
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bazaar load report</title>
<style>body{{font:15px system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;margin:1rem 0}}td,th{{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}}
th{{background:#f3f3f3}}img{{max-width:100%}}</style></head><body>
<h1>Bazaar load report</h1>
<p>{html.escape(results['date'])}, {html.escape(results['machine'])}, {html.escape(results['build'])} build;
beside it: {html.escape(results['beside'])}.</p>
<h2>The product list, the seed platform's profile (ab)</h2>
{table(["requests", "concurrency", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "failed"],
       [[run["requests"], run["concurrency"], round(run["rps"]), run["p50"], run["p95"], run["p99"], run["max"], run["failed"]]
        for run in results["ab"]])}
<p>Targets: the seed platform p95 &lt; 500 ms; ours p95 &le; 50 ms.</p>
<h2>The mix (locust): browse 10 : view cart 3 : add 2 : checkout 1</h2>
<p>Stopped: {html.escape(mix['stoppedBecause'])}.</p>
{table(["shoppers", "req/s", "p50 ms", "p95 ms", "p99 ms", "failed", "requests"],
       [[step["shoppers"], step["total"]["rps"], step["total"]["p50"], step["total"]["p95"], step["total"]["p99"],
         step["total"]["failures"], step["total"]["requests"]] for step in mix["steps"]])}
<img src="latency.png" alt="latency over time"><img src="throughput.png" alt="throughput over time">
<h3>Per request, at the last step</h3>
{table(["request", "req/s", "p50 ms", "p95 ms", "p99 ms", "failed"],
       [[name, figures["rps"], figures["p50"], figures["p95"], figures["p99"], figures["failures"]]
        for name, figures in sorted(mix["steps"][-1]["requests"].items())] if mix["steps"] else [])}
<h2>Order placed &rarr; confirmed</h2>
<p>The {saga['orders']} orders the mix placed ({html.escape(json.dumps(saga['outcomes']))}):
p50 {saga['p50']} ms, p95 {saga['p95']} ms, p99 {saga['p99']} ms, max {saga['max']} ms (broker timestamps of each order's
order.placed and order.confirmed events).</p>
<h2>CPU</h2>
<img src="cpu.png" alt="CPU per process">
{table(["process", "average % of a core", "peak %"], cpu_rows)}
</body></html>"""
    with open(os.path.join(folder, "index.html"), "w") as file:
        file.write(page)


if __name__ == "__main__":
    main()
