"""Screenshots of the built site, with headless Chromium: ``python docs/screenshots.py``.

    python -m nox -s docs                      # build the site (both languages)
    python docs/screenshots.py [SITE] [OUT]    # docs/_build/html, docs/_static/screenshots

Needs playwright (``pip install playwright``) and a Chromium: the one
playwright installs, or the system's (``apt-get install chromium``, found at
/usr/bin/chromium).  Not part of the build: the screenshots are committed, to
show what the site looks like without building it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parent

# (file name, page, a CSS selector or None, and what to capture: the
# "window" from the top of the page, the "element" alone, or the window
# once the element is scrolled to the top)
SHOTS = [
    ("home.png", "index.html", None, "window"),
    ("ko-home.png", "ko/index.html", None, "window"),
    ("tutorial-deadlocks.png", "tutorial/deadlocks.html", None, "window"),
    ("tutorial-deadlocks-debug-mode.png", "tutorial/deadlocks.html",
     "#debug-mode-the-deadlock-becomes-an-error", "scroll"),
    ("ko-tutorial-deadlocks.png", "ko/tutorial/deadlocks.html", None, "window"),
    ("benchmark-chart.png", "benchmarks.html", "img[src$='benchmarks.png']", "element"),
    ("tutorial-files-timeline.png", "tutorial/files.html", "img[src$='files-gantt.png']",
     "element"),
    ("differences-table.png", "differences.html", None, "window"),
    ("how-it-works-state-machine.png", "how-it-works.html", "#the-future-s-state-machine",
     "scroll"),
    ("how-it-works-architecture.png", "how-it-works.html", "#the-architecture", "scroll"),
    ("ko-how-it-works-architecture.png", "ko/how-it-works.html", "#the-architecture", "scroll"),
    ("how-it-works-import-graph.png", "how-it-works.html",
     "#the-architecture div.highlight-text >> nth=1", "element"),
    ("ko-how-it-works-import-graph.png", "ko/how-it-works.html",
     "#the-architecture div.highlight-text >> nth=1", "element"),
    ("how-it-works-extras.png", "how-it-works.html", "#how-an-extra-attaches", "scroll"),
    ("ko-how-it-works-extras.png", "ko/how-it-works.html", "#how-an-extra-attaches", "scroll"),
    ("notebook-seed.png", "notebooks/seed.html", None, "window"),
    ("ko-notebook-seed.png", "ko/notebooks/seed.html", None, "window"),
    ("notebook-deadlock-error.png", "notebooks/seed.html", "#two-deadlocks", "scroll"),
    ("ko-notebook-deadlock-error.png", "ko/notebooks/seed.html",
     "div.cell.tag_raises-exception >> nth=0", "scroll"),
    ("notebook-stats-table.png", "notebooks/seed.html", "div.output.text_html table",
     "element"),
    ("notebook-gantt.png", "notebooks/seed.html", "img[alt^='Gantt chart']", "element"),
    ("diagnostics-deadlock-table.png", "diagnostics.html",
     "#debug-mode-a-deadlock-becomes-an-error", "scroll"),
    ("ko-diagnostics-deadlock-table.png", "ko/diagnostics.html", "table.docutils >> nth=0",
     "scroll"),
]  # fmt: skip


def main(argv: list[str]) -> int:
    site = Path(argv[0]) if argv else DOCS / "_build" / "html"
    out = Path(argv[1]) if len(argv) > 1 else DOCS / "_static" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)  # None: playwright's own
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, path, selector, how in SHOTS:
            page.goto((site / path).resolve().as_uri())
            page.wait_for_load_state("networkidle")
            if how == "element":
                page.locator(selector).screenshot(path=str(out / name))
                continue
            if how == "scroll":
                page.locator(selector).evaluate(
                    "element => element.scrollIntoView({behavior: 'instant'})"
                )  # furo scrolls smoothly: a screenshot would catch the top
            page.screenshot(path=str(out / name))
            print(out / name)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
