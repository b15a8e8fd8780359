"""Tables of benchmark results, for the docs: ``python -m benchmarks.table RESULTS.json ...``.

Prints reStructuredText: the targets of each run (one column per Python
version), then minipool's time and memory as a fraction of the standard
library's.  ``docs/conf.py`` calls :func:`rst_tables` on the committed
results in ``benchmarks/results/`` at every docs build.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Dict, List, Sequence

from benchmarks.chart import EXTRAS, by_version, extras_costs, ratios
from benchmarks.timing import run_name


def _list_table(title: str, header: List[str], rows: List[List[str]]) -> str:
    lines = [".. list-table:: %s" % title, "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines.append("   * - " + row[0])
        lines.extend("     - " + cell for cell in row[1:])
    return "\n".join(lines) + "\n"


def rst_tables(reports: List[Dict[str, Any]]) -> str:
    reports = by_version(reports)
    versions = [run_name(r) for r in reports]
    first = reports[0]

    # Targets: each run's measured ratio, with the limit.
    target_names = [t["target"] for t in first.get("targets", [])]
    target_rows = []
    for name in target_names:
        row = [name, "<= %.2f" % next(t["limit"] for t in first["targets"] if t["target"] == name)]
        for report in reports:
            found = [t for t in report.get("targets", []) if t["target"] == name]
            row.append(
                "%.3f %s" % (found[0]["measured"], "" if found[0]["met"] else "(missed)")
                if found
                else "-"
            )
        target_rows.append([cell.strip() for cell in row])

    # minipool / stdlib for everything measured.
    ratio_rows = []
    for label in ratios(first):
        row = [label.replace("\n", " ")]
        for report in reports:
            value = ratios(report).get(label)
            row.append("%.3f" % value if value is not None else "-")
        ratio_rows.append(row)

    # The opt-in extras, against minipool without them.
    extras_rows = []
    for label, _name, _contender in EXTRAS:
        row = [label]
        for report in reports:
            value = extras_costs(report).get(label)
            row.append("%.2f" % value if value is not None else "-")
        extras_rows.append(row)

    sizes = "%d CPUs; pools of %d workers; medians of %d rounds" % (
        first["cpus"],
        first["default_workers"],
        first["repeats"],
    )
    return "\n".join(
        [
            _list_table("The targets (%s)" % sizes, ["target", "limit", *versions], target_rows),
            _list_table(
                "minipool / standard library (time or bytes; lower is better)",
                ["measure", *versions],
                ratio_rows,
            ),
            _list_table(
                "What minipool's opt-in extras cost (time / minipool's without them)",
                ["extra", *versions],
                extras_rows,
            ),
        ]
    )


def extension_tables(reports: List[Dict[str, Any]]) -> str:
    """Tables of ``python -m benchmarks --only extensions`` runs (peak memory, MB)."""
    reports = by_version(reports)
    versions = [run_name(r) for r in reports]
    first = reports[0]["extensions"]
    largest = max(first["map_peak_bytes"]["stdlib map"], key=int)
    map_rows = []
    for label, peaks in first["map_peak_bytes"].items():
        for count in sorted(peaks, key=int):
            cells = ["%s, %s inputs" % (label, "{:,}".format(int(count)))]
            for report in reports:
                value = report["extensions"]["map_peak_bytes"].get(label, {}).get(count)
                cells.append("%.2f" % (value / 1e6) if value is not None else "-")
            map_rows.append(cells)
    producer_rows = []
    for label in first["producer_peak_bytes"]:
        cells = [label]
        for report in reports:
            value = report["extensions"]["producer_peak_bytes"].get(label)
            cells.append("%.2f" % (value / 1e6) if value is not None else "-")
        producer_rows.append(cells)
    return "\n".join(
        [
            _list_table(
                "Peak memory of map() in MB, by inputs (up to %s)" % "{:,}".format(int(largest)),
                ["map", *versions],
                map_rows,
            ),
            _list_table(
                "Peak memory in MB of one thread submitting %s simulated I/O calls"
                % "{:,}".format(first["producer_calls"]),
                ["pool", *versions],
                producer_rows,
            ),
        ]
    )


def files_table(reports: List[Dict[str, Any]]) -> str:
    """The seed notes' file job: seconds (medians) of each contender, per run."""
    reports = by_version(reports)
    runs = [(r, next(t for t in r["timings"] if t["name"] == "files")) for r in reports]
    first = runs[0][1]
    contenders = [
        ("loop", "a plain loop"),
        ("raw_threads", "two raw threads"),
        ("stdlib", "concurrent.futures, %d workers" % first.get("workers", 0)),
        ("minipool", "minipool, %d workers" % first.get("workers", 0)),
    ]
    rows = []
    for key, label in contenders:
        cells = [label]
        for _report, files in runs:
            median = files["median"][key]
            cells.append("%.2f s (%.1f\u00d7)" % (median, median / files["median"]["loop"]))
        rows.append(cells)
    return _list_table(
        "Writing %s small files (median seconds, and times the loop)"
        % "{:,}".format(first["size"]),
        ["contender", *[run_name(r) for r, _files in runs]],
        rows,
    )


def cores_tables(reports: List[Dict[str, Any]]) -> str:
    """Tables of ``python -m benchmarks.cores`` runs, one column per interpreter."""
    reports = by_version(reports)
    names = [run_name(r) for r in reports]
    kinds = ["GIL off" if not r["gil_enabled"] else "GIL" for r in reports]
    header = ["measure", *["%s (%s)" % (n, k) for n, k in zip(names, kinds)]]

    cpu_rows = [["one call, ms", *["%.2f" % (r["cpu"]["call_seconds"] * 1e3) for r in reports]]]
    for workers in ("1", "2", "4"):
        for pool in ("stdlib", "minipool"):
            speedups = [r["cpu"]["speedup"][pool][workers] for r in reports]
            plural = "" if workers == "1" else "s"
            cpu_rows.append(
                ["%s, %s worker%s" % (pool, workers, plural), *["%.2f\u00d7" % x for x in speedups]]
            )
    limits = [1 if r["gil_enabled"] else r["usable_cpus"] or r["cpus"] for r in reports]
    cpu_rows.append(["the limit (cores, or 1 with the GIL)", *["%d" % n for n in limits]])

    def rows_of(mode: str, measure: str, scale: float, unit: str) -> List[List[str]]:
        rows = []
        for call in ("no-op", "20 us"):
            for submitters in (1, 2, 4, 8):
                plural = "" if submitters == 1 else "s"
                cells = ["%s calls, %d submitter%s" % (call, submitters, plural)]
                for report in reports:
                    found = {
                        r["pool"]: r[measure]
                        for r in report["submitters"]
                        if (r["mode"], r["call"], r["submitters"]) == (mode, call, submitters)
                    }
                    ours, theirs = found["minipool"], found["stdlib"]
                    shown = (_short(ours * scale), _short(theirs * scale), unit, ours / theirs)
                    cells.append("%s / %s%s = %.2f" % shown)
                rows.append(cells)
        return rows

    extras = list(reports[0]["extras"]["cost"])
    extras_rows = [
        [name, *["%.2f" % r["extras"]["cost"][name] for r in reports]]
        for name in extras
        if name != "minipool"
    ]
    target_names = [t["target"] for r in reports for t in r["targets"]]
    target_rows = []
    for name in dict.fromkeys(target_names):
        cells = [name]
        for report in reports:
            found = [t for t in report["targets"] if t["target"] == name]
            cells.append(
                "-"
                if not found
                else "%.2f (%s %.2f%s)"
                % (
                    found[0]["measured"],
                    "\u2265" if found[0]["at_least"] else "\u2264",
                    found[0]["limit"],
                    "" if found[0]["met"] else ", missed",
                )
            )
        target_rows.append(cells)
    latency = rows_of("each waits", "p99", 1e6, " us")
    return "\n".join(
        [
            _list_table("The targets of each run", ["target", *names], target_rows),
            _list_table(
                "CPU-bound calls (%d of them): speed-up over a plain loop"
                % reports[0]["cpu"]["calls"],
                header,
                cpu_rows,
            ),
            _list_table(
                "A flood: threads submit at once into one default pool; calls per second,"
                " minipool / standard library",
                header,
                rows_of("flood", "throughput", 1, ""),
            ),
            _list_table(
                "Each submitting thread waits for its call: 99th percentile of latency,"
                " minipool / standard library",
                header,
                latency,
            ),
            _list_table(
                "What each opt-in extra costs on the as_completed job (time / a plain"
                " minipool pool's)",
                ["extra", *names],
                extras_rows,
            ),
        ]
    )


def _short(value: float) -> str:
    """12,345 as 12.3k; 1,234,567 as 1.23M; small numbers as they are."""
    if value >= 1e6:
        return "%.2fM" % (value / 1e6)
    if value >= 1e4:
        return "%.0fk" % (value / 1e3)
    if value >= 1e3:
        return "%.1fk" % (value / 1e3)
    return "%.0f" % value


def main(argv: Sequence[str] | None = None) -> int:
    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths:
        print("usage: python -m benchmarks.table RESULTS.json ...", file=sys.stderr)
        return 2
    reports = []
    for path in paths:
        with open(path) as results:
            reports.append(json.load(results))
    timed = [report for report in reports if report.get("timings")]
    extended = [report for report in reports if "extensions" in report]
    if timed:
        print(rst_tables(timed))
    if extended:
        print(extension_tables(extended))
    return 0


if __name__ == "__main__":
    sys.exit(main())
