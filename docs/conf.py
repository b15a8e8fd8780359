"""Sphinx configuration for minipool's documentation.

Two languages from one source: English (the default) and Korean, whose
translations are the gettext catalogs under ``docs/locale/ko/``::

    sphinx-build -W -n -b html docs docs/_build/html                    # English
    sphinx-build -W -n -b html -D language=ko docs docs/_build/html/ko  # Korean

``python -m nox -s docs`` builds both, runs the doctests in both, and checks
the built site (tests/test_docs.py).
"""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).parent.parent))  # for benchmarks.table
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))  # for layers

from benchmarks.table import cores_tables, extension_tables, files_table, rst_tables

import minipool
from layers import graph_text

ROOT = Path(__file__).parent.parent
DOCS = Path(__file__).parent
_generated = DOCS / "_generated"
_generated.mkdir(exist_ok=True)

# The benchmark tables and chart are made at every build from the committed
# results of python -m benchmarks --json (benchmarks/results/), never typed in
# by hand.
_results = sorted((ROOT / "benchmarks" / "results").glob("*.json"))
_reports = [json.loads(path.read_text()) for path in _results]
_extension_results = sorted((ROOT / "benchmarks" / "results" / "extensions").glob("*.json"))
(_generated / "extension-tables.rst").write_text(
    extension_tables([json.loads(path.read_text()) for path in _extension_results])
    if _extension_results
    else "No results committed yet: run ``python -m benchmarks --only extensions --json ...``.\n"
)
(_generated / "benchmark-tables.rst").write_text(
    rst_tables(_reports)
    if _reports
    else "No results committed yet: run ``python -m benchmarks --json ...``.\n"
)
(_generated / "files-table.rst").write_text(
    files_table(_reports) if _reports else "No results committed yet.\n"
)
# Many threads, free-threaded builds (python -m benchmarks.cores --json).
_cores_results = sorted((ROOT / "benchmarks" / "results" / "cores").glob("*.json"))
_cores_reports = [json.loads(path.read_text()) for path in _cores_results]
(_generated / "cores-tables.rst").write_text(
    cores_tables(_cores_reports)
    if _cores_reports
    else "No results committed yet: run ``python -m benchmarks.cores --json ...``.\n"
)
# The import graph of src/minipool (docs/how-it-works.rst), read from the source.
(_generated / "import-graph.rst").write_text(
    ".. code-block:: text\n\n" + "".join("   " + line + "\n" for line in graph_text().splitlines())
)
# The deadlock table (docs/diagnostics.rst), from python -m benchmarks.deadlocks
# --json: written at config-inited, in the build's language (see setup()).
_deadlock_results = sorted((ROOT / "benchmarks" / "results" / "deadlocks").glob("*.json"))


def _write_deadlock_table(app: Any, config: Any) -> None:
    from benchmarks.deadlocks import html_table

    reports = [json.loads(path.read_text()) for path in _deadlock_results]
    (_generated / "deadlock-table.rst").write_text(
        "\n".join(html_table(report, config.language or "en") for report in reports)
        if reports
        else "No results committed yet: run ``python -m benchmarks.deadlocks --json ...``.\n"
    )


# The chart takes matplotlib a few seconds: drawn again only when a result
# or the drawing code is newer than it.
_chart = _generated / "benchmarks.png"
_chart_sources = [*_results, ROOT / "benchmarks" / "chart.py"]
_chart_stale = not _chart.exists() or _chart.stat().st_mtime < max(
    p.stat().st_mtime for p in _chart_sources
)
if _reports and _chart_stale:
    from benchmarks.chart import draw  # needs matplotlib: the docs extra has it

    draw(_reports, str(_chart))
_cores_chart = _generated / "cores.png"
_cores_sources = [*_cores_results, ROOT / "benchmarks" / "chart.py"]
if _cores_reports and (
    not _cores_chart.exists()
    or _cores_chart.stat().st_mtime < max(p.stat().st_mtime for p in _cores_sources)
):
    from benchmarks.chart import draw_cores

    draw_cores(_cores_reports, str(_cores_chart))


def _python_inventory() -> str:
    """Compress intersphinx/python-objects.txt into a Sphinx inventory (format 2).

    The build has no network to fetch docs.python.org's objects.inv; the
    text file lists the standard library objects these pages link to.
    """
    lines = []
    for line in (DOCS / "intersphinx" / "python-objects.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, role, page = line.split()
        if "#" not in page:  # the usual anchor; a few names say theirs
            page += "#module-$" if role == "py:module" else "#$"
        lines.append(f"{name} {role} 1 {page} -")
    header = (
        "# Sphinx inventory version 2\n"
        "# Project: Python\n"
        "# Version: 3\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    path = _generated / "python-objects.inv"
    path.write_bytes(header.encode() + zlib.compress(("\n".join(lines) + "\n").encode()))
    return str(path)


project = "minipool"
author = "the minipool developers"
copyright = "2026, the minipool developers"
release = minipool.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "myst_nb",
]
# The seed's notebooks are shown with the outputs they store (written by
# docs/notebooks/build.py, checked by tests/test_notebooks.py): the build
# runs no kernel.
nb_execution_mode = "off"
intersphinx_mapping = {"python": ("https://docs.python.org/3", _python_inventory())}

html_theme = "furo"
html_title = f"minipool {release}"
html_static_path = ["_static"]
html_css_files = ["minipool.css"]
templates_path = ["_templates"]
# furo's default sidebar, with the language switch under the project's name.
html_sidebars = {
    "**": [
        "sidebar/brand.html",
        "sidebar/language.html",
        "sidebar/search.html",
        "sidebar/scroll-start.html",
        "sidebar/navigation.html",
        "sidebar/scroll-end.html",
        "sidebar/variant-selector.html",
    ]
}

# Translations: docs/locale/<language>/LC_MESSAGES/<page>.po, one catalog per
# page (make them with ``sphinx-build -b gettext`` and sphinx-intl).
locale_dirs = ["locale/"]
gettext_compact = False
gettext_uuid = False
# For the sidebar's language link (_templates/sidebar/language.html): the
# other language of each build, its name, code, and where its site is.
html_context = {
    "other_language": {
        "en": {"name": "한국어", "code": "ko", "root": "ko/"},
        "ko": {"name": "English", "code": "en", "root": "../"},
    }
}

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
# Names only the type checker sees (ParamSpec P, Self) stay as written.
autodoc_type_aliases: dict[str, str] = {}

# Every cross-reference must resolve (sphinx-build -n).  Type variables are
# the exception: Sphinx renders a signature's T or P as a reference, and a
# type variable has no page to link to.
nitpicky = True
# A type in a signature names "Future" unqualified; minipool.dropin.Future (the
# drop-in subclass) makes that name ambiguous, and the first match, minipool.Future,
# is the one meant: Sphinx's "more than one target" warnings are not errors here.
suppress_warnings = ["ref.python"]
# So are the private typing helpers of some signatures (_StdlibFuture and
# friends in minipool.waiting and minipool.asyncio): their docstrings say what
# they stand for, and they are not part of the API.
nitpick_ignore_regex = [
    ("py:class", r"(minipool\.[a-z_.]+\.)?(T|U|P|P\.args|P\.kwargs)"),
    ("py:class", r"(minipool\.[a-z_.]+\.)?_[A-Za-z]+"),
]
# notebooks/seed.ko.ipynb is not a page of its own: the Korean build reads it
# as notebooks/seed (see setup() below).
exclude_patterns = ["_build", "_generated", "intersphinx", "locale", "notebooks/*.ko.ipynb"]


def _notebook_in_the_build_language(app: Any, docname: str, source: list[str]) -> None:
    """The page notebooks/seed is the English notebook, or, in the Korean build,
    the Korean one (one page, so that the language links pair them)."""
    if docname == "notebooks/seed" and app.config.language == "ko":
        source[0] = (DOCS / "notebooks" / "seed.ko.ipynb").read_text(encoding="utf-8")


def setup(app: Any) -> None:
    app.connect("source-read", _notebook_in_the_build_language)
    app.connect("config-inited", _write_deadlock_table)
