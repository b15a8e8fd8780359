"""The tour: the seed notes' experiments, run side by side on several implementations.

``python -m minipool`` runs it (``--help`` lists the steps and options).
The modules: :mod:`~minipool.tour.engine` runs a step on each
implementation and compares; :mod:`~minipool.tour.steps` holds the steps;
:mod:`~minipool.tour.watchdog` sees a hang with a bounded wait and shows
where each thread waits; :mod:`~minipool.tour.text` the Korean narration;
:mod:`~minipool.tour.cli` the command line and the summary.

Each step is a small program written once against the ``concurrent.futures``
names.  The tour runs it on the standard library first (the reference) and
then on every implementation under test, and compares what the step
*observed* (orders, reprs, exception types, which calls blocked): a step whose
observation differs from the reference's is a divergence.  Unlike the core
modules, the tour imports :mod:`concurrent.futures`: comparing against it is
its job.
"""
