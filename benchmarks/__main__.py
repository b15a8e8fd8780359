"""``python -m benchmarks``: run the benchmarks (see benchmarks.run)."""

import sys

from benchmarks.run import main

sys.exit(main())
