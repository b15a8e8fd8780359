"""Run the tutorial's examples on one implementation: ``python tests/docs_examples.py MODULE``.

The tutorial (docs/tutorial/*.rst) says that its examples print the same
when ``from minipool import`` becomes ``from concurrent.futures import``.
This runs every ``>>>`` example of every page, each page in a namespace of
its own, with that import rewritten to MODULE's, under the flags Sphinx's
doctest builder uses, and prints one JSON line: each page's counts and the
report of any failure.  tests/test_docs.py runs it in a child process per
implementation (debug mode, which one page turns on, stays in that child).

Examples that use ``minipool.`` by name (debug mode, which only minipool
has) run on minipool either way.
"""

from __future__ import annotations

import doctest
import io
import json
import sys
from pathlib import Path

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial"

# sphinx.ext.doctest's default flags (doctest_default_flags).
FLAGS = doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL | doctest.DONT_ACCEPT_TRUE_FOR_1


def run_page(path: Path, module: str) -> dict[str, object]:
    text = path.read_text(encoding="utf-8").replace("from minipool import", f"from {module} import")
    test = doctest.DocTestParser().get_doctest(text, {}, path.stem, str(path), 0)
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    result = runner.run(test, out=report.write)
    return {"examples": result.attempted, "failed": result.failed, "report": report.getvalue()}


def main(argv: list[str]) -> int:
    module = argv[0] if argv else "minipool"
    pages = sorted(TUTORIAL.glob("*.rst"))
    print(json.dumps({page.stem: run_page(page, module) for page in pages}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
