"""Draw the benchmark results: ``python -m benchmarks.chart RESULTS.json ... -o chart.png``.

Each JSON file is one run of ``python -m benchmarks --json`` (typically one
per Python version).  The chart has two panels:

- left: minipool's time as a fraction of the standard library's, for each
  timed benchmark and each memory measure, one bar per run (lower is better;
  the dashed line at 1 is the standard library);
- right: microseconds per task against the number of tasks, for the scaling
  grid of the newest Python (log-log), the standard library, minipool and the floor.

Needs matplotlib (``pip install matplotlib``, or the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any, Dict, List, Sequence

from benchmarks.timing import run_name


def by_version(reports: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """*reports* oldest Python first (file names would put 3.9 after 3.13)."""

    # The leading numbers of each version: "3.15.0rc1" sorts as 3.15.0.
    # A free-threaded build ("3.14.7t") after the GIL build of its version.
    def order(report: Dict[str, Any]) -> Any:
        numbers = tuple(int(p) for p in re.findall(r"\d+", report["python"])[:3])
        return numbers, report.get("label", "")

    return sorted(reports, key=order)


def ratios(report: Dict[str, Any]) -> Dict[str, float]:
    """minipool / stdlib for every measurement of one run, by label."""
    result = {}
    for entry in report["timings"]:
        if entry["name"].startswith("diagnostics"):
            continue  # the extras' costs: see extras_costs()
        result[entry["name"]] = entry["median"]["minipool"] / entry["median"]["stdlib"]
    if "memory" in report:
        memory = report["memory"]["bytes"]
        for key, label in (
            ("per_pending_task", "memory per\npending task"),
            ("per_done_future", "memory per\ndone future"),
            ("map_peak", "peak memory\nof map"),
        ):
            result[label] = memory["minipool"][key] / memory["stdlib"][key]
    return result


# (label, benchmark, contender): each is that contender / minipool in that benchmark.
EXTRAS = [
    ("debug mode, as_completed", "diagnostics: as_completed", "minipool_debug"),
    ("trace.record(), as_completed", "diagnostics: as_completed", "minipool_traced"),
    (
        "debug mode, a blocking result() per call",
        "diagnostics: a blocking result() per call",
        "minipool_debug",
    ),
]


def extras_costs(report: Dict[str, Any]) -> Dict[str, float]:
    """What each opt-in extra costs, as its time / minipool's plain time (empty if not run)."""
    entries = {entry["name"]: entry["median"] for entry in report["timings"]}
    return {
        label: entries[name][contender] / entries[name]["minipool"]
        for label, name, contender in EXTRAS
        if name in entries
    }


def draw(reports: List[Dict[str, Any]], output: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no screen needed
    import matplotlib.pyplot as plt

    reports = by_version(reports)  # so that the right panel shows the newest
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [3, 2]}
    )
    labels = list(ratios(reports[0]))
    width = 0.8 / len(reports)
    for index, report in enumerate(reports):
        values = ratios(report)
        positions = [i + index * width for i in range(len(labels))]
        left.bar(
            positions,
            [values.get(label, float("nan")) for label in labels],
            width,
            label=run_name(report),
        )
    left.axhline(1.0, color="black", linestyle="--", linewidth=1)
    left.set_xticks([i + 0.4 - width / 2 for i in range(len(labels))])
    left.set_xticklabels(labels, fontsize=8)
    left.set_ylabel("minipool / standard library (lower is better)")
    left.set_title("minipool against concurrent.futures, %s CPUs" % reports[0]["cpus"])
    left.legend(fontsize=8)

    newest = [report for report in reports if report.get("scaling")][-1]  # with a grid
    grid = newest["scaling"]
    worker_counts = sorted({point["workers"] for point in grid})
    markers = dict(zip(worker_counts, "os^Dv"))
    for contender, color in (
        ("stdlib", "tab:blue"),
        ("minipool", "tab:orange"),
        ("floor", "tab:gray"),
    ):
        for workers in worker_counts:
            points = [p for p in grid if p["workers"] == workers]
            right.plot(
                [p["tasks"] for p in points],
                [p["us_per_task"][contender] for p in points],
                marker=markers[workers],
                color=color,
                linestyle="--" if contender == "floor" else "-",
                label="%s, %d worker%s" % (contender, workers, "" if workers == 1 else "s"),
            )
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("tasks (submit + as_completed of no-op calls)")
    right.set_ylabel("microseconds per task")
    right.set_title("scaling, %s" % run_name(newest))
    right.legend(fontsize=6, ncol=3)
    figure.tight_layout()
    figure.savefig(output, dpi=120)


def draw_cores(reports: List[Dict[str, Any]], output: str) -> None:
    """The chart of ``python -m benchmarks.cores`` runs: the newest GIL build and
    every free-threaded one.  Left, CPU-bound calls' speed-up over a plain loop by
    workers, with the limit (the cores) drawn; middle, a flood's throughput by
    submitting threads; right, the round trip's 99th percentile of latency."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    reports = by_version(reports)
    with_gil = [r for r in reports if r["gil_enabled"]]
    shown = with_gil[-1:] + [r for r in reports if not r["gil_enabled"]]
    colors = dict(zip([run_name(r) for r in shown], ["tab:gray", "tab:orange", "tab:purple"]))
    figure, (cpu, flood, latency) = plt.subplots(1, 3, figsize=(16, 5))
    workers = [1, 2, 4]
    cores = max(r["usable_cpus"] or r["cpus"] for r in shown)
    cpu.plot(workers, [min(w, cores) for w in workers], color="black", linestyle=":",
             label="the limit: %d cores" % cores)  # fmt: skip
    cpu.axhline(1.0, color="black", linewidth=0.8)
    submitters = [1, 2, 4, 8]
    for report in shown:
        name, color = run_name(report), colors[run_name(report)]
        for pool, style in (("minipool", "-"), ("stdlib", "--")):
            speedups = [report["cpu"]["speedup"][pool][str(w)] for w in workers]
            cpu.plot(
                workers, speedups, style, marker="o", color=color, label="%s, %s" % (pool, name)
            )
            rows = {(r["mode"], r["submitters"]): r for r in report["submitters"]
                    if r["pool"] == pool and r["call"] == "no-op"}  # fmt: skip
            flood.plot(submitters, [rows["flood", n]["throughput"] for n in submitters], style,
                       marker="o", color=color, label="%s, %s" % (pool, name))  # fmt: skip
            latency.plot(submitters, [rows["each waits", n]["p99"] * 1e6 for n in submitters],
                         style, marker="o", color=color, label="%s, %s" % (pool, name))  # fmt: skip
    cpu.set_xticks(workers)
    cpu.set_xlabel("workers")
    cpu.set_ylabel("speed-up over a plain loop (higher is better)")
    cpu.set_title("CPU-bound calls of ~1 ms")
    cpu.legend(fontsize=7)
    flood.set_yscale("log")
    flood.set_xticks(submitters)
    flood.set_xlabel("threads submitting at once")
    flood.set_ylabel("no-op calls per second (higher is better)")
    flood.set_title("a flood of submits into one pool")
    flood.legend(fontsize=7)
    latency.set_xticks(submitters)
    latency.set_xlabel("threads submitting, each waiting for its call")
    latency.set_ylabel("99th percentile of latency, us (lower is better)")
    latency.set_title("the round trip of a no-op call")
    latency.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(output, dpi=110)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.chart",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("results", nargs="+", help="JSON files written by python -m benchmarks")
    parser.add_argument("-o", "--output", default="benchmarks.png", help="the image to write")
    arguments = parser.parse_args(argv)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        parser.error("matplotlib is needed: pip install matplotlib")
    reports = []
    for path in arguments.results:
        with open(path) as results:
            reports.append(json.load(results))
    reports = by_version(reports)
    draw(reports, arguments.output)
    print("wrote", arguments.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
