"""``python -m minipool.tour``."""

from minipool.tour.cli import main

raise SystemExit(main())
