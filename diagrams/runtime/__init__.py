"""How long jobs run: ordered parallel maps (process pool, Dask) and progress bars."""
