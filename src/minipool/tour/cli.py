"""``python -m minipool.tour``: run the steps side by side and summarise (issue 6, in progress)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from types import ModuleType
from typing import Any, Dict, List, Sequence

from minipool.tour.engine import StepReport, TourError, load_implementation, run_step
from minipool.tour.steps import STEPS
from minipool.tour.text import LANGUAGES, translate

REFERENCE = "concurrent.futures"


def parse_arguments(argv: Sequence[str] | None, prog: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="The seed notes' thread-pool experiments, on the standard library and "
        "on minipool (or --impl MODULE), side by side.",
    )
    parser.add_argument(
        "--step",
        action="append",
        choices=[step.name for step in STEPS],
        help="run only this step (repeatable); steps: " + ", ".join(s.name for s in STEPS),
    )
    parser.add_argument(
        "--impl",
        action="append",
        metavar="MODULE",
        help="the implementation(s) to compare with concurrent.futures (default: minipool)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="short waits and 1,000 files (about 10 s)"
    )
    parser.add_argument(
        "--unit", type=float, help="seconds one simulated I/O call waits (0.1; --quick 0.03)"
    )
    parser.add_argument(
        "--files", type=int, help="files the file benchmark writes (20000; --quick 1000)"
    )
    parser.add_argument(
        "--directory", help="where the file benchmark makes its temporary directory (TMPDIR)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument(
        "--trace",
        metavar="DIR",
        help="record minipool's file benchmark with minipool.trace; write its trace "
        "events (Perfetto) and a Gantt chart (with matplotlib) into DIR",
    )
    parser.add_argument(
        "--lang", choices=LANGUAGES, default="en", help="the narration's language (en, ko)"
    )
    arguments = parser.parse_args(argv)
    if arguments.unit is None:
        arguments.unit = 0.03 if arguments.quick else 0.1
    if arguments.files is None:
        arguments.files = 1000 if arguments.quick else 20000
    if arguments.unit <= 0:
        parser.error("--unit must be greater than 0")
    if arguments.files <= 0:
        parser.error("--files must be greater than 0")
    if arguments.directory is not None and not (
        os.path.isdir(arguments.directory) and os.access(arguments.directory, os.W_OK)
    ):
        parser.error("--directory %s is not a writable directory" % arguments.directory)
    return arguments


def _seconds(observation: Any) -> float:
    """The time a step is judged by: the pool's own time if the step measured one."""
    return float(observation.timings.get("pool", observation.seconds))


def _short(text: str, width: int) -> str:
    """*text*, cut from the left to *width* characters."""
    return text if len(text) <= width else "…" + text[-(width - 1) :]


def _ratio(report: StepReport, name: str) -> float:
    """*name*'s time over the standard library's for one step.

    Where the step also timed a plain loop next to the pool (the file
    benchmark), each pool is first divided by its own loop: disk speed drifts
    a lot between the two implementations' runs, the loop run just before
    each pool shares that drift.
    """
    ours, reference = report.observations[name], report.observations[REFERENCE]
    if "loop" in ours.timings and "loop" in reference.timings:
        return (_seconds(ours) / ours.timings["loop"]) / (
            _seconds(reference) / reference.timings["loop"]
        )
    return _seconds(ours) / _seconds(reference) if _seconds(reference) > 0 else float("nan")


def print_summary(reports: List[StepReport], names: List[str], lang: str) -> None:
    """The closing table: per step, each implementation's time and verdict, and the ratio."""
    others = names[1:]
    header = "%-20s" % translate("step", lang) + "".join(" %19s" % _short(n, 19) for n in names)
    header += "".join(" %17s" % _short("%s/stdlib" % n, 17) for n in others)
    print("\n" + header)
    for report in reports:
        cells = []
        for name in names:
            seconds = _seconds(report.observations[name])
            verdict = ""
            if name != REFERENCE:
                same = report.same_as_reference(name)
                verdict = " " + translate("same" if same else "DIVERGED", lang)
            cells.append(" %19s" % ("%.2f s%s" % (seconds, verdict)))
        for name in others:
            cells.append(" %16.2fx" % _ratio(report, name))
        print("%-20s" % report.step + "".join(cells))


def main(argv: Sequence[str] | None = None, prog: str = "python -m minipool.tour") -> int:
    try:
        return run(parse_arguments(argv, prog), prog)
    except BrokenPipeError:
        # The reader went away (as in "python -m minipool | head"): stop
        # quietly.  Point stdout at devnull so the flush at exit cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        # Each step cleans up in its own finally blocks (pools shut down,
        # temporary files removed) before the interrupt gets here.
        print("\ninterrupted", file=sys.stderr)
        return 130


def run(arguments: argparse.Namespace, prog: str) -> int:
    try:
        implementations: Dict[str, ModuleType] = {REFERENCE: load_implementation(REFERENCE)}
        for name in arguments.impl or ["minipool"]:
            if name != REFERENCE:
                implementations[name] = load_implementation(name)
    except TourError as error:
        print("%s: error: %s" % (prog, error), file=sys.stderr)
        return 2

    reports: List[StepReport] = []
    lang = arguments.lang
    for step in STEPS:
        if arguments.step and step.name not in arguments.step:
            continue
        print("\n== %s" % step.name, flush=True)
        report = run_step(step, implementations, arguments)
        reports.append(report)
        shown = list(implementations)[-1]  # narrate the implementation under test
        for line in report.observations[shown].narration:
            print("   " + line)
        timed = [(n, o.timings) for n, o in report.observations.items() if o.timings]
        if timed:  # the file benchmark: every implementation's pool next to its loop
            print(
                "   "
                + "; ".join(
                    "%s: loop %.2f s, pool %.2f s" % (n, t["loop"], t["pool"]) for n, t in timed
                )
            )
        for name in list(implementations)[1:]:
            same = report.same_as_reference(name)
            verdict = "same behaviour as concurrent.futures" if same else "DIVERGED"
            print("   %s: %s" % (name, translate(verdict, lang)))
            for difference in report.differences(name):
                print("      " + difference)
    print_summary(reports, list(implementations), lang)

    if arguments.json:
        with open(arguments.json, "w") as output:
            json.dump(
                [
                    {
                        "step": report.step,
                        "implementations": {
                            name: {
                                "seconds": observation.seconds,
                                "same": report.same_as_reference(name),
                                "behaviour": repr(observation.behaviour),
                            }
                            for name, observation in report.observations.items()
                        },
                    }
                    for report in reports
                ],
                output,
                indent=2,
            )
    diverged = any(
        not report.same_as_reference(name) for report in reports for name in implementations
    )
    return 1 if diverged else 0
