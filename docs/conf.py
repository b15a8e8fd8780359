"""Sphinx configuration for minipool's documentation."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "src"))

import minipool

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
exclude_patterns = ["_build"]
