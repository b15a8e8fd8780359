"""``python -m minipool`` (and the ``minipool`` console script): the tour.

The seed notes' experiments, each run on the standard library and on
minipool side by side and compared; see :mod:`minipool.tour`.
"""

from __future__ import annotations

from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the tour; the console script ``minipool`` calls this."""
    # Imported here: the tour compares with concurrent.futures, which a plain
    # "import minipool" never loads.
    from minipool.tour.cli import main as tour

    return tour(argv, prog="python -m minipool")


if __name__ == "__main__":
    raise SystemExit(main())
