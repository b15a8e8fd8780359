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
