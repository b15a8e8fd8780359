"""The equivalence suite must catch every deliberately wrong implementation, and answer fast.

Each module in tests/equivalence/mutants/ is the standard library with one
behaviour changed.  The suite runs against each one in a child process, with
the command a user would type::

    python -m pytest tests/equivalence --impl=equivalence.mutants.NAME -x

and must report a divergence (a failure of another kind, a harness error or
a crash, does not count) within HUNT_BUDGET seconds, shrunk to a short
scenario.  The table printed at the end gives, for each mutant: caught or
not, the seconds to the report, the length of the reported scenario ("-"
for the fixed scenarios of test_deadlocks.py), and the test that caught it.
Each hunt gets an empty example database, as a new user has.

It also runs the suite against concurrent.futures itself, which must pass.

This runs when MINIPOOL_MUTANTS is set, as it takes many minutes:

* ``MINIPOOL_MUTANTS=plain`` (``python -m nox -s mutants``): the plain
  command above, one mutant at a time, with its 2-minute budget: about
  20 minutes in all.
* ``MINIPOOL_MUTANTS=quick`` (``python -m nox -s mutants_quick``, part of the
  default nox run): ``--catch-only`` (no shrinking) with a short bound; it
  checks that each mutant is caught at all, in a few minutes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
MUTANTS = sorted(
    p.stem for p in (TESTS / "equivalence" / "mutants").glob("*.py") if not p.stem.startswith("_")
)
MODE = os.environ.get("MINIPOOL_MUTANTS", "")
HUNT_BUDGET = 120.0  # seconds to the report, with the plain command

pytestmark = pytest.mark.skipif(
    MODE not in ("plain", "quick", "1"),
    reason="takes minutes: run with MINIPOOL_MUTANTS=plain or quick "
    "(python -m nox -s mutants, or -s mutants_quick)",
)


@dataclass
class Hunt:
    mutant: str
    exit_status: int
    seconds: float
    scenarios: int  # generated scenarios, shrinking's replays included
    steps: int  # the length of the reported scenario (0: none reported)
    failed_test: str
    diverged: bool  # the failure is a reported divergence, not some other error
    output_tail: str  # what the hunt printed last: why a miss was one

    @property
    def caught(self) -> bool:
        return self.exit_status == 1 and self.diverged


def hunt(mutant: str, quick: bool) -> Hunt:
    """Run the equivalence suite against *mutant* until it fails."""
    options = ["--catch-only", "--scenarios=1000", "--equivalence-bound=0.5"] if quick else []
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(TESTS / "equivalence"),
        f"--impl=equivalence.mutants.{mutant}",
        *options,
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    with tempfile.TemporaryDirectory() as database:
        env = {**os.environ, "HYPOTHESIS_STORAGE_DIRECTORY": database}
        start = time.perf_counter()
        run = subprocess.run(
            command, capture_output=True, text=True, timeout=900, cwd=TESTS.parent, env=env
        )
        seconds = time.perf_counter() - start
    output = run.stdout + run.stderr
    scenarios = re.search(r"equivalence: (\d+) generated scenarios", output)
    failed = re.search(r"^FAILED \S+::(\S+)", output, re.MULTILINE)
    # The report that pytest shows last is the shrunk one.  A divergence in a
    # fixed scenario (the seed's deadlocks) has no step count.
    steps = re.findall(r"diverged from concurrent\.futures at step (\d+)", output)
    return Hunt(
        mutant=mutant,
        exit_status=run.returncode,
        seconds=seconds,
        scenarios=int(scenarios.group(1)) if scenarios else 0,
        steps=int(steps[-1]) if steps else 0,
        failed_test=failed.group(1) if failed else output[-2000:],
        diverged="diverged from concurrent.futures" in output,
        output_tail=output[-1500:],
    )


@pytest.mark.timeout(3600)
def test_the_suite_catches_every_mutant(capsys: pytest.CaptureFixture[str]) -> None:
    assert len(MUTANTS) >= 30
    quick = MODE == "quick"
    # The plain command is timed as a user runs it, alone on the machine;
    # the quick hunts run two at a time (the machine has two cores).
    with ThreadPoolExecutor(max_workers=2 if quick else 1) as pool:
        hunts = list(pool.map(lambda m: hunt(m, quick), MUTANTS))
    with capsys.disabled():
        command = "--catch-only, bound 0.5 s" if quick else "the plain command"
        print(f"\n{'mutant':34} caught  seconds  steps  scenarios  caught by   ({command})")
        for h in hunts:
            steps = str(h.steps) if h.steps else "-"
            print(
                f"{h.mutant:34} {'yes' if h.caught else 'NO':6} {h.seconds:8.1f} {steps:>6}"
                f" {h.scenarios:10}  {h.failed_test[:60]}"
            )
    missed = [(h.mutant, h.failed_test) for h in hunts if not h.caught]
    # The table above is lost under xdist: the message says why each miss was one.
    why = "\n".join(f"--- {h.mutant}:\n{h.output_tail}" for h in hunts if not h.caught)
    assert not missed, f"the suite did not catch: {missed}\n{why}"
    if not quick:
        slow = [(h.mutant, round(h.seconds)) for h in hunts if h.seconds > HUNT_BUDGET]
        assert not slow, f"reported later than {HUNT_BUDGET:.0f} s: {slow}"


@pytest.mark.timeout(900)
def test_the_suite_passes_the_standard_library_itself() -> None:
    """The control: compared with itself, concurrent.futures shows no divergence.

    This also checks the harness's model: a prediction the standard library
    misses stops the suite with a harness error.
    """
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(TESTS / "equivalence"),
        "--impl=concurrent.futures",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:logging",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=TESTS.parent)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "compared concurrent.futures with concurrent.futures" in run.stdout
