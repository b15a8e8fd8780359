"""python -m minipool: the demo runs, and refuses bad input with a one-line error."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "minipool", *args], capture_output=True, text=True, timeout=120
    )


def test_demo_runs_every_step() -> None:
    demo = run("--unit", "0.02")
    assert demo.returncode == 0, demo.stderr
    steps = [line for line in demo.stdout.splitlines() if line[:2] in ("1.", "2.", "3.", "4.")]
    assert len(steps) == 4
    assert "executor.submit(pow, 2, 3).result() = 8" in demo.stdout
    assert "state=running>" in demo.stdout
    assert "state=finished returned int>" in demo.stdout
    assert "map():          [0.06, 0.02, 0.04]" in demo.stdout


def test_bad_input_gets_a_one_line_error_and_status_2() -> None:
    bad = run("--unit", "-1")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines()[-1] == (
        "python -m minipool: error: --unit must be greater than 0"
    )
    assert "Traceback" not in bad.stderr


def test_a_reader_that_goes_away_ends_the_demo_quietly() -> None:
    demo = subprocess.Popen(
        [sys.executable, "-m", "minipool", "--unit", "0.01"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert demo.stdout is not None
    demo.stdout.close()  # the reader is gone before the demo writes (like "| true")
    _, stderr = demo.communicate(timeout=60)
    assert demo.returncode == 1
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr
