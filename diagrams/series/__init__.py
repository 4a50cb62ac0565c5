"""Expected observables after SGD as η-series, plain and resummed."""
