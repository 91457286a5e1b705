"""The benchmark harness behind ``python -m bench.run`` (issue 6) and the other scripts.

One module per concern, shared by the runner: ``servers`` (start on loopback, stop by
PID), ``load`` (wrk and pgbench, parsed), ``dataset`` (the PostgreSQL database and its
SQLite copy), ``peers`` (PostGraphile and Datasette), ``naive`` (the DRF baseline),
``workloads`` (what each system is asked), ``export`` (the CSV export against COPY) and
``report`` (the table and the JSON file).
"""
