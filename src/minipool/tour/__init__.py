"""The tour: the seed notes' experiments, run side by side on several implementations.

Work in progress (issue 6): the step engine and the first steps are here;
``python -m minipool`` still runs the short demo in ``minipool.__main__``.

Each step is a small program written once against the ``concurrent.futures``
names.  The tour runs it on the standard library first (the reference) and
then on every implementation under test, and compares what the step
*observed* (orders, reprs, exception types, which calls blocked): a step whose
observation differs from the reference's is a divergence.  Unlike the core
modules, the tour imports :mod:`concurrent.futures`: comparing against it is
its job.
"""
