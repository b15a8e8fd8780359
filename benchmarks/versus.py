"""minipool now against minipool at an earlier commit: did a change cost speed?

    python -m benchmarks.versus 9b8efb7            # the working tree vs that commit
    python -m benchmarks.versus 9b8efb7 --rounds 9 --tasks 100000
    python -m benchmarks.versus /path/to/a/checkout   # its src/, e.g. an experiment

The two versions cannot be imported into one process (both are "minipool"),
so each round starts one child process per version, in alternating order.
Each child times the standard library's pool and its minipool on the same
jobs (submit + as_completed, and map, of no-op calls), interleaved, and
reports minipool / stdlib.  The ratio cancels most of the machine's drift
between children; the medians over the rounds are compared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Dict, List, Sequence

ROOT = Path(__file__).resolve().parent.parent

# What a child runs: PYTHONPATH puts one version's src/ first, and the
# repository root (for the benchmarks package) after it.
CHILD = """
import concurrent.futures, json, sys
import minipool
from benchmarks import contenders
from benchmarks.timing import interleave, timed

tasks, repeats = int(sys.argv[1]), int(sys.argv[2])
calls = [()] * tasks
inputs = range(tasks)
runs = {}
for name, module in (("stdlib", concurrent.futures), ("minipool", minipool)):
    runs[name + " as_completed"] = (lambda m: lambda: timed(
        lambda: contenders.pool_as_completed(m, contenders.noop, calls, None)))(module)
    runs[name + " map"] = (lambda m: lambda: timed(
        lambda: contenders.pool_map(m, contenders.identity, inputs, None)))(module)
times = interleave(runs, repeats)
print(json.dumps({"file": minipool.__file__, "times": times}))
"""


def export(revision: str, into: Path) -> Path:
    """The src/ directory of *revision*, extracted under *into*."""
    archive = into / "source.tar"
    subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), revision, "src"],
        check=True,
    )
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):  # 3.12, and the security releases before it
            tar.extractall(into / "checkout", filter="data")
        else:
            tar.extractall(into / "checkout")
    return into / "checkout" / "src"


def run_child(source: Path, tasks: int, repeats: int) -> Dict[str, List[float]]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(source), str(ROOT)]))
    env.pop("MINIPOOL_DEBUG", None)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tasks), str(repeats)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(child.stdout)
    assert Path(report["file"]).resolve().is_relative_to(source.resolve()), report["file"]
    times: Dict[str, List[float]] = report["times"]
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.versus", description=__doc__)
    parser.add_argument(
        "revision",
        help="the git commit (or a checkout's directory) to compare the working tree with",
    )
    parser.add_argument("--rounds", type=int, default=7, help="child processes per version (7)")
    parser.add_argument("--tasks", type=int, default=100_000, help="no-op calls per job (10**5)")
    parser.add_argument("--repeats", type=int, default=3, help="timings per job in a child (3)")
    arguments = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        other = Path(arguments.revision)
        versions = {
            "now": ROOT / "src",
            arguments.revision: (
                other / "src" if other.is_dir() else export(arguments.revision, Path(scratch))
            ),
        }
        ratios: Dict[str, Dict[str, List[float]]] = {v: {} for v in versions}
        for round_number in range(arguments.rounds):
            order = list(versions) if round_number % 2 == 0 else list(reversed(versions))
            for version in order:
                times = run_child(versions[version], arguments.tasks, arguments.repeats)
                for job in ("as_completed", "map"):
                    ratio = statistics.median(times["minipool " + job]) / statistics.median(
                        times["stdlib " + job]
                    )
                    ratios[version].setdefault(job, []).append(ratio)

    print(
        "Python %s, %s CPUs, %d no-op calls per job, %d rounds: median of minipool / stdlib"
        % (sys.version.split()[0], os.cpu_count(), arguments.tasks, arguments.rounds)
    )
    then_label = Path(arguments.revision).name[-12:]  # a commit, or a checkout's last name
    print("  %-14s %12s %12s %10s" % ("job", "now", then_label, "now / then"))
    for job in ("as_completed", "map"):
        now = statistics.median(ratios["now"][job])
        then = statistics.median(ratios[arguments.revision][job])
        print("  %-14s %12.3f %12.3f %10.3f" % (job, now, then, now / then))
    return 0


if __name__ == "__main__":
    sys.exit(main())
