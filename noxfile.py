"""Sessions: the test suite on every Python from 3.9 to 3.15, lint, and the docs.

    python -m nox                 # everything (what CI runs)
    python -m nox -s tests-3.12   # one interpreter
    python -m nox -s sid-3.14     # Debian sid's 3.14, in its chroot (tools/sid-chroot)
    HYPOTHESIS_PROFILE=long python -m nox -s tests   # the long property runs
    python -m nox -s equivalence-3.13 -- --impl=concurrent.futures   # the control run
    python -m nox -s sid-3.15 -- tests/equivalence --impl=concurrent.futures

Each interpreter is tested against its own standard library.  Three kinds:

- pyenv's (3.9 ... 3.13.0), found under ~/.pyenv/versions and on PATH;
- the newest patch releases (3.13.18, 3.14.x, 3.15.x), Debian sid's
  packages, which need a newer C library than the host's: they run in the
  chroot that ``tools/sid-chroot ensure`` makes (.ci/run does), and their
  sessions skip, saying why, where it is missing;
- the free-threaded builds (3.14t, 3.15t), wherever a ``python3.14t`` is
  installed (under ~/.pyenv/versions or on PATH); where one is missing, its
  session skips, saying so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]
SID_PYTHONS = ["3.13", "3.14", "3.15"]  # in the chroot of tools/sid-chroot
FREE_THREADED = ["3.14t", "3.15t"]

# Put every pyenv interpreter on PATH so that nox finds python3.9 ... python3.13.
_pyenv = Path.home() / ".pyenv" / "versions"
if _pyenv.is_dir():
    _bins = sorted(str(p / "bin") for p in _pyenv.iterdir() if (p / "bin").is_dir())
    os.environ["PATH"] = os.pathsep.join([*_bins, os.environ.get("PATH", "")])


def _runs_free_threaded(version: str) -> bool:
    """Whether python3.14t (say) is here, runs, and is a free-threaded build.

    Run, not only looked up: pyenv's shims directory has a python3.14t that
    fails when no such version is installed.
    """
    executable = shutil.which(f"python{version}")
    if executable is None:
        return False
    check = "import sysconfig; print(sysconfig.get_config_var('Py_GIL_DISABLED'))"
    try:
        answer = subprocess.run(
            [executable, "-c", check], check=False, capture_output=True, text=True
        )
    except OSError:
        return False
    return answer.returncode == 0 and answer.stdout.strip() == "1"


FREE_THREADED_HERE = [v for v in FREE_THREADED if _runs_free_threaded(v)]

# The suite in four processes (pytest-xdist), even on two cores: run alone it
# keeps a core busy about a third of the time (most tests wait, for timeouts
# that must run out, for subprocesses, for dask's scheduler), and four
# processes take its time on 3.13 from about 210 s to 80 s.  worksteal: the
# four long tests (30 s each) end up on different processes.  "-- -n 0"
# runs it in one process.
PARALLEL = ["-n", "4", "--dist", "worksteal"]
SID_CHROOT = Path("tools", "sid-chroot")
# The differential suite once more, against minipool.dropin (the classes that are
# also the standard library's): the whole suite above ran it against minipool.
DROPIN_EQUIVALENCE = ["-n", "2", "tests/equivalence", "--impl=minipool.dropin"]

nox.options.sessions = [
    "lint",
    "tests",
    *(f"tests-{v}" for v in FREE_THREADED if v not in FREE_THREADED_HERE),  # they skip
    *(f"sid-{v}" for v in SID_PYTHONS),
    "docs",
    "mutants_quick-3.13",
]
nox.options.error_on_missing_interpreters = True


@nox.session(python=PYTHONS + FREE_THREADED_HERE)
def tests(session: nox.Session) -> None:
    """The whole test suite, including CPython's own concurrent.futures tests."""
    # matplotlib (the bench extra) for the Gantt chart test of minipool.trace:
    # on one version is enough, and it is a large install.
    # The clients extra (tqdm, dask, dask.distributed) on every version:
    # tests/test_clients.py runs each real client against minipool.
    # The notebook extra (nbclient, ipykernel) on the same one version:
    # tests/test_notebooks.py runs the seed's notebooks and debug mode in a
    # real kernel there, and must not skip (MINIPOOL_REQUIRE_NOTEBOOKS).
    newest = session.python == PYTHONS[-1]
    if session.python in FREE_THREADED:
        session.install(".[test,clients-free-threaded]")  # grpcio: no wheel there
    else:
        session.install(".[test,clients,bench,notebook]" if newest else ".[test,clients]")
    env = {"MINIPOOL_REQUIRE_NOTEBOOKS": "1"} if newest else {}
    session.run("python", "-m", "pytest", *PARALLEL, *session.posargs, env=env)
    if not session.posargs:
        session.run("python", "-m", "pytest", *DROPIN_EQUIVALENCE)


def _missing_free_threaded(version: str) -> None:
    def session_function(session: nox.Session) -> None:
        session.skip(
            f"no python{version} here: a free-threaded build is not packaged; build CPython"
            f" {version[:-1]} with ./configure --disable-gil and install it under"
            f" ~/.pyenv/versions/ to test it (docs/free-threading.rst)"
        )

    session_function.__doc__ = f"The test suite on free-threaded {version} (not installed here)."
    nox.session(name=f"tests-{version}", python=False)(session_function)


for _version in FREE_THREADED:
    if _version not in FREE_THREADED_HERE:
        _missing_free_threaded(_version)


def _sid_session(version: str) -> None:
    def session_function(session: nox.Session) -> None:
        status = subprocess.run(
            [str(SID_CHROOT), "status"], check=False, capture_output=True, text=True
        )
        if status.returncode != 0:
            session.skip(
                f"no Debian sid chroot for python{version}: {status.stderr.strip()}"
                " (tools/sid-chroot ensure makes it; .ci/run does)"
            )
        # The venv lives in the project directory, which the chroot sees at
        # the same path: .nox/sid-3.14, made by the chroot's own python3.14.
        venv = Path(".nox", f"sid-{version}").resolve()
        python = str(venv / "bin" / "python")
        run = [str(SID_CHROOT), "run"]
        if not (venv / "bin" / "python").exists():
            session.run(*run, f"python{version}", "-m", "venv", str(venv), external=True)
        session.run(*run, python, "-m", "pip", "install", "--quiet", "--upgrade", "pip",
                    external=True)  # fmt: skip
        session.run(*run, python, "-m", "pip", "install", "--quiet", ".[test,clients]",
                    external=True)  # fmt: skip
        session.run(*run, python, "-m", "pytest", *PARALLEL, *session.posargs, external=True)
        if not session.posargs:
            session.run(*run, python, "-m", "pytest", *DROPIN_EQUIVALENCE, external=True)

    session_function.__doc__ = (
        f"The whole test suite on Debian sid's python{version} (its newest patch release),"
        " in the chroot of tools/sid-chroot."
    )
    nox.session(name=f"sid-{version}", python=False)(session_function)


for _version in SID_PYTHONS:
    _sid_session(_version)


@nox.session(python="3.13")
def lint(session: nox.Session) -> None:
    """ruff (check and format) and mypy --strict."""
    session.install(".[lint]")
    python_files = ["src", "tests", "benchmarks", "noxfile.py", "docs"]
    session.run("ruff", "check", *python_files)
    session.run("ruff", "format", "--check", *python_files)
    session.run("mypy", "--strict", "src", "tests/typing", "benchmarks")


@nox.session(python="3.13")
def docs(session: nox.Session) -> None:
    """The Sphinx site in English and Korean, its doctests, and the checks of tests/test_docs.py.

    Warnings are errors, and every cross-reference must resolve (-W -n).
    The site: docs/_build/html (English), docs/_build/html/ko (Korean).
    """
    session.install(".[docs,test]")
    html = Path("docs", "_build", "html")
    strict = ["-W", "-n", "--keep-going"]
    for language, output in (("en", html), ("ko", html / "ko")):
        session.run("sphinx-build", *strict, "-b", "html", "-D", f"language={language}",
                    "docs", str(output))  # fmt: skip
        session.run("sphinx-build", *strict, "-b", "doctest", "-D", f"language={language}",
                    "docs", f"docs/_build/doctest-{language}")  # fmt: skip
    # The built site against the code: every public name rendered, both
    # languages, the language links (and the checks that need no build).
    session.run(
        "python", "-m", "pytest", "tests/test_docs.py", env={"MINIPOOL_DOCS_HTML": str(html)}
    )


@nox.session(python=PYTHONS + FREE_THREADED_HERE, default=False)
def equivalence(session: nox.Session) -> None:
    """The differential suite alone, against minipool or any module.

    python -m nox -s equivalence-3.13 -- --impl=concurrent.futures
    HYPOTHESIS_PROFILE=long python -m nox -s equivalence
    """
    session.install(".[test]")
    session.run("python", "-m", "pytest", "tests/equivalence", *session.posargs)


def _hunt_mutants(session: nox.Session, mode: str) -> None:
    session.install(".[test]")
    session.run(
        "python",
        "-m",
        "pytest",
        # The quick hunt has the control run (about a minute, mostly
        # waiting) beside it; the timed one runs alone.
        *(["-n", "2"] if mode == "quick" else []),
        "tests/test_equivalence_mutants.py",
        *session.posargs,
        env={"MINIPOOL_MUTANTS": mode},
    )


@nox.session(python=PYTHONS)
def mutants(session: nox.Session) -> None:
    """The differential suite must catch each deliberately wrong implementation, each in 2 min.

    Each hunt is the plain command a user types (python -m pytest
    tests/equivalence --impl=MODULE -x), one at a time: about 20 minutes on
    two cores.  python -m nox -s mutants-3.13 for one version.
    """
    _hunt_mutants(session, "plain")


@nox.session(python=PYTHONS)
def mutants_quick(session: nox.Session) -> None:
    """The differential suite catches each wrong implementation (--catch-only: a few minutes).

    Part of the default run, on 3.13; the timed hunt is the mutants session.
    """
    _hunt_mutants(session, "quick")


@nox.session(python=PYTHONS + FREE_THREADED_HERE, default=False)
def stress(session: nox.Session) -> None:
    """The long stress run: 10^6 calls by many submitting threads (tests/test_stress.py).

    python -m nox -s stress-3.14t
    python -m nox -s stress-3.14t -- 5000000   # another number of calls
    """
    calls = session.posargs[0] if session.posargs else "1000000"
    session.install(".[test]")
    session.run("python", "-m", "pytest", "-s", "tests/test_stress.py",
                env={"MINIPOOL_STRESS_CALLS": calls})  # fmt: skip


@nox.session(python=PYTHONS[3:] + FREE_THREADED_HERE, default=False)
def interleavings(session: nox.Session) -> None:
    """The long schedule search (tests/test_interleavings.py with MINIPOOL_INTERLEAVINGS=long).

    python -m nox -s interleavings-3.14t
    """
    session.install(".[test]")
    session.run("python", "-m", "pytest", "-s", "tests/test_interleavings.py",
                env={"MINIPOOL_INTERLEAVINGS": "long"})  # fmt: skip


@nox.session(python=PYTHONS, default=False)
def repeat(session: nox.Session) -> None:
    """The whole suite N times in a row (default 20), as CI runs it: flakiness fails a run.

    python -m nox -s repeat -- 20
    python -m nox -s repeat -- 20 tests/equivalence --impl=concurrent.futures
    """
    runs = int(session.posargs[0]) if session.posargs else 20
    pytest_args = session.posargs[1:]
    session.install(".[test,clients]")
    for run in range(1, runs + 1):
        session.log(f"run {run} of {runs}")
        session.run("python", "-m", "pytest", "-q", "-p", "no:randomly", *PARALLEL, *pytest_args)


@nox.session(python=PYTHONS + FREE_THREADED_HERE, default=False)
def bench(session: nox.Session) -> None:
    """The benchmarks on each interpreter: benchmarks/results/<version>.json, and the
    many-threads jobs in benchmarks/results/cores/<version>.json ("3.14.7t": GIL off).

    python -m nox -s bench                        # every version, the full sizes
    python -m nox -s bench-3.13 -- --quick        # any options of python -m benchmarks
    """
    session.install(".")
    name = "from benchmarks.timing import interpreter; print(interpreter()['label'])"
    label = str(session.run("python", "-c", name, silent=True)).strip()
    output = Path("benchmarks", "results", f"{label}.json")
    session.run("python", "-m", "benchmarks", "--json", str(output), *session.posargs)
    cores = Path("benchmarks", "results", "cores", f"{label}.json")
    quick = ["--quick"] if "--quick" in session.posargs else []
    session.run("python", "-m", "benchmarks.cores", "--json", str(cores), *quick)
