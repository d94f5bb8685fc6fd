"""Benchmarks: `make bench` (python -m bench) prints one table; not part of `make test`."""
