"""minipool's benchmarks: the standard library, minipool, a plain loop and a bare-queue floor.

Run ``python -m benchmarks --help``.  Every timing is taken in one process,
with the contenders interleaved round by round and the median reported, so
that a noisy machine slows all of them alike.  The results are printed as a
table of ratios and may be written as JSON (``--json``), which
``python -m benchmarks.chart`` draws.
"""
