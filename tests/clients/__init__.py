"""Real clients of an executor, and the scale-out shim (dask_pool)."""
