"""Benchmarks and integrity scripts, run from the repository's root as modules:
``python -m bench.run``, ``bench.race``, ``bench.mixed_load``, ``bench.fault``,
``bench.fuzz`` and ``bench.reports_bench`` (the Makefile's bench, race, load, fault and
fuzz targets). What they share is in ``bench.harness``; see bench/README.md.
"""
