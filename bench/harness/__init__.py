"""The benchmark harness behind ``bench/run.py`` (issue 6).

One module per concern, shared by the runner: ``servers`` (start on loopback, stop by
PID), ``load`` (wrk and pgbench, parsed), ``dataset`` (the PostgreSQL database and its
SQLite copy), ``peers`` (PostGraphile and Datasette), ``naive`` (the DRF baseline),
``workloads`` (what each system is asked), ``export`` (the CSV export against COPY) and
``report`` (the table and the JSON file).
"""
