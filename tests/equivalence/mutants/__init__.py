"""Deliberately wrong implementations: the standard library with one behaviour changed.

Each module offers the names of ``concurrent.futures`` and differs in one
subtle way, named in its docstring.  ``tests/test_equivalence_mutants.py``
runs the equivalence suite against each of them (``--impl
equivalence.mutants.NAME``) and requires it to fail: a suite that passes a
wrong implementation proves nothing.
"""
