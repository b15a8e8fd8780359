"""Sphinx configuration for minipool's documentation."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).parent.parent))  # for benchmarks.table

from benchmarks.table import extension_tables, rst_tables

import minipool

ROOT = Path(__file__).parent.parent

# The benchmark tables are made at every build from the committed results of
# python -m benchmarks --json (benchmarks/results/), never typed in by hand.
_results = sorted((ROOT / "benchmarks" / "results").glob("*.json"))
_generated = Path(__file__).parent / "_generated"
_generated.mkdir(exist_ok=True)
_extension_results = sorted((ROOT / "benchmarks" / "results" / "extensions").glob("*.json"))
(_generated / "extension-tables.rst").write_text(
    extension_tables([json.loads(path.read_text()) for path in _extension_results])
    if _extension_results
    else "No results committed yet: run ``python -m benchmarks --only extensions --json ...``.\n"
)
(_generated / "benchmark-tables.rst").write_text(
    rst_tables([json.loads(path.read_text()) for path in _results])
    if _results
    else "No results committed yet: run ``python -m benchmarks --json ...``.\n"
)

project = "minipool"
author = "the minipool developers"
copyright = "2026, the minipool developers"
release = minipool.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
]
html_theme = "furo"
html_title = f"minipool {release}"
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
# Names only the type checker sees (ParamSpec P, Self) stay as written.
autodoc_type_aliases: dict[str, str] = {}
exclude_patterns = ["_build", "_generated"]
