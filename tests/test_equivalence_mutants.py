"""The equivalence suite must catch every deliberately wrong implementation.

Each module in tests/equivalence/mutants/ is the standard library with one
behaviour changed.  The suite runs against each one in a child process
(``--impl equivalence.mutants.NAME --catch-only``) and must report a
divergence: a failure of another kind (a harness error, a crash) does not
count.  The table of how long each took to be caught is printed at the end.

It also runs the suite against concurrent.futures itself, which must pass.

This runs when MINIPOOL_MUTANTS=1 (the ``mutants`` nox session sets it), as it
takes a few minutes: each mutant gets up to 1,000 scenarios per property test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
MUTANTS = sorted(
    p.stem for p in (TESTS / "equivalence" / "mutants").glob("*.py") if not p.stem.startswith("_")
)

pytestmark = pytest.mark.skipif(
    os.environ.get("MINIPOOL_MUTANTS") != "1",
    reason="takes minutes: run with MINIPOOL_MUTANTS=1 (python -m nox -s mutants)",
)


@dataclass
class Hunt:
    mutant: str
    exit_status: int
    seconds: float
    scenarios: int  # generated scenarios until the first divergence (both property tests)
    failed_test: str
    diverged: bool  # the failure is a reported divergence, not some other error

    @property
    def caught(self) -> bool:
        return self.exit_status == 1 and self.diverged


def hunt(mutant: str, only: str = "") -> Hunt:
    """Run the equivalence suite (or its tests matching *only*) against *mutant* until it fails."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        *(["-k", only] if only else []),
        str(TESTS / "equivalence"),
        f"--impl=equivalence.mutants.{mutant}",
        "--catch-only",
        "--scenarios=1000",
        "--equivalence-bound=0.5",
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:logging",
    ]
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=TESTS.parent)
    seconds = time.perf_counter() - start
    output = run.stdout + run.stderr
    scenarios = re.search(r"equivalence: (\d+) generated scenarios", output)
    failed = re.search(r"^FAILED \S+::(\S+)", output, re.MULTILINE)
    return Hunt(
        mutant=mutant,
        exit_status=run.returncode,
        seconds=seconds,
        scenarios=int(scenarios.group(1)) if scenarios else 0,
        failed_test=failed.group(1) if failed else output[-2000:],
        diverged="diverged from concurrent.futures" in output,
    )


@pytest.mark.timeout(1800)
def test_the_suite_catches_every_mutant(capsys: pytest.CaptureFixture[str]) -> None:
    assert len(MUTANTS) >= 6
    # The whole suite, then the generated scenarios alone (no deadlock tests);
    # two runs at a time, as the machine has two cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        whole = list(pool.map(hunt, MUTANTS))
        generated = list(pool.map(lambda m: hunt(m, only="generated"), MUTANTS))
    with capsys.disabled():
        print(f"\n{'mutant':34} {'whole suite':>22} {'generated scenarios alone':>26}")
        for w, g in zip(whole, generated):
            print(f"{w.mutant:34} {describe(w):>22} {describe(g):>26}   {w.failed_test[:44]}")
    missed = [(h.mutant, h.failed_test) for h in whole if not h.caught]
    assert not missed, f"the suite did not catch: {missed}"
    missed = [(h.mutant, h.failed_test) for h in generated if not h.caught]
    assert not missed, f"the generated scenarios alone did not catch: {missed}"


def describe(hunt: Hunt) -> str:
    if not hunt.caught:
        return "NOT CAUGHT"
    return f"{hunt.seconds:5.1f} s, {hunt.scenarios:3} scenarios"


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
