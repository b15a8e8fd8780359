"""python -m minipool (the tour) as a user runs it: options, bad input, a closed pipe, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "minipool", *args], capture_output=True, text=True, timeout=120
    )


def test_help_lists_the_steps_and_options() -> None:
    help_text = run("--help").stdout
    for word in ("--step", "--impl", "--quick", "--json", "--files", "--directory", "deadlock"):
        assert word in help_text


def test_json_holds_every_step_run_and_the_verdict(tmp_path: Path) -> None:
    output = tmp_path / "tour.json"
    done = run("--unit", "0.02", "--step", "order", "--step", "future", "--json", str(output))
    assert done.returncode == 0, done.stderr
    steps = json.loads(output.read_text())
    assert [step["step"] for step in steps] == ["future", "order"]
    for step in steps:
        assert set(step["implementations"]) == {"concurrent.futures", "minipool"}
        assert step["implementations"]["minipool"]["same"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--unit", "-1"), "--unit must be greater than 0"),
        (("--files", "-5"), "--files must be greater than 0"),
        (("--step", "nope"), "argument --step: invalid choice: 'nope'"),
        (("--directory", "/no/such/dir"), "--directory /no/such/dir is not a writable directory"),
        (("--impl", "os"), "--impl os: the module lacks ThreadPoolExecutor, Future, as_completed"),
    ],
)
def test_bad_input_gets_a_one_line_error_and_status_2(args: tuple[str, ...], message: str) -> None:
    bad = run(*args)
    assert bad.returncode == 2
    assert message in bad.stderr.strip().splitlines()[-1]
    assert "Traceback" not in bad.stderr


def test_a_reader_that_goes_away_ends_the_tour_quietly() -> None:
    tour = subprocess.Popen(
        [sys.executable, "-m", "minipool", "--unit", "0.01", "--step", "future"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert tour.stdout is not None
    tour.stdout.close()  # the reader is gone before the tour writes (like "| true")
    _, stderr = tour.communicate(timeout=60)
    assert tour.returncode == 1
    assert "Traceback" not in stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child")
def test_ctrl_c_stops_the_tour_cleanly_and_removes_its_files(tmp_path: Path) -> None:
    # A suite started in the background of a non-interactive shell inherits
    # SIGINT ignored, a child would too, and Python then installs no handler
    # for it.  A handled signal is reset to the default in a child: handle it
    # here while the tour starts, so that it starts as from a terminal.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        tour = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "minipool",
                "--step",
                "files",
                "--files",
                "40000",
                "--directory",
                str(tmp_path),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    assert tour.stdout is not None
    # The progress lines (one per quarter when not on a terminal) say the
    # pool is writing: interrupt it then.
    line = tour.stdout.readline()
    while line and "pool:" not in line:
        line = tour.stdout.readline()
    assert "concurrent.futures pool:" in line, line
    tour.send_signal(signal.SIGINT)
    _, stderr = tour.communicate(timeout=60)
    assert tour.returncode == 130
    assert stderr.strip() == "interrupted"
    assert os.listdir(tmp_path) == []
