"""Benchmarks and integrity scripts, run from the repository's root as modules:
``python -m bench.run``, ``bench.race``, ``bench.mixed_load``, ``bench.fault``,
``bench.fuzz``, ``bench.reports_bench`` and ``bench.replica`` (the Makefile's bench, race,
load, fault, fuzz and replica targets). What they share is in ``bench.harness``; see bench/README.md.
"""
