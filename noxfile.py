"""Sessions: the test suite on every Python from 3.9 to 3.13, lint, and the docs.

    python -m nox                 # everything (what CI runs)
    python -m nox -s tests-3.12   # one interpreter
    HYPOTHESIS_PROFILE=long python -m nox -s tests   # the long property runs
    python -m nox -s equivalence-3.13 -- --impl=concurrent.futures   # the control run

Each interpreter is tested against its own standard library.  The
interpreters are found under ~/.pyenv/versions (and on PATH).
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]

# Put every pyenv interpreter on PATH so that nox finds python3.9 ... python3.13.
_pyenv = Path.home() / ".pyenv" / "versions"
if _pyenv.is_dir():
    _bins = sorted(str(p / "bin") for p in _pyenv.iterdir() if (p / "bin").is_dir())
    os.environ["PATH"] = os.pathsep.join([*_bins, os.environ.get("PATH", "")])

nox.options.sessions = ["lint", "tests", "docs", "mutants-3.13"]
nox.options.error_on_missing_interpreters = True


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The whole test suite, including CPython's own concurrent.futures tests."""
    # matplotlib (the bench extra) for the Gantt chart test of minipool.trace:
    # on one version is enough, and it is a large install.
    # The clients extra (tqdm, dask, dask.distributed) on every version:
    # tests/test_clients.py runs each real client against minipool.
    session.install(".[test,clients,bench]" if session.python == PYTHONS[-1] else ".[test,clients]")
    session.run("python", "-m", "pytest", *session.posargs)


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


@nox.session(python=PYTHONS, default=False)
def equivalence(session: nox.Session) -> None:
    """The differential suite alone, against minipool or any module.

    python -m nox -s equivalence-3.13 -- --impl=concurrent.futures
    HYPOTHESIS_PROFILE=long python -m nox -s equivalence
    """
    session.install(".[test]")
    session.run("python", "-m", "pytest", "tests/equivalence", *session.posargs)


@nox.session(python=PYTHONS)
def mutants(session: nox.Session) -> None:
    """The differential suite must catch each deliberately wrong implementation.

    By default on 3.13 only (it takes a few minutes); python -m nox -s mutants for all.
    """
    session.install(".[test]")
    session.run(
        "python",
        "-m",
        "pytest",
        "tests/test_equivalence_mutants.py",
        *session.posargs,
        env={"MINIPOOL_MUTANTS": "1"},
    )


@nox.session(python=PYTHONS, default=False)
def repeat(session: nox.Session) -> None:
    """The whole suite N times in a row (default 20): flakiness shows as a failed run.

    python -m nox -s repeat -- 20
    python -m nox -s repeat -- 20 tests/equivalence --impl=concurrent.futures
    """
    runs = int(session.posargs[0]) if session.posargs else 20
    pytest_args = session.posargs[1:]
    session.install(".[test,clients]")
    for run in range(1, runs + 1):
        session.log(f"run {run} of {runs}")
        session.run("python", "-m", "pytest", "-q", "-p", "no:randomly", *pytest_args)


@nox.session(python=PYTHONS, default=False)
def bench(session: nox.Session) -> None:
    """The benchmarks on each interpreter, writing benchmarks/results/<version>.json.

    python -m nox -s bench                        # every version, the full sizes
    python -m nox -s bench-3.13 -- --quick        # any options of python -m benchmarks
    """
    session.install(".")
    version = session.run(
        "python", "-c", "import platform; print(platform.python_version())", silent=True
    )
    output = Path("benchmarks", "results", f"{str(version).strip()}.json")
    session.run("python", "-m", "benchmarks", "--json", str(output), *session.posargs)
